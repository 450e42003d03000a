import { expect, test } from 'vitest';
import { describeCaptures } from '../../src/matchers/message.js';
import type { CaptureRecord } from '../../src/matchers/poll.js';

// The trajectory block of a polling failure (issue #6 part 2); real runs show it in results.test.ts.
const at = (atMs: number, path: string, title: string, diffPixels?: number): CaptureRecord => ({ atMs, url: `https://shop.example${path}`, title, diffPixels });

test('the trajectory folds repeated captures and lines up its columns, so a long stay on one page stands out', () => {
  const stuck = [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000].map((ms) => at(ms, '/checkout/payment', 'Payment — Shop'));
  expect(describeCaptures([...stuck, at(8100, '/checkout/error', 'Card declined — Shop')], 8100)).toMatchInlineSnapshot(`
    "Captured 9 times over 8.1 s:
        +0.0–7.0 s  https://shop.example/checkout/payment  "Payment — Shop"        (8 captures)
        +8.1 s      https://shop.example/checkout/error    "Card declined — Shop""
  `);
});

test('the trajectory shows the differing pixels of each screenshot capture, and only the last 5 states of many', () => {
  const captures = [at(0, '/loading', 'Loading…', 9_000), ...[1, 2, 3, 4, 5, 6].map((i) => at(i * 500, `/step/${i}`, `Step ${i}`, 1_000 * i)), at(3500, '/step/6', 'Step 6', 6_000)];
  expect(describeCaptures(captures, 3600)).toMatchInlineSnapshot(`
    "Captured 8 times over 3.6 s (last 5 states shown):
        +1.0 s      https://shop.example/step/2  "Step 2"  2,000 px differ
        +1.5 s      https://shop.example/step/3  "Step 3"  3,000 px differ
        +2.0 s      https://shop.example/step/4  "Step 4"  4,000 px differ
        +2.5 s      https://shop.example/step/5  "Step 5"  5,000 px differ
        +3.0–3.5 s  https://shop.example/step/6  "Step 6"  6,000 px differ  (2 captures)"
  `);
  expect(describeCaptures(captures.slice(0, 1), 10)).toBeUndefined();
});
