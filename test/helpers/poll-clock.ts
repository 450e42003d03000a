import { setImmediate as yieldToIo } from 'node:timers/promises';
import { pollClock } from '../../src/api/clock.js';

export interface FakePollClock {
  /** Every wait a polling loop asked for, in ms, in order. */
  waits: number[];
  /** Puts the real clock back. */
  restore(): void;
}

/**
 * Swaps the polling clock for one that sleeps no time: each wait is recorded and moves the clock forward by that
 * much, so a `timeout` still runs out, after the same number of captures, at once. Requests in flight still take
 * their real time (which this clock does not count), so a server's answers arrive in order as before.
 */
export function fakePollClock(): FakePollClock {
  const real = { ...pollClock };
  let now = Date.now();
  const fake: FakePollClock = { waits: [], restore: () => Object.assign(pollClock, real) };
  Object.assign(pollClock, {
    now: () => now,
    sleep: async (ms: number) => {
      fake.waits.push(ms);
      now += ms;
      await yieldToIo(); // let sockets and timers run, as a real wait would
    },
  });
  return fake;
}
