import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { recordedAssertions } from '../src/results/records.js';
import { AgiClient } from '../src/api/client.js';
import { AuthError, HttpStatusError, NotFoundError, TimeoutError } from '../src/errors.js';
import { configure, resetConfiguration } from '../src/options/options.js';
import { shot } from './helpers/fixtures.js';
import { hang, json, rawJson, reset, screenshot, startHostileServer, type HostileServer } from './helpers/hostile-server.js';
import { failureOf, rejectionOf } from './helpers/messages.js';
import { fakePollClock, type FakePollClock } from './helpers/poll-clock.js';

// Polling matchers against a server that fails while the agent moves (issue 10 item 10): a transient capture
// failure is "not yet", and the matcher's own timeout bounds every request it makes.
const KEY = 'sk-polling-test-5e1d';
const docs = { url: 'http://shop.test/docs', title: 'Docs — Shop' };
const other = { url: 'http://shop.test/loading', title: 'Loading…' };
const error500 = json(500, { detail: 'Internal server error' });
let server: HostileServer;
let agi: AgiClient;
let dir: string;
let clock: FakePollClock;

// Waits between captures take no time (the poll clock is fake); requests still take theirs. The two tests that
// bound a real hang in real time are in test/e2e/real-time-bounds.test.ts.
beforeEach(async () => {
  clock = fakePollClock();
  server = await startHostileServer();
  agi = new AgiClient({ apiKey: KEY, baseUrl: server.baseUrl, retries: 0 });
  dir = await mkdtemp(path.join(tmpdir(), 'agi-poll-'));
  configure({ snapshotDir: path.join(dir, 'snapshots'), outputDir: path.join(dir, 'out'), interval: 20 });
});
afterEach(async () => {
  clock.restore();
  resetConfiguration();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('polling matchers and transient capture failures', () => {
  test('toBeOnPage passes after two 500s, once the right page arrives', async () => {
    server.script(error500, error500, screenshot(shot('docs.jpg'), docs));
    await expect(agi.session('s')).toBeOnPage('docs', { timeout: 5000 });
    expect(server.requests).toHaveLength(3);
  });

  test('toMatchScreenshot passes after a reset, a cut-off screenshot and a 503', async () => {
    const baseline = path.join(dir, 'snapshots', 'test/client-polling.test.ts', 'docs.jpg');
    await mkdir(path.dirname(baseline), { recursive: true });
    await writeFile(baseline, shot('docs.jpg'));
    const truncated = shot('docs.jpg').subarray(0, 20_000);
    server.script(reset, screenshot(truncated, docs), json(503, { detail: 'busy' }), screenshot(shot('docs.jpg'), docs));
    await expect(agi.session('s')).toMatchScreenshot('docs', { timeout: 5000 });
    expect(server.requests).toHaveLength(4);
  });

  test('when every capture failed, the last error is thrown, not an assertion failure', async () => {
    server.script(error500, rawJson(500, '{"detail":"still broken"}'));
    const error = await rejectionOf(expect(agi.session('s')).toHaveTitle(docs.title, { timeout: 300, interval: 50 }));
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(error.message).toBe('GET /v1/sessions/s/screenshot failed with status 500: still broken.');
    expect(server.requests.length).toBeGreaterThan(2);
  });

  test('a failure after some failed captures says how many failed and shows them in the trajectory', async ({ task }) => {
    server.script(error500, error500, screenshot(shot('form.jpg'), other));
    const message = await failureOf(expect(agi.session('s')).toHaveURL(docs.url, { timeout: 600, interval: 50 }));
    const captures = Number(/Captured (\d+) times/.exec(message)?.[1]);
    expect(captures).toBeGreaterThan(3);
    expect(message).toContain(`2 of ${captures} captures failed; the last: GET /v1/sessions/s/screenshot failed with status 500: Internal server error.\n`);
    const recorded = recordedAssertions(task)[0];
    expect(recorded?.trajectory?.slice(0, 3)).toEqual([
      { atMs: expect.any(Number), error: 'GET /v1/sessions/s/screenshot failed with status 500: Internal server error.' },
      { atMs: expect.any(Number), error: 'GET /v1/sessions/s/screenshot failed with status 500: Internal server error.' },
      { atMs: expect.any(Number), url: other.url, title: other.title },
    ]);
    expect(message).toMatch(/\n {4}\+0\.0–0\.\d s {2}failed: GET \/v1\/sessions\/s\/screenshot failed with status 500: Internal server error\. {2}\(2 captures\)\n {4}\+0\.\d–0\.\d s {2}http:\/\/shop\.test\/loading {2}"Loading…" {2}\(\d+ captures\)$/);
  });

  test.each([
    ['401', json(401, { detail: 'bad key' }), AuthError],
    ['404', json(404, { detail: 'Session not found' }), NotFoundError],
  ] as const)('a %s is thrown at once, without waiting for the timeout', async (_status, step, type) => {
    server.script(step, screenshot(shot('docs.jpg'), docs));
    const error = await rejectionOf(expect(agi.session('s')).toBeOnPage('docs', { timeout: 5000 }));
    expect(error).toBeInstanceOf(type);
    expect(server.requests).toHaveLength(1);
  });

  test('without a timeout, one 500 is thrown as before', async () => {
    server.script(error500, screenshot(shot('docs.jpg'), docs));
    const error = await rejectionOf(expect(agi.session('s')).toBeOnPage('docs'));
    expect(error).toBeInstanceOf(HttpStatusError);
    expect(server.requests).toHaveLength(1);
  });
});
