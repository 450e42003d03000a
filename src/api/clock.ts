import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The time every polling loop reads (a matcher's captures, waiting for a session's task): one object, so a test can
 * swap it for a clock that sleeps no time and still sees the waits pass (test/helpers/poll-clock.ts).
 */
export const pollClock = {
  now: (): number => Date.now(),
  /** Resolves after `ms`; rejects with an AbortError when `signal` aborts first. */
  sleep: (ms: number, signal?: AbortSignal): Promise<void> => sleep(ms, undefined, signal ? { signal } : undefined),
};
