import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { settle, startFixture, UUID } from './fixture.js';
import type { Fixture } from './fixture.js';

// Where the emulator differed from what the official SDK (@agi_inc/agi-js) and the docs expect.

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(async () => {
  await fx?.close();
});

async function newSession(): Promise<string> {
  return (await fx.call('POST', '/sessions', { body: {} })).json.session_id as string;
}

async function send(id: string, message: string): Promise<void> {
  expect((await fx.call('POST', `/sessions/${id}/message`, { body: { message } })).status).toBe(200);
}

/** Reads an event stream until the server closes it; returns `event data.text` per event (heartbeats aside). */
async function readStream(id: string, query = ''): Promise<string[]> {
  const stream = await request(`${fx.emulator.baseUrl}/sessions/${id}/events${query}`, {
    headers: { authorization: 'Bearer test-key', accept: 'text/event-stream' },
    bodyTimeout: 20_000,
  });
  expect(stream.statusCode).toBe(200);
  return (await stream.body.text())
    .split('\n\n')
    .filter((block) => block.includes('event: ') && !block.includes('event: heartbeat'))
    .map((block) => {
      const name = /event: (\w+)/.exec(block)![1];
      const data = JSON.parse(/data: (.*)/.exec(block)![1]!);
      return `${name} ${data.text ?? data.error}`;
    });
}

describe('event streams follow one task', () => {
  test("a stream opened after sending a second task follows that task, without the first task's done", async () => {
    const id = await newSession();
    await send(id, 'done "first"');
    expect(await settle(fx, id)).toBe('finished');
    await send(id, 'wait 300\ndone "second"');
    expect(await readStream(id)).toEqual(['user wait 300\ndone "second"', 'thought Waiting 300 ms', 'done second']);
    await fx.call('DELETE', `/sessions/${id}`);
  });

  test('a stream opened just after a task that ended at once replays that task and closes', async () => {
    const id = await newSession();
    await send(id, 'done "quick"');
    expect(await readStream(id)).toEqual(['user done "quick"', 'done quick']);
    await fx.call('DELETE', `/sessions/${id}`);
  });

  test('a stream opened on a session whose task ended (and was seen) waits for the next task', async () => {
    const id = await newSession();
    await send(id, 'done "old"');
    expect(await settle(fx, id)).toBe('finished');
    const events = readStream(id);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await send(id, 'wait 10\ndone "next"');
    expect(await events).toEqual(['user wait 10\ndone "next"', 'thought Waiting 10 ms', 'done next']);
    await fx.call('DELETE', `/sessions/${id}`);
  });

  test('a cancelled task closes the streams that follow it', async () => {
    const id = await newSession();
    await send(id, 'wait 30000\ndone "never"');
    const events = readStream(id, '?include_history=false');
    await new Promise((resolve) => setTimeout(resolve, 200));
    await fx.call('POST', `/sessions/${id}/cancel`);
    expect(await events).toEqual(['log Task cancelled.']);
    await fx.call('DELETE', `/sessions/${id}`);
  });
});

describe('boolean query parameters read as FastAPI reads them', () => {
  test('include_history accepts false/0/no/off and true/1/yes/on in any case, and refuses anything else with 422', async () => {
    const id = await newSession();
    const seen: Record<string, string[]> = {};
    for (const value of ['False', '0', 'no', 'OFF', 'TRUE', '1', 'yes']) {
      // Long enough that the stream opens while the task runs, even on a loaded machine.
      await send(id, 'wait 1000\ndone "x"');
      seen[value] = (await readStream(id, `?include_history=${value}`)).map((event) => event.split(' ')[0]!);
    }
    expect(seen).toEqual({
      False: ['done'], '0': ['done'], no: ['done'], OFF: ['done'],
      TRUE: ['user', 'thought', 'done'], '1': ['user', 'thought', 'done'], yes: ['user', 'thought', 'done'],
    });
    const wrong = await fx.call('GET', `/sessions/${id}/events?include_history=maybe`);
    expect(wrong.status).toBe(422);
    expect(wrong.json.detail).toMatchInlineSnapshot(`"Query parameter \`include_history\` must be a boolean (true/false, 1/0, yes/no, on/off), got "maybe"."`);
    expect((await fx.call('GET', `/sessions/${id}/messages?sanitize=nope`)).status).toBe(422);
    await fx.call('DELETE', `/sessions/${id}`);
  });
});

describe('session fields', () => {
  test('create, get and list carry vnc_url (a live view page) and environment_id', async () => {
    const { json: created } = await fx.call('POST', '/sessions', { body: {} });
    expect(created.environment_id).toMatch(UUID);
    expect(created.vnc_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/view\/[\w-]{20,}$/);
    expect((await fx.call('GET', `/sessions/${created.session_id}`)).json).toEqual(created);
    expect((await fx.call('GET', '/sessions')).json).toContainEqual(created);

    // The live view needs no Bearer token (the URL is the secret, as a VNC link is) and shows real frames.
    const page = await fetch(created.vnc_url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const frame = await fetch(`${created.vnc_url}/frame.jpg`);
    expect(frame.headers.get('content-type')).toBe('image/jpeg');
    expect([...new Uint8Array(await frame.arrayBuffer()).slice(0, 2)]).toEqual([0xff, 0xd8]);
    expect((await fetch(`${created.vnc_url.replace(/\/view\/.*/, '/view/not-a-key')}/frame.jpg`)).status).toBe(404);
    await fx.call('DELETE', `/sessions/${created.session_id}`);
    expect((await fetch(`${created.vnc_url}/frame.jpg`)).status).toBe(404);
  });

  test('after cancel the session is ready for a new message and /status says finished', async () => {
    const id = await newSession();
    await send(id, 'wait 30000\ndone "never"');
    await fx.call('POST', `/sessions/${id}/cancel`);
    expect((await fx.call('GET', `/sessions/${id}/status`)).json.status).toBe('finished');
    expect((await fx.call('GET', `/sessions/${id}`)).json.status).toBe('ready');
    await fx.call('DELETE', `/sessions/${id}`);
  });
});
