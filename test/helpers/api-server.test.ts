import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { request } from 'undici';
import jpeg from 'jpeg-js';
import { startApiServer } from './api-server.js';
import type { ApiServer } from './api-server.js';

const thanksJpg = readFileSync(new URL('../fixtures/shots/thanks.jpg', import.meta.url));
const docsPng = readFileSync(new URL('../fixtures/shots/docs.png', import.meta.url));

let api: ApiServer;
beforeEach(async () => {
  api = await startApiServer({ apiKey: 'test-key' });
});
afterEach(async () => {
  await api.close();
});

const auth = { authorization: 'Bearer test-key' };
const get = (path: string, headers: Record<string, string> = auth) => request(`${api.baseUrl}${path}`, { headers });
const payloadOf = (dataUrl: string) => Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64');

describe('screenshot endpoint', () => {
  test('api-server returns the scripted frame as a data URL with url and title', async () => {
    api.script('s1', [{ image: thanksJpg, url: 'https://shop.example/thanks', title: 'Thank you — Shop' }]);
    const res = await get('/sessions/s1/screenshot');
    const body = (await res.body.json()) as { screenshot: string; url: string; title: string };
    expect(res.statusCode).toBe(200);
    expect(body.screenshot.startsWith('data:image/jpeg;base64,')).toBe(true);
    expect(payloadOf(body.screenshot).equals(thanksJpg)).toBe(true);
    expect(body).toMatchObject({ url: 'https://shop.example/thanks', title: 'Thank you — Shop' });
  });

  test('api-server labels a PNG image as image/png and defaults to a blank 1280×720 JPEG', async () => {
    api.script('png', [{ image: docsPng }]);
    const png = (await (await get('/sessions/png/screenshot')).body.json()) as { screenshot: string };
    expect(png.screenshot.startsWith('data:image/png;base64,')).toBe(true);
    api.script('blank', [{}]);
    const blank = (await (await get('/sessions/blank/screenshot')).body.json()) as { screenshot: string; url: string; title: string };
    const decoded = jpeg.decode(payloadOf(blank.screenshot), { useTArray: true });
    expect([decoded.width, decoded.height, blank.url, blank.title]).toEqual([1280, 720, 'about:blank', '']);
  });

  test('api-server takes one step per request and repeats the last', async () => {
    api.script('s1', ['rate-limited', 'unavailable', { image: thanksJpg }]);
    const first = await get('/sessions/s1/screenshot');
    expect([first.statusCode, first.headers['retry-after']]).toEqual([429, '1']);
    expect(await first.body.json()).toEqual({ detail: 'Rate limit exceeded', message: 'Rate limit exceeded' });
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      const res = await get('/sessions/s1/screenshot');
      await res.body.dump();
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([503, 200, 200]);
  });

  test('api-server answers 401 to another key and records the header it got', async () => {
    api.script('s1', [{}]);
    const res = await get('/sessions/s1/screenshot', { authorization: 'Bearer wrong' });
    expect(res.statusCode).toBe(401);
    expect(await res.body.json()).toEqual({ detail: 'Invalid or missing API key', message: 'Invalid or missing API key' });
    expect(api.requests).toEqual([{ method: 'GET', path: '/v1/sessions/s1/screenshot', authorization: 'Bearer wrong' }]);
  });

  test('api-server answers 404 for an unknown session', async () => {
    const res = await get('/sessions/nope/screenshot');
    expect(res.statusCode).toBe(404);
    expect(await res.body.json()).toEqual({ detail: 'Session not found', message: 'Session not found' });
  });

  test('api-server never answers a hang, and close() still ends it', async () => {
    api.script('s1', ['hang']);
    await expect(request(`${api.baseUrl}/sessions/s1/screenshot`, { headers: auth, headersTimeout: 300 }))
      .rejects.toMatchObject({ code: 'UND_ERR_HEADERS_TIMEOUT' });
    const pending = get('/sessions/s1/screenshot');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await api.close();
    await expect(pending).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
  });

  test('api-server resets the connection', async () => {
    api.script('s1', ['reset']);
    // A TCP RST: undici passes the system error through, unlike a plain close (UND_ERR_SOCKET).
    await expect(get('/sessions/s1/screenshot')).rejects.toMatchObject({ code: 'ECONNRESET' });
  });

  test('api-server sends an HTML page for not-json and drops the field for missing-field', async () => {
    api.script('s1', ['not-json', 'missing-field']);
    const html = await get('/sessions/s1/screenshot');
    expect([html.statusCode, html.headers['content-type']]).toEqual([200, 'text/html']);
    await expect(html.body.json()).rejects.toThrow(SyntaxError);
    const body = (await (await get('/sessions/s1/screenshot')).body.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['title', 'url']);
  });

  test('api-server sends broken images that jpeg-js rejects', async () => {
    api.script('s1', ['bad-base64', 'not-an-image', 'truncated-jpeg', 'bomb']);
    const shots: string[] = [];
    for (let i = 0; i < 4; i++) shots.push(((await (await get('/sessions/s1/screenshot')).body.json()) as { screenshot: string }).screenshot);
    const [badBase64, notImage, truncated, bomb] = shots;
    expect(/^data:image\/jpeg;base64,[A-Za-z0-9+/=]*$/.test(badBase64)).toBe(false);
    expect(payloadOf(notImage).subarray(0, 2).toString('hex')).not.toBe('ffd8');
    for (const tolerantDecoding of [true, false]) {
      expect(() => jpeg.decode(payloadOf(truncated), { useTArray: true, tolerantDecoding })).toThrow('marker was not found');
      expect(() => jpeg.decode(payloadOf(bomb), { useTArray: true, tolerantDecoding })).toThrow('maxResolutionInMP limit exceeded by 3500MP');
    }
  });

  test('api-server streams a body over 50 MB for oversized', async () => {
    api.script('s1', ['oversized']);
    const res = await get('/sessions/s1/screenshot');
    expect(res.headers['content-length']).toBeUndefined();
    let bytes = 0;
    let head = '';
    for await (const chunk of res.body) {
      if (bytes === 0) head = String(chunk).slice(0, 38);
      bytes += (chunk as Buffer).length;
    }
    expect(head).toBe('{"screenshot":"data:image/jpeg;base64,');
    expect(bytes).toBeGreaterThan(50 * 1024 * 1024);
  });
});

describe('session endpoints', () => {
  test('api-server creates, messages, reports status and deletes a session', async () => {
    const json = { ...auth, 'content-type': 'application/json' };
    const created = await request(`${api.baseUrl}/sessions`, { method: 'POST', headers: json, body: '{"agent_name":"agi-0-fast"}' });
    const session = (await created.body.json()) as Record<string, string>;
    expect(session).toMatchObject({ agent_name: 'agi-0-fast', status: 'ready' });
    expect(Object.keys(session).sort()).toEqual(['agent_name', 'created_at', 'session_id', 'status', 'vnc_url']);
    const id = session.session_id;

    const sent = await request(`${api.baseUrl}/sessions/${id}/message`, { method: 'POST', headers: json, body: '{"message":"Buy shoes"}' });
    expect(await sent.body.json()).toEqual({ success: true, message: 'Message sent successfully' });
    const empty = await request(`${api.baseUrl}/sessions/${id}/message`, { method: 'POST', headers: json, body: '{}' });
    expect(empty.statusCode).toBe(422);
    await empty.body.dump();

    api.scriptStatus(id, ['running', 'running', 'finished']);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push(((await (await get(`/sessions/${id}/status`)).body.json()) as { status: string }).status);
    expect(statuses).toEqual(['running', 'running', 'finished', 'finished']);

    api.scriptMessages(id, [{ type: 'THOUGHT', content: 'Opening the shop' }, { type: 'DONE', content: { summary: 'Bought' } }]);
    const all = (await (await get(`/sessions/${id}/messages?after_id=0&sanitize=true`)).body.json()) as { messages: Array<{ id: number; type: string }>; status: string; has_agent: boolean };
    expect(all.messages.map((m) => [m.id, m.type])).toEqual([[1, 'USER'], [2, 'THOUGHT'], [3, 'DONE']]);
    expect([all.status, all.has_agent]).toEqual(['finished', true]);
    const later = (await (await get(`/sessions/${id}/messages?after_id=2`)).body.json()) as { messages: Array<{ id: number; content: unknown }> };
    expect(later.messages).toMatchObject([{ id: 3, content: { summary: 'Bought' }, metadata: {} }]);

    const deleted = await request(`${api.baseUrl}/sessions/${id}`, { method: 'DELETE', headers: auth });
    expect(await deleted.body.json()).toEqual({ success: true, deleted: true, message: 'Session deleted successfully' });
    const gone = await get(`/sessions/${id}/status`);
    expect(gone.statusCode).toBe(404);
    await gone.body.dump();
    const again = await request(`${api.baseUrl}/sessions/${id}`, { method: 'DELETE', headers: auth });
    expect(await again.body.json()).toEqual({ success: true, deleted: false, message: 'Session not found' });
  });
});
