import { request } from 'undici';
import { AgiClient } from '../../src/index.js';
import { startEmulator } from '../../src/emulator/index.js';
import type { Emulator, EmulatorOptions } from '../../src/emulator/index.js';
import { startSite } from './site.js';

export interface Fixture {
  emulator: Emulator;
  /** The test site's origin, e.g. http://127.0.0.1:41234 */
  site: string;
  /** Our own client against the emulator, key "test-key", no retries (errors show at once). */
  agi: AgiClient;
  /** A raw request, for status codes and exact JSON shapes. */
  call(method: string, path: string, options?: { body?: unknown; token?: string | null; headers?: Record<string, string> }): Promise<RawAnswer>;
  close(): Promise<void>;
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  json: any;
  text: string;
}

/** One emulator and one test site, shared by a test file. */
export async function startFixture(options: EmulatorOptions = {}): Promise<Fixture> {
  const site = await startSite();
  const emulator = await startEmulator(options);
  const agi = new AgiClient({ apiKey: options.token ?? 'test-key', baseUrl: emulator.baseUrl, retries: 0, timeout: 30_000 });
  return {
    emulator,
    site: site.url,
    agi,
    async call(method, path, { body, token = options.token ?? 'test-key', headers = {} } = {}) {
      const response = await request(`${emulator.baseUrl}${path}`, {
        method: method as 'GET',
        headers: {
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.body.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: response.statusCode, headers: response.headers, json, text };
    },
    async close() {
      await emulator.close();
      await site.close();
    },
  };
}

/** Polls GET …/status until it leaves `running` (or `timeout` ms pass); returns the last status. */
export async function settle(fixture: Fixture, sessionId: string, timeout = 20_000): Promise<string> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const status = await fixture.agi.session(sessionId).status();
    if (status !== 'running' || Date.now() > deadline) return status;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
