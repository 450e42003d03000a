import type { UpdateMode } from '../vitest/update-mode.js';

export interface Size {
  width: number;
  height: number;
}

export interface Limits {
  threshold: number;
  maxDiffPixels: number;
  maxDiffPixelRatio: number | undefined;
}

/** What one capture looks like against the baseline. */
export type Comparison =
  | { kind: 'no-baseline' }
  | { kind: 'bytes-equal' }
  | { kind: 'within-limits'; diffPixels: number; comparedPixels: number; allowedPixels: number }
  | { kind: 'pixels-differ'; diffPixels: number; comparedPixels: number; allowedPixels: number }
  | { kind: 'size-mismatch'; baseline: Size; actual: Size };

/** The verdict, from one closed vocabulary used in code, messages and results. */
export type MatchOutcome =
  | { kind: 'matched'; comparison: Extract<Comparison, { kind: 'bytes-equal' | 'within-limits' }> }
  | { kind: 'baseline-written' }
  | { kind: 'baseline-updated'; comparison: Extract<Comparison, { kind: 'pixels-differ' | 'size-mismatch' }> }
  | { kind: 'baseline-missing'; reason: 'ci' | 'not' | 'unsettled' }
  | Extract<Comparison, { kind: 'pixels-differ' }>
  | Extract<Comparison, { kind: 'size-mismatch' }>;

/** The stricter of the two limits: `maxDiffPixels`, and `maxDiffPixelRatio` of the compared pixels. */
export function allowedDiffPixels(comparedPixels: number, limits: Limits): number {
  const byRatio = limits.maxDiffPixelRatio === undefined ? Infinity : Math.floor(limits.maxDiffPixelRatio * comparedPixels);
  return Math.min(limits.maxDiffPixels, byRatio);
}

/** Whether a capture matches the baseline (before `.not` is applied). */
export function isMatch(comparison: Comparison): boolean {
  return comparison.kind === 'bytes-equal' || comparison.kind === 'within-limits';
}

/**
 * Decides what happens, purely: Vitest's update modes ('none' in CI, 'new' locally, 'all' with -u),
 * and `.not`, under which a baseline is never written or updated; `settled` false (a `settle` capture that ran out
 * of time) writes and updates no baseline either.
 */
export function decideOutcome(comparison: Comparison, updateMode: UpdateMode, isNot: boolean, settled = true): MatchOutcome {
  switch (comparison.kind) {
    case 'no-baseline':
      if (isNot) return { kind: 'baseline-missing', reason: 'not' };
      if (updateMode === 'none') return { kind: 'baseline-missing', reason: 'ci' };
      // With `settle`, a page that never settled is not written: a half-loaded page must not become the baseline.
      return settled ? { kind: 'baseline-written' } : { kind: 'baseline-missing', reason: 'unsettled' };
    case 'bytes-equal':
    case 'within-limits':
      return { kind: 'matched', comparison };
    case 'pixels-differ':
    case 'size-mismatch':
      return updateMode === 'all' && !isNot && settled ? { kind: 'baseline-updated', comparison } : comparison;
    default:
      return comparison satisfies never;
  }
}

/** Whether the assertion as written (with or without `.not`) holds. */
export function assertionHolds(outcome: MatchOutcome, isNot: boolean): boolean {
  switch (outcome.kind) {
    case 'matched':
      return !isNot;
    case 'baseline-written':
    case 'baseline-updated':
      return true;
    case 'baseline-missing':
      return false;
    case 'pixels-differ':
    case 'size-mismatch':
      return isNot;
    default:
      return outcome satisfies never;
  }
}
