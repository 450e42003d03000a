import { pollClock } from '../api/clock.js';
import { formatCount } from '../text/format.js';
import type { Screenshot } from '../image/screenshot.js';
import type { Capture } from './poll.js';

/** How one settled capture went: whether two consecutive screenshots showed the same page before `settle` ran out. */
export interface SettleReport {
  settled: boolean;
  /** Screenshots taken for this one capture (at least 1). */
  captures: number;
  /** From the first of them to the last, in ms. */
  durationMs: number;
  /** The `settle` option, in ms. */
  settleMs: number;
}

/**
 * Pause between two captures of one settled capture. A screenshot takes ~0.05–0.3 s on its own; the pause keeps a
 * page that changes a little slower than that from passing for still, without making a still page wait long.
 */
export const SETTLE_GAP_MS = 100;
/** Time kept back from the caller's limit for the last capture of a settled capture. */
const LAST_CAPTURE_MS = 500;

/** Two screenshots show the same page when their bytes are identical (Chromium's JPEGs of a still page are). */
export function sameBytes(before: Screenshot, after: Screenshot): boolean {
  return before.bytes.equals(after.bytes);
}

/**
 * Wraps a matcher's `capture` so that each call, when `settleMs` > 0, captures until two consecutive screenshots show
 * the same page (`isSame`, identical bytes by default) or `settleMs` is up, and returns the last screenshot. Plug the
 * result into `pollCaptures` as its capture: with `timeout`, every poll is one settled capture, and settling stops
 * where the time pollCaptures gives that capture ends (the timeout bounds the whole matcher; `settle` each capture). `reportFor(shot)` tells how the capture of that screenshot went (undefined when
 * `settleMs` is 0): a failure message should say when the page never settled (`describeUnsettled`).
 *
 * @example
 * const settling = settleCaptures(capture, options.settle);
 * const polled = await pollCaptures(settling.capture, evaluate, isDone, options);
 * const report = settling.reportFor(polled.shot);
 * const note = report && !report.settled ? describeUnsettled(report) : undefined;
 */
export function settleCaptures(
  capture: Capture,
  settleMs: number,
  isSame: (before: Screenshot, after: Screenshot) => boolean = sameBytes,
): { capture: Capture; reportFor(shot: Screenshot): SettleReport | undefined } {
  const reports = new WeakMap<Screenshot, SettleReport>();
  if (settleMs <= 0) return { capture, reportFor: () => undefined };
  const settled: Capture = async (timeLimit) => {
    const start = pollClock.now();
    // Each capture gets what is left of the caller's limit (the matcher's timeout), as pollCaptures would give it.
    const within = () => (timeLimit === undefined ? undefined : Math.max(timeLimit - (pollClock.now() - start), 1));
    // Settling never runs past the caller's limit: the last capture must still answer within it.
    const budget = timeLimit === undefined ? settleMs : Math.min(settleMs, timeLimit - LAST_CAPTURE_MS);
    let last = await capture(within());
    let captures = 1;
    for (;;) {
      if (pollClock.now() - start + SETTLE_GAP_MS > budget) {
        reports.set(last, { settled: false, captures, durationMs: pollClock.now() - start, settleMs });
        return last;
      }
      await pollClock.sleep(SETTLE_GAP_MS);
      const next = await capture(within());
      captures++;
      if (isSame(last, next)) {
        reports.set(next, { settled: true, captures, durationMs: pollClock.now() - start, settleMs });
        return next;
      }
      last = next;
    }
  };
  return { capture: settled, reportFor: (shot) => reports.get(shot) };
}

/** "The page never settled: 14 captures over 2.0 s (`settle` 2,000 ms), no two in a row the same; the last one was compared." */
export function describeUnsettled(report: SettleReport, then = 'the last one was compared'): string {
  const captures = `${formatCount(report.captures)} ${report.captures === 1 ? 'capture' : 'captures'}`;
  return `The page never settled: ${captures} over ${(report.durationMs / 1000).toFixed(1)} s (\`settle\` ${formatCount(report.settleMs)} ms), no two in a row the same; ${then}.`;
}
