import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ISO_TIMESTAMP, settle, startFixture, UUID } from './fixture.js';
import type { Fixture } from './fixture.js';

// Every endpoint the emulator serves answers the JSON shape of shared/agi-api.md §4: exact field names, types
// and documented constant texts. Raw HTTP here (not our client), so nothing is normalised on the way.

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture();
});
afterAll(async () => {
  await fx?.close();
});

const SESSION_KEYS = ['agent_name', 'created_at', 'environment_id', 'session_id', 'status', 'vnc_url'];

function expectSession(value: any, status: string, agentName = 'agi-0'): void {
  expect(Object.keys(value).sort()).toEqual(SESSION_KEYS);
  expect(value.session_id).toMatch(UUID);
  expect(value.agent_name).toBe(agentName);
  expect(value.status).toBe(status);
  expect(value.created_at).toMatch(ISO_TIMESTAMP);
}

function expectProblem(answer: { json: any; headers: Record<string, unknown> }): void {
  expect(answer.headers['content-type']).toBe('application/json');
  expect(typeof answer.json.detail).toBe('string');
  expect(answer.json.message).toBe(answer.json.detail);
}

describe('the emulator answers the documented JSON shape', () => {
  test('POST /sessions returns session_id, agent_name, status "ready" and created_at', async () => {
    const created = await fx.call('POST', '/sessions', { body: { agent_name: 'agi-0-fast', max_steps: 100, goal: 'x' } });
    expect(created.status).toBe(200);
    expect(created.headers['content-type']).toBe('application/json');
    expectSession(created.json, 'ready', 'agi-0-fast');
    await fx.call('DELETE', `/sessions/${created.json.session_id}`);
  });

  test('POST /sessions with no body at all defaults agent_name to agi-0', async () => {
    const created = await fx.call('POST', '/sessions');
    expectSession(created.json, 'ready');
    await fx.call('DELETE', `/sessions/${created.json.session_id}`);
  });

  test('GET /sessions and GET /sessions/{id} return the same session shape, the list as a bare array', async () => {
    const { json: created } = await fx.call('POST', '/sessions', { body: {} });
    const list = await fx.call('GET', '/sessions');
    expect(list.status).toBe(200);
    expect(Array.isArray(list.json)).toBe(true);
    const item = list.json.find((s: any) => s.session_id === created.session_id);
    expectSession(item, 'ready');
    const one = await fx.call('GET', `/sessions/${created.session_id}`);
    expect(one.json).toEqual(created);
    await fx.call('DELETE', `/sessions/${created.session_id}`);
  });

  test('a task moves message → status → messages through the documented shapes', async () => {
    const { json: created } = await fx.call('POST', '/sessions', { body: {} });
    const id = created.session_id;

    const status0 = await fx.call('GET', `/sessions/${id}/status`);
    expect(status0.json).toEqual({ status: 'ready' });

    const sent = await fx.call('POST', `/sessions/${id}/message`, {
      body: { message: `go to ${fx.site}/about\ndone "Read the about page"`, config_updates: { timeout: 30 } },
    });
    expect(sent.status).toBe(200);
    expect(sent.json).toEqual({ success: true, message: 'Message sent successfully' });

    expect(await settle(fx, id)).toBe('finished');
    const status1 = await fx.call('GET', `/sessions/${id}/status`);
    expect(Object.keys(status1.json)).toEqual(['status']);
    expect(status1.json.status).toBe('finished');

    const all = await fx.call('GET', `/sessions/${id}/messages?after_id=0&sanitize=true`);
    expect(Object.keys(all.json).sort()).toEqual(['has_agent', 'messages', 'status']);
    expect(all.json.status).toBe('finished');
    expect(all.json.has_agent).toBe(true);
    for (const message of all.json.messages) {
      expect(Object.keys(message).sort()).toEqual(['content', 'id', 'metadata', 'timestamp', 'type']);
      expect(Number.isInteger(message.id)).toBe(true);
      expect(typeof message.content).toBe('string');
      expect(message.timestamp).toMatch(ISO_TIMESTAMP);
      expect(typeof message.metadata).toBe('object');
    }
    expect(all.json.messages.map((m: any) => [m.id, m.type])).toEqual([
      [1, 'USER'],
      [2, 'THOUGHT'],
      [3, 'DONE'],
    ]);
    expect(all.json.messages[2].content).toBe('Read the about page');

    const after = await fx.call('GET', `/sessions/${id}/messages?after_id=2`);
    expect(after.json.messages.map((m: any) => m.id)).toEqual([3]);

    const session = await fx.call('GET', `/sessions/${id}`);
    expectSession(session.json, 'completed');
    await fx.call('DELETE', `/sessions/${id}`);
  });

  test('GET …/screenshot returns a baseline JPEG data URL with the page url and title', async () => {
    const { json: created } = await fx.call('POST', '/sessions', { body: {} });
    const id = created.session_id;

    const blank = await fx.call('GET', `/sessions/${id}/screenshot`);
    expect(Object.keys(blank.json).sort()).toEqual(['screenshot', 'title', 'url']);
    expect(blank.json.url).toBe('about:blank');
    expect(blank.json.title).toBe('');

    const navigated = await fx.call('POST', `/sessions/${id}/navigate`, { body: { url: `${fx.site}/about` } });
    expect(navigated.json).toEqual({ current_url: `${fx.site}/about` });

    const shot = await fx.call('GET', `/sessions/${id}/screenshot`);
    expect(shot.json.url).toBe(`${fx.site}/about`);
    expect(shot.json.title).toBe('About');
    expect(shot.json.screenshot).toMatch(/^data:image\/jpeg;base64,[A-Za-z0-9+/]+=*$/);
    const bytes = Buffer.from(shot.json.screenshot.split(',')[1], 'base64');
    expect([...bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    // The SDKs read width/height from the SOF0 marker, so the JPEG must be baseline (agi-api.md §4.14).
    const sof0 = bytes.indexOf(Buffer.from([0xff, 0xc0]));
    expect(sof0).toBeGreaterThan(0);
    expect([bytes.readUInt16BE(sof0 + 7), bytes.readUInt16BE(sof0 + 5)]).toEqual([1280, 720]);
    await fx.call('DELETE', `/sessions/${id}`);
  });

  test('pause, resume and cancel return success with the documented messages', async () => {
    const { json: created } = await fx.call('POST', '/sessions', { body: {} });
    const id = created.session_id;
    expect((await fx.call('POST', `/sessions/${id}/pause`)).json).toEqual({ success: true, message: 'Session paused successfully' });
    expect((await fx.call('GET', `/sessions/${id}/status`)).json).toEqual({ status: 'paused' });
    expectSession((await fx.call('GET', `/sessions/${id}`)).json, 'paused');
    expect((await fx.call('POST', `/sessions/${id}/resume`)).json).toEqual({ success: true, message: 'Session resumed successfully' });
    expect((await fx.call('POST', `/sessions/${id}/cancel`)).json).toEqual({ success: true, message: 'Session cancelled successfully' });
    await fx.call('DELETE', `/sessions/${id}`);
  });

  test('GET …/events streams SSE with an event line and one-line JSON data per message', async () => {
    const { json: created } = await fx.call('POST', '/sessions', { body: {} });
    const id = created.session_id;
    await fx.call('POST', `/sessions/${id}/message`, { body: { message: 'wait 10\ndone "ok"' } });
    // Send, then stream (the SDK's pattern): the stream replays the task so far and ends after its done.
    const events = await fx.call('GET', `/sessions/${id}/events`, { headers: { accept: 'text/event-stream' } });
    expect(events.status).toBe(200);
    expect(events.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const blocks = events.text.trim().split('\n\n').map((block) => block.split('\n'));
    expect(blocks.map((lines) => lines.slice(0, 2))).toEqual([
      ['id: 1', 'event: user'],
      ['id: 2', 'event: thought'],
      ['id: 3', 'event: done'],
    ]);
    const done = JSON.parse(blocks[2]![2]!.slice('data: '.length));
    expect(done).toMatchObject({ text: 'ok', result: 'ok', message_id: 3 });
    await fx.call('DELETE', `/sessions/${id}`);
  });

  test('GET …/events streams live events and ends after done', async () => {
    const { json: created } = await fx.call('POST', '/sessions', { body: {} });
    const id = created.session_id;
    // undici resolves once the headers are in: the server subscribes before it sends them.
    const stream = await request(`${fx.emulator.baseUrl}/sessions/${id}/events?include_history=false&event_types=thought,done`, {
      headers: { authorization: 'Bearer test-key', accept: 'text/event-stream' },
    });
    await fx.call('POST', `/sessions/${id}/message`, { body: { message: 'wait 50\ndone "live"' } });
    const names = (await stream.body.text()).split('\n').filter((line) => line.startsWith('event: '));
    expect(names).toEqual(['event: thought', 'event: done']);
    await fx.call('DELETE', `/sessions/${id}`);
  });

  test('GET /models lists the agent names', async () => {
    expect((await fx.call('GET', '/models')).json).toEqual({ models: ['agi-0', 'agi-0-fast'] });
    expect((await fx.call('GET', '/models?filter=desktop')).json).toEqual({ models: [] });
  });

  test('DELETE answers deleted true, then deleted false with "Session not found" (200 both times)', async () => {
    const { json: created } = await fx.call('POST', '/sessions', { body: {} });
    const first = await fx.call('DELETE', `/sessions/${created.session_id}?save_snapshot_mode=none`);
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ success: true, deleted: true, message: 'Session deleted successfully' });
    const second = await fx.call('DELETE', `/sessions/${created.session_id}`);
    expect(second.status).toBe(200);
    expect(second.json).toEqual({ success: true, deleted: false, message: 'Session not found' });
    expect((await fx.call('GET', `/sessions/${created.session_id}/status`)).status).toBe(404);
  });

  test('DELETE /sessions removes every session of the token', async () => {
    await fx.call('POST', '/sessions', { body: {} });
    await fx.call('POST', '/sessions', { body: {} });
    const other = await fx.call('POST', '/sessions', { body: {}, token: 'other-key' });
    const all = await fx.call('DELETE', '/sessions');
    expect(all.json).toEqual({ success: true, deleted: true, message: 'Sessions deleted successfully' });
    expect((await fx.call('GET', '/sessions')).json).toEqual([]);
    expect((await fx.call('DELETE', '/sessions')).json.deleted).toBe(false);
    // Another token's session is untouched.
    expect((await fx.call('GET', `/sessions/${other.json.session_id}`, { token: 'other-key' })).status).toBe(200);
    await fx.call('DELETE', '/sessions', { token: 'other-key' });
  });

  test('error answers carry the text as both detail and message', async () => {
    const unauthorized = await fx.call('GET', '/sessions', { token: null });
    expect(unauthorized.status).toBe(401);
    expectProblem(unauthorized);
    const missing = await fx.call('GET', '/sessions/00000000-0000-4000-8000-000000000000');
    expect(missing.status).toBe(404);
    expectProblem(missing);
    const invalid = await fx.call('POST', '/sessions', { body: { agent_name: 'gpt-9' } });
    expect(invalid.status).toBe(422);
    expectProblem(invalid);
    expect(invalid.json.errors).toEqual([{ loc: ['body', 'agent_name'], msg: invalid.json.detail, type: 'value_error' }]);
  });
});
