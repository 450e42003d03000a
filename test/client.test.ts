import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { AgiClient } from '../src/api/client.js';
import { AuthError, ConfigError, ConnectionError, HttpStatusError, InvalidResponseError, InvalidScreenshotError, NotFoundError, TimeoutError } from '../src/errors.js';
import { startApiServer, type ApiServer } from './helpers/api-server.js';
import { shot } from './helpers/fixtures.js';
import { fakePollClock, type FakePollClock } from './helpers/poll-clock.js';
import { recordRetryWaits, type RecordedWaits } from './helpers/retry-clock.js';

// Real undici requests to a real node:http server on port 0 that scripts each failure.
const KEY = 'sk-client-test-SECRET-91b2';
const page = { url: 'http://shop.test/docs', title: 'Docs — Shop' };
let server: ApiServer;
let agi: AgiClient;
let clock: RecordedWaits; // retries record their waits instead of sleeping them
let polls: FakePollClock; // and status polls take no time
const errors: unknown[] = [];

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    errors.push(error);
    return error as Error;
  }
  throw new Error('expected a rejection');
}

beforeEach(async () => {
  server = await startApiServer({ apiKey: KEY });
  agi = new AgiClient({ apiKey: KEY, baseUrl: server.baseUrl, timeout: 2000 });
  clock = recordRetryWaits();
  polls = fakePollClock();
});
afterEach(async () => {
  clock.restore();
  polls.restore();
  await server.close();
});

describe('AgiClient screenshots', () => {
  test('fetches a screenshot with the Bearer key, keeping the JPEG bytes as sent', async () => {
    server.script('s 1/ä', [{ image: shot('docs.jpg'), ...page }]);
    const screenshot = await agi.session('s 1/ä').screenshot();
    expect(screenshot.bytes.equals(shot('docs.jpg'))).toBe(true);
    expect([screenshot.url, screenshot.title, screenshot.width, screenshot.height]).toEqual([page.url, page.title, 1280, 720]);
    expect(server.requests).toEqual([{ method: 'GET', path: '/v1/sessions/s%201%2F%C3%A4/screenshot', authorization: `Bearer ${KEY}` }]);
  });

  test('reads AGI_API_KEY and AGI_BASE_URL, and names AGI_API_KEY when there is no key, before any request', async () => {
    const saved = { key: process.env.AGI_API_KEY, url: process.env.AGI_BASE_URL };
    try {
      process.env.AGI_BASE_URL = server.baseUrl;
      delete process.env.AGI_API_KEY;
      const error = await failure(new AgiClient().session('s').screenshot());
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toBe('No API key: set the AGI_API_KEY environment variable, or pass `apiKey` to new AgiClient().');
      expect(server.requests).toEqual([]);
      process.env.AGI_API_KEY = KEY;
      server.script('s', [{ image: shot('thanks.jpg'), ...page }]);
      expect((await new AgiClient().session('s').screenshot()).url).toBe(page.url);
    } finally {
      process.env.AGI_API_KEY = saved.key;
      process.env.AGI_BASE_URL = saved.url;
      if (saved.key === undefined) delete process.env.AGI_API_KEY;
      if (saved.url === undefined) delete process.env.AGI_BASE_URL;
    }
  });

  test.each([
    ['unauthorized', AuthError, 'GET /v1/sessions/s/screenshot failed with 401 Unauthorized (Invalid or missing API key). Check AGI_API_KEY.'],
    ['forbidden', AuthError, 'GET /v1/sessions/s/screenshot failed with 403 Forbidden (Forbidden). Check AGI_API_KEY.'],
    ['not-found', NotFoundError, 'GET /v1/sessions/s/screenshot failed with 404 Not Found: no session "s" (deleted, expired, or created with another API key).'],
    ['server-error', HttpStatusError, 'GET /v1/sessions/s/screenshot failed with status 500: Internal server error.'],
    ['not-json', InvalidResponseError, 'GET /v1/sessions/s/screenshot answered 200 with an HTML page (text/html, 65 bytes, titled "502 Bad Gateway"), not JSON.'],
    ['missing-field', InvalidScreenshotError, 'screenshot response has no "screenshot" field.'],
    ['bad-base64', InvalidScreenshotError, 'screenshot is not valid base64 (character "@" at position 0).'],
    ['not-an-image', InvalidScreenshotError, 'screenshot bytes are not a JPEG or PNG (they start with "<!doctyp").'],
    ['truncated-jpeg', InvalidScreenshotError, 'screenshot is a truncated JPEG (no end-of-image marker): 44653 bytes arrived.'],
    ['bomb', InvalidScreenshotError, 'screenshot header says 60000×60000, larger than the 16 MP (32767 px a side) that can be decoded safely.'],
  ] as const)('%s → %s with a message that says what was wrong', async (fault, type, message) => {
    server.script('s', [fault]);
    const error = await failure(agi.session('s').screenshot());
    expect(error).toBeInstanceOf(type);
    expect(error.message).toBe(message);
    expect(server.requests.length).toBe(1); // none of these is retried
  });

  test('retries 429 after its Retry-After, and 503 and a reset connection with backoff', async () => {
    server.script('s', ['rate-limited', 'unavailable', 'reset', { image: shot('docs.jpg'), ...page }]);
    expect((await agi.session('s').screenshot()).title).toBe(page.title);
    expect(clock.waits).toEqual([1000, 250, 500]); // Retry-After: 1, then half of the 500 and 1000 ms backoff caps
    expect(server.requests.length).toBe(4);
  });

  test('gives up after `retries` extra attempts and reports the last failure', async () => {
    server.script('s', ['unavailable']);
    const error = await failure(new AgiClient({ apiKey: KEY, baseUrl: server.baseUrl, retries: 2 }).session('s').screenshot());
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(server.requests.length).toBe(3);
    expect(clock.waits).toEqual([125, 250]);
    server.script('r', ['reset']);
    const reset = await failure(new AgiClient({ apiKey: KEY, baseUrl: server.baseUrl, retries: 0 }).session('r').screenshot());
    expect(reset).toBeInstanceOf(ConnectionError);
    expect(reset.message).toMatch(
      /^GET \/v1\/sessions\/r\/screenshot could not reach the API at http:\/\/127\.0\.0\.1:\d+: (ECONNRESET|UND_ERR_SOCKET)\. Check AGI_BASE_URL and that the server is up\.$/,
    );
  });

  test('times out a hung response, naming the path and the limit', async () => {
    server.script('s', ['hang']);
    const error = await failure(new AgiClient({ apiKey: KEY, baseUrl: server.baseUrl, timeout: 300 }).session('s').screenshot());
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toBe('GET /v1/sessions/s/screenshot did not answer within 300 ms (timeout option).');
  });

  test('refuses a body over 50 MB without buffering it', async () => {
    server.script('s', ['oversized']);
    const before = process.memoryUsage().arrayBuffers;
    const error = await failure(agi.session('s').screenshot());
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.message).toBe('GET /v1/sessions/s/screenshot answered a body of more than 50 MB; refused.');
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(120 * 1024 * 1024);
  });

  test('never retries a POST, while a GET to the same failing server is retried', async () => {
    let hits = 0;
    const failing = createServer((_req, res) => {
      hits++;
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"detail":"busy"}');
    });
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(failing.address() as AddressInfo).port}/v1`;
    try {
      const client = new AgiClient({ apiKey: KEY, baseUrl, retries: 2 });
      const error = await failure(client.session('s').sendMessage('hello'));
      expect(error.message).toBe('POST /v1/sessions/s/message failed with status 503: busy.');
      expect(hits).toBe(1);
      expect(clock.waits).toEqual([]);
      await failure(client.session('s').status());
      expect(hits).toBe(1 + 3);
      expect(clock.waits).toEqual([125, 250]);
    } finally {
      failing.close();
    }
  });
});

describe('Session lifecycle', () => {
  test('creates, sends a message, waits for the last DONE message, and deletes', async () => {
    const session = await agi.createSession();
    server.scriptStatus(session.id, ['running', 'running', 'finished']);
    server.scriptMessages(session.id, [
      { type: 'THOUGHT', content: 'Opening the shop' },
      { type: 'DONE', content: 'first task' },
      { type: 'DONE', content: 'Order placed' },
    ]);
    await session.sendMessage('buy the mug', { startUrl: 'http://shop.test/' });
    const result = await session.waitUntilFinished({ timeout: 10_000 });
    expect(result.status).toBe('finished');
    expect(result.message).toMatchObject({ type: 'DONE', content: 'Order placed' });
    expect(await session.delete()).toBe(true);
    expect(await session.delete()).toBe(false);
    const paths = server.requests.map((r) => `${r.method} ${r.path.replace(session.id, 'ID')}`);
    expect(paths.slice(0, 2)).toEqual(['POST /v1/sessions', 'POST /v1/sessions/ID/message']);
    expect(paths.filter((p) => p === 'GET /v1/sessions/ID/status')).toHaveLength(3);
  });

  test('waitUntilFinished times out with the last status', async () => {
    const session = await agi.createSession();
    server.scriptStatus(session.id, ['running']);
    const error = await failure(session.waitUntilFinished({ timeout: 600 }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toBe(`Session ${session.id} (last status "running") did not answer within 600 ms (waitUntilFinished timeout).`);
    expect(polls.waits).toEqual([250, 350]); // 250 ms, then ×1.5 up to what is left of the 600 ms
  });

  test('a 422 names what the API said', async () => {
    const session = await agi.createSession();
    const error = await failure(session.sendMessage(''));
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error.message).toBe(`POST /v1/sessions/${session.id}/message failed with status 422: Field required.`);
  });
});

test('no error, stack or inspection of the client shows the API key', () => {
  expect(errors.length).toBeGreaterThan(10);
  const texts = errors.map((e) => inspect(e, { depth: 5 }) + JSON.stringify(e) + String((e as Error).stack));
  texts.push(inspect(agi, { depth: 5 }), JSON.stringify(agi));
  expect(texts.filter((t) => t.includes(KEY))).toEqual([]);
});
