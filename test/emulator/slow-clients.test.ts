import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import type { Emulator } from '../../src/emulator/index.js';

// Event streams whose clients never read must not make the emulator buffer without limit: it drops them,
// keeps answering, and its memory stays bounded. Raw TCP clients that pause at once, so nothing is read.

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator?.close();
});

const STREAMS = 20;
const MESSAGES = 600;
/** Each USER event carries the text twice (`text` and `content`): about 20 kB on the wire. */
const TEXT = `# ${'x'.repeat(9_990)}`;

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const response = await fetch(`${emulator.baseUrl}${path}`, {
    method,
    headers: { authorization: 'Bearer test-key', 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: await response.json() };
}

/** Opens GET …/events and stops reading at once; resolves when the response headers could have been sent. */
function openUnreadStream(path: string): Socket {
  const { hostname, port } = new URL(emulator.baseUrl);
  const socket = connect({ host: hostname, port: Number(port) });
  socket.pause();
  socket.write(`GET /v1${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer test-key\r\nAccept: text/event-stream\r\n\r\n`);
  return socket;
}

/** Reads what is left and resolves with the byte count when the server ends the stream, or 'open' after `ms`. */
function drain(socket: Socket, ms: number): Promise<number | 'open'> {
  return new Promise((resolve) => {
    let bytes = 0;
    const timer = setTimeout(() => resolve('open'), ms);
    socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(bytes);
    });
    socket.resume();
  });
}

test('streams that never read are dropped once far behind; the emulator keeps answering with bounded memory', async () => {
  const { json: created } = await call('POST', '/sessions', {});
  const id = created.session_id as string;
  // A long task: every message below is queued behind it, and each posts a USER event to every stream.
  await call('POST', `/sessions/${id}/message`, { message: 'wait 60000' });
  const sockets = Array.from({ length: STREAMS }, () => openUnreadStream(`/sessions/${id}/events?include_history=false`));
  await new Promise((resolve) => setTimeout(resolve, 300));

  global.gc?.();
  const before = process.memoryUsage();
  let peakRss = before.rss;
  for (let i = 0; i < MESSAGES; i++) {
    expect((await call('POST', `/sessions/${id}/message`, { message: TEXT })).status).toBe(200);
    if (i % 50 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const pushedPerStream = MESSAGES * 2 * TEXT.length;

  const started = Date.now();
  const status = await call('GET', `/sessions/${id}/status`);
  const answerMs = Date.now() - started;
  expect(status).toEqual({ status: 200, json: { status: 'running' } });

  const received = await Promise.all(sockets.map((socket) => drain(socket, 5_000)));
  const growthMb = Math.round((peakRss - before.rss) / 1e6);
  console.log(
    `${STREAMS} unread streams, ${MESSAGES} events of ~20 kB (${Math.round(pushedPerStream / 1e6)} MB per stream): ` +
      `rss +${growthMb} MB at peak, /status answered in ${answerMs} ms, ` +
      `dropped ${received.filter((r) => r !== 'open').length}, received per dropped stream ≤ ${Math.round(Math.max(...received.map((r) => (r === 'open' ? 0 : r))) / 1e6)} MB`,
  );
  // Every stream was dropped, each after far less than what was pushed to it.
  expect(received.filter((r) => r === 'open')).toEqual([]);
  for (const bytes of received) expect(bytes).toBeLessThan(pushedPerStream * 0.75);
  // Unbounded, the streams alone hold STREAMS × pushedPerStream (≈ 240 MB) at the peak: measured rss +168 MB unbounded, +58 MB with the limit.
  expect(growthMb).toBeLessThan(100);
  await call('DELETE', `/sessions/${id}`);
});
