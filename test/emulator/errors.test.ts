import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AgiClient, AuthError, HttpStatusError, NotFoundError } from '../../src/index.js';
import { startEmulator } from '../../src/emulator/index.js';
import { startFixture } from './fixture.js';
import type { Fixture } from './fixture.js';

// Error answers: auth, unknown sessions, validation (422 with a readable body), the session cap (429).

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(async () => {
  await fx?.close();
});

const UNKNOWN = '00000000-0000-4000-8000-000000000000';

describe('auth', () => {
  test('a request without a Bearer token is a 401 that says which header to send', async () => {
    const attempts: Array<Record<string, string>> = [{}, { authorization: 'Bearer ' }, { authorization: 'Basic dXNlcjpwYXNz' }];
    for (const headers of attempts) {
      const answer = await fx.call('GET', '/sessions', { token: null, headers });
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toBe('Bearer');
    }
    const answer = await fx.call('POST', '/sessions', { token: null });
    expect(answer.json.detail).toMatchInlineSnapshot(
      `"Missing API key: send the header \`Authorization: Bearer <token>\` (any non-empty token works with the emulator unless it was started with one)."`,
    );
  });

  test('an emulator started with a token refuses any other, without echoing it', async () => {
    const emulator = await startEmulator({ token: 'the-right-token' });
    try {
      const wrong = new AgiClient({ apiKey: 'sk-wrong-token', baseUrl: emulator.baseUrl, retries: 0 });
      const error = await wrong.listSessions().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AuthError);
      expect((error as AuthError).status).toBe(401);
      expect((error as Error).message).not.toContain('sk-wrong-token');
      expect((error as Error).message).toMatchInlineSnapshot(
        `"GET /v1/sessions failed with 401 Unauthorized (Invalid API key: this emulator was started with a token, and the Bearer token sent is not it.). Check AGI_API_KEY."`,
      );
      const right = new AgiClient({ apiKey: 'the-right-token', baseUrl: emulator.baseUrl, retries: 0 });
      expect(await right.listSessions()).toEqual([]);
    } finally {
      await emulator.close();
    }
  });
});

describe('unknown sessions', () => {
  test('every session endpoint answers 404 for an unknown id, and delete answers deleted:false', async () => {
    const ghost = fx.agi.session(UNKNOWN);
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['status', () => ghost.status()],
      ['messages', () => ghost.messages()],
      ['screenshot', () => ghost.screenshot()],
      ['message', () => ghost.sendMessage('done "x"')],
      ['navigate', () => ghost.navigate(`${fx.site}/`)],
      ['pause', () => ghost.pause()],
      ['resume', () => ghost.resume()],
      ['cancel', () => ghost.cancel()],
    ];
    for (const [name, call] of calls) {
      await expect(call(), name).rejects.toBeInstanceOf(NotFoundError);
    }
    expect((await fx.call('GET', `/sessions/${UNKNOWN}`)).json.detail).toBe(`Session ${UNKNOWN} not found.`);
    expect((await fx.call('GET', `/sessions/${UNKNOWN}/events`)).status).toBe(404);
    expect(await ghost.delete()).toBe(false);
  });

  test("another token's session is a 404, as the real API hides sessions it does not own", async () => {
    const mine = await fx.agi.createSession();
    try {
      const other = new AgiClient({ apiKey: 'someone-else', baseUrl: fx.emulator.baseUrl, retries: 0 });
      await expect(other.session(mine.id).status()).rejects.toBeInstanceOf(NotFoundError);
      expect(await other.listSessions()).toEqual([]);
      expect(await other.session(mine.id).delete()).toBe(false);
      expect(await mine.status()).toBe('ready');
    } finally {
      await mine.delete();
    }
  });

  test('a deleted session is a 404 afterwards', async () => {
    const session = await fx.agi.createSession();
    expect(await session.delete()).toBe(true);
    await expect(session.status()).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('validation', () => {
  let id: string;
  beforeAll(async () => {
    id = (await fx.call('POST', '/sessions', { body: {} })).json.session_id;
  });
  afterAll(async () => {
    await fx.call('DELETE', `/sessions/${id}`);
  });

  test('bad request fields are 422s whose detail names the field and the rule', async () => {
    const details: string[] = [];
    for (const [path, body] of [
      [`/sessions/${id}/message`, {}],
      [`/sessions/${id}/message`, { message: '' }],
      [`/sessions/${id}/message`, { message: 42 }],
      [`/sessions/${id}/message`, { message: 'x'.repeat(10_001) }],
      [`/sessions/${id}/message`, { message: 'done "x"', start_url: 'ftp://example.com' }],
      [`/sessions/${id}/navigate`, { URL: 'http://example.com' }],
      ['/sessions', { agent_name: 'gpt-9' }],
      ['/sessions', '{"agent_name": '],
      ['/sessions', '[1, 2]'],
    ] as const) {
      const answer = await fx.call('POST', path, { body });
      expect(answer.status, JSON.stringify(body).slice(0, 40)).toBe(422);
      details.push(answer.json.detail);
    }
    details.push((await fx.call('GET', `/sessions/${id}/messages?after_id=last`)).json.detail);
    details.push((await fx.call('DELETE', `/sessions/${id}?save_snapshot_mode=disk`)).json.detail);
    expect(details).toMatchInlineSnapshot(`
      [
        "Field \`message\` is required.",
        "Field \`message\` must not be empty.",
        "Field \`message\` must be a string, got a number.",
        "Field \`message\` is 10001 characters long; at most 10000 are allowed.",
        "Field \`start_url\` must be an absolute http(s) URL, got "ftp://example.com".",
        "Field \`url\` is required.",
        "Invalid agent_name "gpt-9"; use one of: agi-0, agi-0-fast.",
        "Request body is not valid JSON: Unexpected end of JSON input",
        "Request body must be a JSON object.",
        "Query parameter \`after_id\` must be a non-negative integer, got "last".",
        "save_snapshot_mode must be one of none, memory, filesystem, got "disk".",
      ]
    `);
    // None of them touched the session.
    expect((await fx.call('GET', `/sessions/${id}/status`)).json).toEqual({ status: 'ready' });
  });

  test('navigate to a URL that is not absolute http(s) is a 400, as in the docs', async () => {
    const answer = await fx.call('POST', `/sessions/${id}/navigate`, { body: { url: '/relative' } });
    expect(answer.status).toBe(400);
    expect(answer.json.detail).toBe('Invalid URL format: "/relative" is not an absolute http(s) URL.');
    // Through the client, the detail's own full stop ends the sentence.
    const error = await fx.agi.session(id).navigate('/relative').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HttpStatusError);
    expect((error as Error).message.replace(id, '<id>')).toMatchInlineSnapshot(`"POST /v1/sessions/<id>/navigate failed with status 400: Invalid URL format: "/relative" is not an absolute http(s) URL."`);
  });

  test('unknown fields are ignored, as the real API does', async () => {
    const created = await fx.call('POST', '/sessions', {
      body: { agent_name: 'agi-0', webhook_url: 'https://example.com/hook', max_steps: 100, cdp_url: null, future_field: { a: 1 } },
    });
    expect(created.status).toBe(200);
    const sent = await fx.call('POST', `/sessions/${created.json.session_id}/message`, {
      body: { message: 'done "ok"', config_updates: { timeout: 30 }, start_url: undefined, extra: true },
    });
    expect(sent.status).toBe(200);
    await fx.call('DELETE', `/sessions/${created.json.session_id}`);
  });

  test('an unknown path is a 404 and a wrong method a 405 with Allow', async () => {
    expect((await fx.call('GET', '/sessions/x/y/z')).status).toBe(404);
    const wrong = await fx.call('PUT', `/sessions/${id}`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.allow).toBe('GET, DELETE');
  });
});

describe('session cap', () => {
  test('creating past maxSessions is a 429 that says how to free a slot; deleting one frees it', async () => {
    const emulator = await startEmulator({ maxSessions: 2 });
    const agi = new AgiClient({ apiKey: 'test-key', baseUrl: emulator.baseUrl, retries: 0 });
    try {
      const [a] = await Promise.all([agi.createSession(), agi.createSession()]);
      const error = await agi.createSession().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HttpStatusError);
      expect((error as HttpStatusError).status).toBe(429);
      const raw = await fetch(`${emulator.baseUrl}/sessions`, { method: 'POST', headers: { authorization: 'Bearer test-key' } });
      expect(raw.status).toBe(429);
      expect(((await raw.json()) as { detail: string }).detail).toMatchInlineSnapshot(`"Session limit reached: 2 of 2 sessions are open. Delete one (DELETE /v1/sessions/{session_id}) or raise maxSessions (--max-sessions)."`);
      await a!.delete();
      const c = await agi.createSession();
      expect(await c.status()).toBe('ready');
    } finally {
      await emulator.close();
    }
  });

  test('parallel creates never overshoot the cap', async () => {
    const emulator = await startEmulator({ maxSessions: 3 });
    const agi = new AgiClient({ apiKey: 'test-key', baseUrl: emulator.baseUrl, retries: 0 });
    try {
      const results = await Promise.allSettled(Array.from({ length: 5 }, () => agi.createSession()));
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
      expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.status)).toEqual([429, 429]);
    } finally {
      await emulator.close();
    }
  });
});

describe('failed navigation', () => {
  test('a navigate that fails is a 400 that says the error page shows, and the screenshot keeps the URL that failed', async () => {
    const server = (await import('node:http')).createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/gone`;
    await new Promise((resolve) => server.close(resolve));
    const { json: created } = await fx.call('POST', '/sessions', { body: {} });
    const id = created.session_id as string;
    try {
      const answer = await fx.call('POST', `/sessions/${id}/navigate`, { body: { url } });
      expect(answer.status).toBe(400);
      expect(answer.json.detail.replace(url, 'URL')).toMatchInlineSnapshot(`"Navigation to URL failed: net::ERR_CONNECTION_REFUSED. The page now shows Chromium's error page; screenshots report the URL that failed."`);
      const error = await fx.agi.session(id).navigate(url).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(HttpStatusError);
      expect((error as Error).message.replace(url, 'URL').replace(id, '<id>')).toMatchInlineSnapshot(`"POST /v1/sessions/<id>/navigate failed with status 400: Navigation to URL failed: net::ERR_CONNECTION_REFUSED. The page now shows Chromium's error page; screenshots report the URL that failed."`);
      const shot = await fx.call('GET', `/sessions/${id}/screenshot`);
      expect(shot.status).toBe(200);
      expect(shot.json.url).toBe(url);
    } finally {
      await fx.call('DELETE', `/sessions/${id}`);
    }
  });
  test('a navigate that times out is a 400 whose detail is one sentence', async () => {
    const silent = (await import('node:http')).createServer(() => {}); // never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as { port: number }).port}/slow`;
    const emulator = await startEmulator({ stepTimeout: 500 });
    try {
      const session = await new AgiClient({ apiKey: 'k', baseUrl: emulator.baseUrl, retries: 0 }).createSession();
      const error = await session.navigate(url).catch((e: unknown) => e);
      expect((error as Error).message.replace(url, 'URL').replace(session.id, '<id>')).toMatchInlineSnapshot(`"POST /v1/sessions/<id>/navigate failed with status 400: Navigation to URL failed: Timeout 500ms exceeded."`);
    } finally {
      await emulator.close();
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('startEmulator options', () => {
  test('an unknown option is refused by name, with the list of known ones', async () => {
    const messages: string[] = [];
    for (const options of [{ maxSesions: 2 }, { viewport: { width: 800, hieght: 600 } }]) {
      const error = await startEmulator(options as never).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TypeError);
      messages.push((error as Error).message);
    }
    expect(messages).toMatchInlineSnapshot(`
      [
        "startEmulator(): unknown option \`maxSesions\`. Known options: \`port\`, \`host\`, \`viewport\`, \`jpegQuality\`, \`maxSessions\`, \`token\`, \`allowedHosts\`, \`chromePath\`, \`stepTimeout\`.",
        "startEmulator() \`viewport\`: unknown option \`hieght\`. Known options: \`width\`, \`height\`.",
      ]
    `);
  });
});
