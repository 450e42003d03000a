import { expect, test } from 'vitest';
import { passRate, wilsonInterval } from '../../src/results/pass-rate.js';

// Reference values: Wilson score intervals at 95 % (z = 1.959964) as tabulated by Newcombe (1998), Table I, and
// R's `prop.test(x, n, correct = FALSE)$conf.int`.
test.each([
  [4, 5, 0.3755, 0.9638],
  [0, 10, 0, 0.2775],
  [10, 10, 0.7225, 1],
  [50, 100, 0.4038, 0.5962],
  [81, 263, 0.2553, 0.3662],
])('the Wilson interval of %i of %i is [%f, %f]', (passed, k, low, high) => {
  const interval = wilsonInterval(passed, k);
  expect(interval.low).toBeCloseTo(low, 4);
  expect(interval.high).toBeCloseTo(high, 4);
});

test('the interval stays inside [0, 1] and holds the observed rate', () => {
  for (let k = 1; k <= 30; k++) {
    for (let passed = 0; passed <= k; passed++) {
      const { low, high } = wilsonInterval(passed, k);
      expect(low).toBeGreaterThanOrEqual(0);
      expect(high).toBeLessThanOrEqual(1);
      expect(low).toBeLessThanOrEqual(passed / k);
      expect(high).toBeGreaterThanOrEqual(passed / k);
    }
  }
});

test('passRate rounds to 4 decimals for results.json and says the confidence', () => {
  expect(passRate(4, 5)).toEqual({ rate: 0.8, interval: { low: 0.3755, high: 0.9638, confidence: 0.95 } });
});
