import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { AgiClient } from '../src/api/client.js';
import { AuthError, UsageError } from '../src/errors.js';
import { shot } from './helpers/fixtures.js';
import { json, screenshot, startHostileServer, type HostileServer } from './helpers/hostile-server.js';
import { rejectionOf } from './helpers/messages.js';
import { fakePollClock, type FakePollClock } from './helpers/poll-clock.js';

// session.run() against a server that answers each request with the next scripted answer, so every request the run
// makes is pinned. Its waits go through the recording clock: no real sleeping.
const docs = { url: 'http://shop.test/docs', title: 'Docs' };
const thanks = { url: 'http://shop.test/thanks', title: 'Thank you' };
const message = (id: number, type: string, content: string) => ({ id, type, content, timestamp: '2026-12-01T10:00:00.000Z', metadata: {} });
const poll = (status: string, ...messages: ReturnType<typeof message>[]) => json(200, { messages, status, has_agent: true });
const sent = json(200, { success: true, message: 'Message sent successfully' });

let server: HostileServer;
let agi: AgiClient;
let clock: FakePollClock;
beforeEach(async () => {
  server = await startHostileServer();
  agi = new AgiClient({ apiKey: 'sk-run-test', baseUrl: server.baseUrl, retries: 0 });
  clock = fakePollClock();
});
afterEach(async () => {
  clock.restore();
  await server.close();
});

describe('session.run() and failing captures', () => {
  test('a screenshot that fails with a 500 is tried again on the next poll, and the run goes on', async () => {
    server.script(
      poll('ready'),
      sent,
      poll('running', message(1, 'USER', 'buy'), message(2, 'THOUGHT', 'Going to /docs')),
      json(500, { detail: 'Unable to capture screenshot' }),
      poll('running'),
      screenshot(shot('docs.jpg'), docs),
      poll('finished', message(3, 'THOUGHT', 'Paying'), message(4, 'DONE', 'Paid')),
      screenshot(shot('thanks.jpg'), thanks),
    );
    const run = await agi.session('s1').run('buy');

    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /v1/sessions/s1/messages?after_id=0&sanitize=true',
      'POST /v1/sessions/s1/message',
      'GET /v1/sessions/s1/messages?after_id=0&sanitize=true',
      'GET /v1/sessions/s1/screenshot',
      'GET /v1/sessions/s1/messages?after_id=2&sanitize=true',
      'GET /v1/sessions/s1/screenshot',
      'GET /v1/sessions/s1/messages?after_id=2&sanitize=true',
      'GET /v1/sessions/s1/screenshot',
    ]);
    expect(run.captures.map(({ title, step, count }) => ({ title, step, count }))).toEqual([
      { title: 'Docs', step: 2, count: 1 },
      { title: 'Thank you', step: 3, count: 1 },
    ]);
    expect(run.status).toBe('finished');
    expect(run.message?.content).toBe('Paid');
    expect(run.note).toBeUndefined();
    // Quick polls while the agent posts, slower when it does not: 250 ms after new messages, then ×1.5.
    expect(clock.waits).toEqual([250, 375]);
  });

  test('a stale "finished" from the previous task does not end the run before the agent answers', async () => {
    server.script(
      poll('finished', message(1, 'USER', 'first'), message(2, 'DONE', 'first done')),
      sent,
      poll('finished'),
      poll('running', message(3, 'USER', 'second')),
      poll('finished', message(4, 'DONE', 'second done')),
      screenshot(shot('thanks.jpg'), thanks),
    );
    const run = await agi.session('s1').run('second');

    expect(run.messages.map((m) => m.content)).toEqual(['second', 'second done']);
    expect(run.message?.content).toBe('second done');
    expect(server.requests.filter((r) => r.path.includes('/messages')).map((r) => r.path.replace(/.*\?/, '?'))).toEqual([
      '?after_id=0&sanitize=true',
      '?after_id=2&sanitize=true',
      '?after_id=2&sanitize=true',
      '?after_id=3&sanitize=true',
    ]);
  });

  test('a final page that cannot be captured leaves a note, not a failed run', async () => {
    const unavailable = json(503, { detail: 'busy' });
    server.script(poll('ready'), sent, poll('finished', message(1, 'USER', 'go'), message(2, 'DONE', 'ok')), unavailable);
    const run = await agi.session('s1').run('go');

    expect(run.status).toBe('finished');
    expect(run.captures).toEqual([]);
    expect(server.requests.filter((r) => r.path.endsWith('/screenshot'))).toHaveLength(4);
    expect(run.note).toMatchInlineSnapshot(`"The final page could not be captured (4 attempts failed); the last capture is from 0 ms."`);
  });

  test('a capture refused with 401 fails the run with the AuthError', async () => {
    server.script(poll('ready'), sent, poll('running', message(1, 'USER', 'go'), message(2, 'THOUGHT', 'Going')), json(401, { detail: 'bad key' }));
    const error = await rejectionOf(agi.session('s1').run('go'));

    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toBe('GET /v1/sessions/s1/screenshot failed with 401 Unauthorized (bad key). Check AGI_API_KEY.');
  });
});

describe('session.run() options', () => {
  test.each([
    [{ timeout: 0 }, 'session.run(): `timeout` must be a positive number of ms, but received number 0.'],
    [{ capture: { everyMs: 10 } }, 'session.run(): `capture.everyMs` must be a number of ms ≥ 50, but received number 10.'],
    [{ capture: { max: 0 } }, 'session.run(): `capture.max` must be a whole number ≥ 1, but received number 0.'],
    [{ startUrl: '/shop' }, 'session.run(): `startUrl` must be an absolute http(s) URL, but received the string "/shop".'],
    [{ capture: { every: 100 } }, 'session.run() `capture`: unknown option `every`. Known options: `everyMs`, `max`.'],
    [{ start_url: 'http://x' }, 'session.run(): unknown option `start_url`. Known options: `startUrl`, `timeout`, `capture`.'],
  ])('%j is refused before any request', async (options, expected) => {
    const error = await rejectionOf(agi.session('s1').run('go', options as never));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe(expected);
    expect(server.requests).toEqual([]);
  });
});
