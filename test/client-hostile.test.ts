import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { AgiClient } from '../src/api/client.js';
import { AgiError, AuthError, ConfigError, HttpStatusError, InvalidResponseError, InvalidScreenshotError, NotFoundError, TimeoutError } from '../src/errors.js';
import { shot } from './helpers/fixtures.js';
import { endless, hang, json, rawJson, screenshot, startHostileServer, text, type HostileServer } from './helpers/hostile-server.js';
import { rejectionOf } from './helpers/messages.js';
import { recordRetryWaits } from './helpers/retry-clock.js';

// What the client does when the server is broken or hostile (issue 10 items 3, 4, 9; issue 9 item 10):
// real undici requests to a real node:http server on port 0 that scripts each answer byte for byte.
const KEY = 'sk-hostile-test-SECRET-7c41e09a';
const page = { url: 'http://shop.test/docs', title: 'Docs — Shop' };
let server: HostileServer;
let agi: AgiClient;


/** Every text an error shows anywhere: message, stack, each cause, util.inspect and JSON. */
function everyTextOf(error: unknown): string {
  const texts = [inspect(error, { depth: Infinity }), JSON.stringify(error) ?? ''];
  for (let e = error as { message?: unknown; stack?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 10; e = e.cause as typeof e, depth++) {
    texts.push(String(e.message), String(e.stack), typeof e === 'object' ? JSON.stringify(e) ?? '' : String(e));
  }
  return texts.join('\n');
}

beforeEach(async () => {
  server = await startHostileServer();
  agi = new AgiClient({ apiKey: KEY, baseUrl: server.baseUrl, timeout: 10_000, retries: 0 });
});
afterEach(() => server.close());

describe('AgiClient error bodies are capped', () => {
  test.each([
    [500, HttpStatusError],
    [401, AuthError],
    [429, HttpStatusError],
  ] as const)('a never-ending %i body rejects quickly with %s, after reading only its start', async (status, type) => {
    server.script(endless(status, 'application/json', '{"detail":"', 'A'));
    const before = process.memoryUsage();
    const started = Date.now();
    const error = await rejectionOf(agi.session('s').screenshot());
    expect(error).toBeInstanceOf(type);
    expect(Date.now() - started).toBeLessThan(5_000); // not the 10 s timeout
    expect(server.bytesWritten).toBeLessThan(32 * 1024 * 1024); // what socket buffers hold, not gigabytes
    expect(process.memoryUsage().arrayBuffers - before.arrayBuffers).toBeLessThan(32 * 1024 * 1024);
    expect(error.message).toMatch(new RegExp(`^GET /v1/sessions/s/screenshot failed with (status )?${status}`));
  });

  test('a retried GET reads only the start of each error body too', async () => {
    server.script(endless(503, 'application/json', '{"detail":"'));
    const clock = recordRetryWaits();
    try {
      const error = await rejectionOf(new AgiClient({ apiKey: KEY, baseUrl: server.baseUrl, retries: 2 }).session('s').screenshot());
      expect(error).toBeInstanceOf(HttpStatusError);
      expect(server.requests).toHaveLength(3);
      expect(clock.waits).toEqual([125, 250]);
    } finally {
      clock.restore();
    }
  });
});

describe('AgiClient never shows the key a server echoes', () => {
  test.each([
    ['a 2xx body that is not JSON', text(200, 'text/plain', `token ${KEY} is not allowed here`), InvalidResponseError],
    ['a 2xx JSON body cut off after the key', rawJson(200, `{"screenshot":"${KEY}`), InvalidResponseError],
    ['a data-URL header made of the key', json(200, { screenshot: `data:${KEY};base64,AAAA`, ...page }), InvalidScreenshotError],
    ['a detail whose key spans the cut', json(500, { detail: `${'x'.repeat(190)}${KEY} and more` }), HttpStatusError],
    ['a nested detail', json(403, { detail: { message: `bad key ${KEY}` } }), AuthError],
    ['a validation detail list', json(500, { detail: [{ msg: KEY }, { loc: [KEY] }] }), HttpStatusError],
    ['an HTML error page', text(502, 'text/html', `<html><title>Key ${KEY}</title></html>`), HttpStatusError],
  ] as const)('%s', async (_case, step, type) => {
    server.script(step);
    const error = await rejectionOf(agi.session('s').screenshot());
    expect(error).toBeInstanceOf(type);
    expect(everyTextOf(error)).not.toContain(KEY);
    expect(everyTextOf(error)).not.toContain(KEY.slice(0, 12)); // no prefix of it either
  });

  test('a status that echoes the key, with control characters, is quoted escaped and redacted when waiting times out', async () => {
    server.script(json(200, { status: `\u001b[2J${KEY}` }));
    const error = await rejectionOf(agi.session('s').waitUntilFinished({ timeout: 300 }));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toBe('Session s (last status "\\u001b[2J[redacted]") did not answer within 300 ms (waitUntilFinished timeout).');
  });

  test('a URL or title that echoes the key is redacted in the screenshot', async () => {
    server.script(screenshot(shot('docs.jpg'), { url: `http://shop.test/?k=${KEY}`, title: `${KEY}` }));
    const captured = await agi.session('s').screenshot();
    expect([captured.url, captured.title]).toEqual(['http://shop.test/?k=[redacted]', '[redacted]']);
  });
});

describe('AgiClient throws only AgiErrors', () => {
  const nested = (depth: number) => `{"detail":${'['.repeat(depth)}${']'.repeat(depth)}}`;
  test.each([
    ['a message object with a bad toString', rawJson(500, '{"detail":{"message":{"toString":1}}}'), 'GET /v1/sessions/s/screenshot failed with status 500: {"toString":1}.'],
    ['deeply nested arrays', rawJson(500, nested(30_000)), 'GET /v1/sessions/s/screenshot failed with status 500.'],
    ['detail as a number', rawJson(500, '{"detail":42}'), 'GET /v1/sessions/s/screenshot failed with status 500: 42.'],
    ['detail as null', rawJson(500, '{"detail":null}'), 'GET /v1/sessions/s/screenshot failed with status 500.'],
    ['a huge detail string', json(500, { detail: 'y'.repeat(3_000_000) }), `GET /v1/sessions/s/screenshot failed with status 500: ${'y'.repeat(199)}….`],
    ['control characters', json(500, { detail: 'red \u001b[31mALERT\u001b[0m\r\nnext line' }), 'GET /v1/sessions/s/screenshot failed with status 500: red \\u001b[31mALERT\\u001b[0m next line.'],
  ] as const)('an error body with %s', async (_case, step, message) => {
    server.script(step);
    const error = await rejectionOf(agi.session('s').screenshot());
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error.message).toBe(message);
  });

  test.each([
    ['GET /sessions with a null item', () => agi.listSessions(), rawJson(200, '[null, 5]')],
    ['GET …/messages with a status that cannot be printed', () => agi.session('s').messages(), rawJson(200, '{"messages":[],"status":{"toString":1}}')],
    ['POST …/navigate with a URL that cannot be printed', () => agi.session('s').navigate('http://x.test/'), rawJson(200, '{"current_url":{"toString":1}}')],
    ['a 2xx body nested too deep', () => agi.session('s').status(), rawJson(200, `{"status":${'['.repeat(200_000)}${']'.repeat(200_000)}}`)],
  ] as const)('%s rejects with an InvalidResponseError', async (_case, call, step) => {
    server.script(step);
    const error = await rejectionOf(call());
    expect(error).toBeInstanceOf(InvalidResponseError);
    expect(error.message).toMatch(/^(GET|POST) \/v1\/sessions/);
  });

  test.each([
    ['a line feed', `${KEY}\n`, 'The API key has a line feed (U+000A) at position 32, which an HTTP header cannot carry. Check AGI_API_KEY for a stray newline, space or quote.'],
    ['CR LF inside', `sk-a\r\nx-injected: 1`, 'The API key has a carriage return (U+000D) at position 5, which an HTTP header cannot carry. Check AGI_API_KEY for a stray newline, space or quote.'],
    ['a space', `Bearer ${KEY}`, 'The API key has a space (U+0020) at position 7, which an HTTP header cannot carry. Check AGI_API_KEY for a stray newline, space or quote.'],
    ['a curly quote', `“${KEY}”`, 'The API key has a character U+201C at position 1, which an HTTP header cannot carry. Check AGI_API_KEY for a stray newline, space or quote.'],
  ])('a key with %s is a ConfigError before any request', async (_case, key, message) => {
    const error = await rejectionOf(new AgiClient({ apiKey: key, baseUrl: server.baseUrl }).session('s').screenshot());
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(message);
    expect(server.requests).toEqual([]);
  });
});

describe('AgiClient first contact', () => {
  test('a 404 from a base URL without /v1 says which URL was meant', async () => {
    server.script(json(404, { detail: 'Not Found' }));
    const error = await rejectionOf(new AgiClient({ apiKey: KEY, baseUrl: server.origin }).session('s').screenshot());
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.message).toBe(`GET /sessions/s/screenshot failed with 404 Not Found: no session "s" (deleted, expired, or created with another API key). \`baseUrl\` is ${server.origin} — did you mean ${server.origin}/v1?`);
  });

  test('AGI_BASE_URL without /v1 is named when an HTML page answers at it', async () => {
    const saved = process.env.AGI_BASE_URL;
    try {
      process.env.AGI_BASE_URL = `${server.origin}/`;
      const home = `<!doctype html><html><head><title>Welcome to AGI</title></head><body>${'<p>hi</p>'.repeat(1000)}</body></html>`;
      server.script(text(200, 'text/html; charset=utf-8', home));
      const error = await rejectionOf(new AgiClient({ apiKey: KEY }).session('s').screenshot());
      expect(error).toBeInstanceOf(InvalidResponseError);
      expect(error.message).toBe(`GET /sessions/s/screenshot answered 200 with an HTML page (text/html, ${Buffer.byteLength(home).toLocaleString('en-US')} bytes, titled "Welcome to AGI"), not JSON. AGI_BASE_URL is ${server.origin} — did you mean ${server.origin}/v1?`);
    } finally {
      if (saved === undefined) delete process.env.AGI_BASE_URL;
      else process.env.AGI_BASE_URL = saved;
    }
  });

  test('an HTML error page is described, not dumped', async () => {
    const body = `<!DOCTYPE html><html><head><title>\n  502 Bad\u001b[2J Gateway </title><style>${'x'.repeat(12_000)}</style></head><body><h1>Bad Gateway</h1></body></html>`;
    server.script(text(502, 'text/html', body));
    const error = await rejectionOf(agi.session('s').screenshot());
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error.message).toBe(`GET /v1/sessions/s/screenshot failed with status 502: an HTML page (text/html, ${Buffer.byteLength(body).toLocaleString('en-US')} bytes, titled "502 Bad\\u001b[2J Gateway").`);
  });

  test('a timeout message ends with the limit, and keeps the abort reason only as its cause', async () => {
    server.script(hang);
    const error = await rejectionOf(new AgiClient({ apiKey: KEY, baseUrl: server.baseUrl, timeout: 300 }).session('s').screenshot());
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toBe('GET /v1/sessions/s/screenshot did not answer within 300 ms (timeout option).');
    expect(error.stack!.split('\n')[0]).toBe(`TimeoutError: ${error.message}`);
    expect(error.cause).toBeInstanceOf(Error);
    expect(error.cause).not.toBeInstanceOf(DOMException); // reporters dump its stack and 25 code constants
    expect(String(error.cause)).toBe('Error: the request was aborted after 300 ms (TimeoutError: The operation was aborted due to timeout)');
    expect(inspect(error)).not.toMatch(/DOMException|INDEX_SIZE_ERR|abort_controller/);
  });

  test('every failure above is an AgiError with a stable AGI_ code', async () => {
    server.script(rawJson(500, '{"detail":{"message":{"toString":1}}}'));
    const error = await rejectionOf(agi.session('s').screenshot());
    expect(error).toBeInstanceOf(AgiError);
    expect((error as AgiError).code).toBe('AGI_HTTP_STATUS');
  });
});
