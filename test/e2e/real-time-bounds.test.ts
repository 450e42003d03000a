import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { AgiClient } from '../../src/api/client.js';
import { TimeoutError } from '../../src/errors.js';
import { hang, startHostileServer, type HostileServer } from '../helpers/hostile-server.js';
import { rejectionOf } from '../helpers/messages.js';

// A matcher's `timeout` bounds a capture that hangs: these tests wait for real, so they are in the slow lane
// (the other polling tests, in test/client-polling.test.ts, run on a clock that sleeps no time).
const docs = { url: 'http://shop.test/docs', title: 'Docs — Shop' };
let server: HostileServer;
let agi: AgiClient;

beforeEach(async () => {
  server = await startHostileServer();
  agi = new AgiClient({ apiKey: 'sk-real-time-test-77a0', baseUrl: server.baseUrl, retries: 0 });
});
afterEach(async () => {
  await server.close();
});

describe('polling matchers bound a hanging capture in real time', () => {
  test('a hung server with timeout 2000 settles in about 2 s, throwing the TimeoutError of its last capture', async () => {
    server.script(hang);
    const started = Date.now();
    const error = await rejectionOf(expect(agi.session('s')).toHaveURL(docs.url, { timeout: 2000 }));
    expect(Date.now() - started).toBeLessThan(10_000); // the client's own timeout is 30 s
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toMatch(/^GET \/v1\/sessions\/s\/screenshot did not answer within \d+ ms \(what was left of the caller's `timeout`\)\.$/);
  });

  test('a subject of its own whose screenshot() never settles is bounded by the timeout too', async () => {
    const started = Date.now();
    const error = await rejectionOf(expect({ screenshot: () => new Promise<never>(() => {}) }).toBeOnPage('docs', { timeout: 500 }));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toMatch(/^screenshot\(\) did not answer within \d+ ms \(the matcher's `timeout`\)\.$/);
  });
});
