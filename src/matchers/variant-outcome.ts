import { nextVariantSlot } from '../baselines/variants.js';
import type { MatchOutcome } from './outcome.js';

/** What `-u` does with a screenshot that matches none of a name's accepted variants. */
export type VariantDecision =
  /** The outcome as decided (one variant allowed: `-u` replaces the baseline, as without variants). */
  | { action: 'keep' }
  /** Write the screenshot as this new variant; the others stay untouched. */
  | { action: 'add'; variant: number }
  /** All `variants` exist: fail and name them, for nothing is replaced silently. */
  | { action: 'refuse' };

/**
 * With `variants` > 1, `-u` never replaces a variant: it adds the screenshot in the first free slot, or, at the
 * limit, fails with the comparison. Only `-u` ('all') gets here: in update mode 'new' a failing comparison fails, as
 * Vitest's 'new' never changes an existing snapshot.
 */
export function decideVariant(outcome: MatchOutcome, taken: readonly number[], limit: number): { outcome: MatchOutcome; decision: VariantDecision } {
  if (limit === 1 || outcome.kind !== 'baseline-updated') return { outcome, decision: { action: 'keep' } };
  const slot = nextVariantSlot(taken, limit);
  return slot === undefined
    ? { outcome: outcome.comparison, decision: { action: 'refuse' } }
    : { outcome: { kind: 'baseline-written' }, decision: { action: 'add', variant: slot } };
}
