import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { AgiClient } from '../src/api/client.js';
import { HttpStatusError } from '../src/errors.js';
import { json, reset, startHostileServer, type HostileServer } from './helpers/hostile-server.js';
import { recordRetryWaits, type RecordedWaits } from './helpers/retry-clock.js';

// The retry loop's timing, asserted exactly: real undici requests to a real node:http server on port 0, with the
// client's retry clock swapped for one that records each wait instead of sleeping it.
const KEY = 'sk-retry-test-3f9a';
const ok = json(200, { status: 'running' });
const unavailable = json(503, { detail: 'busy' });
const retryAfter = (value: string) => json(429, { detail: 'slow down' }, { 'retry-after': value });
let server: HostileServer;
let clock: RecordedWaits;

function status(options: { retries?: number; timeLimit?: number } = {}): Promise<unknown> {
  const client = new AgiClient({ apiKey: KEY, baseUrl: server.baseUrl, retries: options.retries ?? 3 });
  return client.request('GET', '/sessions/s/status', { timeLimit: options.timeLimit }).catch((error: unknown) => error);
}

beforeEach(async () => {
  server = await startHostileServer();
  clock = recordRetryWaits();
});
afterEach(async () => {
  clock.restore();
  await server.close();
});

describe('AgiClient retry backoff', () => {
  test('backoff starts at 250 ms and doubles per attempt up to 4 s, each wait a drawn fraction of that cap', async () => {
    server.script(unavailable);
    const error = await status({ retries: 7 });
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(clock.waits).toEqual([125, 250, 500, 1000, 2000, 2000, 2000]); // half of 250, 500, 1000, 2000, 4000, 4000, 4000
    expect(server.requests).toHaveLength(8);
  });

  test('full jitter: a draw of 0 waits 0, a draw near 1 waits just under the cap', async () => {
    server.script(unavailable, unavailable, unavailable, ok);
    const draws = [0, 0.75, 0.999];
    clock.random = () => draws.shift()!;
    expect(await status()).toEqual({ status: 'running' });
    expect(clock.waits).toEqual([0, 375, 999]);
  });

  test('a reset connection backs off like a 503', async () => {
    server.script(reset, reset, ok);
    clock.random = () => 1;
    expect(await status()).toEqual({ status: 'running' });
    expect(clock.waits).toEqual([250, 500]);
  });
});

describe('AgiClient Retry-After', () => {
  test.each([
    ['1', 1_000],
    ['0', 0],
    ['2.5', 2_500],
    ['120', 10_000], // capped
  ])('Retry-After: %s waits %i ms', async (value, ms) => {
    server.script(retryAfter(value), ok);
    expect(await status()).toEqual({ status: 'running' });
    expect(clock.waits).toEqual([ms]);
  });

  test('an HTTP-date Retry-After waits until that date, capped at 10 s, and a past date waits 0', async () => {
    const at = (ms: number) => retryAfter(new Date(clock.startedAt + ms).toUTCString());
    // Each wait moves the clock on: the second date is 3 s + 60 s from the start, the third is in the past.
    server.script(at(3_000), at(63_000), at(-60_000), ok);
    expect(await status()).toEqual({ status: 'running' });
    expect(clock.waits).toEqual([3_000, 10_000, 0]);
  });

  test('a Retry-After that is neither seconds nor a date falls back to the backoff', async () => {
    server.script(retryAfter('soon'), ok);
    clock.random = () => 1;
    expect(await status()).toEqual({ status: 'running' });
    expect(clock.waits).toEqual([250]);
  });
});

describe('AgiClient retries within a time limit', () => {
  test('a retry starts only if its wait ends before the time limit, else the last failure is thrown', async () => {
    server.script(retryAfter('1'));
    const error = await status({ retries: 5, timeLimit: 2_500 });
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as Error).message).toBe('GET /v1/sessions/s/status failed with status 429: slow down.');
    expect(clock.waits).toEqual([1_000, 1_000]); // a third would end at 3 s, past the 2.5 s limit
    expect(server.requests).toHaveLength(3);
  });

  test('a POST is never retried, so it never waits', async () => {
    server.script(unavailable, ok);
    const client = new AgiClient({ apiKey: KEY, baseUrl: server.baseUrl, retries: 3 });
    const error = await client.request('POST', '/sessions', { body: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(clock.waits).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });
});
