import { afterAll, beforeAll, expect, test } from 'vitest';
import { startFixture } from './fixture.js';
import type { Fixture } from './fixture.js';

// GET …/screenshot while the scripted agent moves through pages: every answer is a 200 with a JPEG, and none
// takes long. The pages alternate between two sites (127.0.0.1 and localhost), so Chromium swaps renderer
// processes mid-navigation, and they load slowly, so captures land inside navigations.

let fx: Fixture;
beforeAll(async () => {
  fx = await startFixture({ stepTimeout: 10_000 });
});
afterAll(async () => {
  await fx?.close();
});

/** Slower than this is a "slow answer": the matchers poll every few hundred ms. */
const SLOW_MS = 5_000;

test('screenshots taken in a tight loop while the agent navigates all answer 200, none slowly', async () => {
  const other = fx.site.replace('127.0.0.1', 'localhost');
  const pages = ['red', 'green', 'blue', 'yellow', 'purple', 'orange'];
  const script = [
    ...pages.flatMap((color, i) => [`go to ${i % 2 ? other : fx.site}/slow/150/${color}`, `go to ${i % 2 ? fx.site : other}/color/${color}`]),
    'done "toured"',
  ].join('\n');

  const answers: Array<{ status: number; ms: number; detail?: string }> = [];
  const rounds = 3;
  for (let round = 0; round < rounds; round++) {
    const { json: created } = await fx.call('POST', '/sessions', { body: {} });
    const id = created.session_id as string;
    await fx.call('POST', `/sessions/${id}/message`, { body: { message: script } });
    const deadline = Date.now() + 60_000;
    for (;;) {
      const started = Date.now();
      const shot = await fx.call('GET', `/sessions/${id}/screenshot`);
      answers.push({ status: shot.status, ms: Date.now() - started, ...(shot.status === 200 ? {} : { detail: shot.json?.detail }) });
      if (shot.status === 200) expect(shot.json.screenshot).toMatch(/^data:image\/jpeg;base64,\/9j\//);
      const { json: status } = await fx.call('GET', `/sessions/${id}/status`);
      if (status.status !== 'running' || Date.now() > deadline) {
        expect(status.status).toBe('finished');
        break;
      }
    }
    await fx.call('DELETE', `/sessions/${id}`);
  }

  const failed = answers.filter((answer) => answer.status !== 200);
  const slow = answers.filter((answer) => answer.ms > SLOW_MS);
  console.log(`screenshots: ${answers.length}, non-200: ${failed.length}, slow (> ${SLOW_MS} ms): ${slow.length}, max ${Math.max(...answers.map((a) => a.ms))} ms`);
  expect({ failed, slow }).toEqual({ failed: [], slow: [] });
});

test('a session deleted while its screenshot is being taken answers 404, never 500', async () => {
  const statuses = new Set<number>();
  for (let i = 0; i < 8; i++) {
    const { json: created } = await fx.call('POST', '/sessions', { body: {} });
    const id = created.session_id as string;
    await fx.call('POST', `/sessions/${id}/message`, { body: { message: `go to ${fx.site}/slow/100/teal` } });
    const shots = [fx.call('GET', `/sessions/${id}/screenshot`), fx.call('GET', `/sessions/${id}/screenshot`)];
    await new Promise((resolve) => setTimeout(resolve, i * 15));
    await fx.call('DELETE', `/sessions/${id}`);
    for (const shot of await Promise.all(shots)) {
      statuses.add(shot.status);
      if (shot.status === 404) expect(shot.json.detail).toBe(`Session ${id} not found.`);
    }
  }
  expect([...statuses].filter((status) => status !== 200 && status !== 404)).toEqual([]);
});
