import { describe, expect, test } from 'vitest';
import { allowedDiffPixels, assertionHolds, decideOutcome, type Comparison } from '../../src/matchers/outcome.js';

const differ: Comparison = { kind: 'pixels-differ', diffPixels: 500, comparedPixels: 921600, allowedPixels: 100 };
const same: Comparison = { kind: 'bytes-equal' };
const missing: Comparison = { kind: 'no-baseline' };

describe('decideOutcome', () => {
  test.each([
    // comparison, update mode, .not → outcome kind, assertion holds
    [missing, 'new', false, 'baseline-written', true],
    [missing, 'all', false, 'baseline-written', true],
    [missing, 'none', false, 'baseline-missing', false],
    [missing, 'new', true, 'baseline-missing', false],
    [same, 'none', false, 'matched', true],
    [same, 'all', true, 'matched', false],
    [differ, 'new', false, 'pixels-differ', false],
    [differ, 'none', false, 'pixels-differ', false],
    [differ, 'all', false, 'baseline-updated', true],
    [differ, 'all', true, 'pixels-differ', true],
  ] as const)('%j in mode %s (not: %s) → %s', (comparison, mode, isNot, kind, holds) => {
    const outcome = decideOutcome(comparison, mode, isNot);
    expect(outcome.kind).toBe(kind);
    expect(assertionHolds(outcome, isNot)).toBe(holds);
  });
});

describe('allowedDiffPixels', () => {
  test('takes the stricter of maxDiffPixels and maxDiffPixelRatio', () => {
    expect(allowedDiffPixels(1_000_000, { threshold: 0.1, maxDiffPixels: 100, maxDiffPixelRatio: undefined })).toBe(100);
    expect(allowedDiffPixels(1_000_000, { threshold: 0.1, maxDiffPixels: 100, maxDiffPixelRatio: 0.00005 })).toBe(50);
    expect(allowedDiffPixels(1_000_000, { threshold: 0.1, maxDiffPixels: 100, maxDiffPixelRatio: 0.01 })).toBe(100);
  });
});
