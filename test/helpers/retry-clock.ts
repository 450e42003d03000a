import { retryClock } from '../../src/api/client.js';

export interface RecordedWaits {
  /** Every backoff or Retry-After wait the client would have slept, in ms, in order. */
  waits: number[];
  /** The clock's time when it was installed: a whole second, so an HTTP-date Retry-After is exact. */
  startedAt: number;
  /** Draws the jitter, a fraction in [0, 1); 0.5 unless a test sets it, so a backoff is half its cap. */
  random: () => number;
  /** Puts the real clock back. */
  restore(): void;
}

/**
 * Swaps the client's retry clock for one that sleeps no time: each wait is recorded and moves the clock's own
 * time forward by that much, so a time limit still sees the waits pass.
 */
export function recordRetryWaits(): RecordedWaits {
  const real = { ...retryClock };
  const startedAt = Math.floor(Date.now() / 1000) * 1000;
  let now = startedAt;
  const recorded: RecordedWaits = { waits: [], startedAt, random: () => 0.5, restore: () => Object.assign(retryClock, real) };
  Object.assign(retryClock, {
    now: () => now,
    sleep: async (ms: number) => {
      recorded.waits.push(ms);
      now += ms;
    },
    random: () => recorded.random(),
  });
  return recorded;
}
