import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AgiClient } from '../../src/index.js';
import { startEmulator } from '../../src/emulator/index.js';
import type { Emulator } from '../../src/emulator/index.js';
import { chromiumProcessesOf } from './processes.js';

// What a web page or another user of the machine can get from a running emulator: nothing.

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ allowedHosts: ['emulator.internal'] });
});
afterAll(async () => {
  await emulator?.close();
});

/** A raw request with exactly these headers (Host included), through node:http. */
function raw(method: string, path: string, headers: Record<string, string>): Promise<{ status: number; headers: Record<string, unknown>; json: any }> {
  const { port } = new URL(emulator.baseUrl);
  return new Promise((resolve, reject) => {
    const call = httpRequest({ host: '127.0.0.1', port, method, path: `/v1${path}`, headers, setHost: false }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, json: text ? JSON.parse(text) : undefined }));
    });
    call.on('error', reject);
    call.end();
  });
}

describe('DNS rebinding', () => {
  test('a request addressed to another host name is refused with 403, before auth', async () => {
    const { port } = new URL(emulator.baseUrl);
    const answer = await raw('GET', '/sessions', { host: `evil.example:${port}`, authorization: 'Bearer any' });
    expect(answer.status).toBe(403);
    expect(answer.json.detail.replace(port, 'PORT')).toMatchInlineSnapshot(`"Host "evil.example:PORT" is not allowed: the emulator answers requests addressed to localhost or an IP address (protection against DNS rebinding). To reach it under this name, start it with allowedHosts (--allowed-host)."`);
    expect((await raw('GET', '/sessions', { host: 'EVIL.example' })).status).toBe(403);
  });

  test('localhost, IP addresses, the bound host and allowedHosts are answered', async () => {
    const { port } = new URL(emulator.baseUrl);
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `[::1]:${port}`, '10.0.0.7', `emulator.internal:${port}`, 'LOCALHOST']) {
      expect((await raw('GET', '/sessions', { host, authorization: 'Bearer any' })).status, host).toBe(200);
    }
  });

  test('a CORS preflight is refused without any Access-Control-Allow header', async () => {
    const { port } = new URL(emulator.baseUrl);
    const answer = await raw('OPTIONS', '/sessions', {
      host: `127.0.0.1:${port}`,
      origin: 'https://evil.example',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'authorization',
    });
    expect(answer.status).toBe(403);
    expect(Object.keys(answer.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
    expect(answer.json.detail).toMatchInlineSnapshot(`"CORS preflight refused: the emulator answers programs (Node, Python, curl), not web pages."`);
  });
});

describe('secrets stay out of Chromium', () => {
  test("the launched Chromium's environment has neither AGI_API_KEY nor AGI_EMULATOR_TOKEN", async () => {
    const saved = { key: process.env.AGI_API_KEY, token: process.env.AGI_EMULATOR_TOKEN };
    process.env.AGI_API_KEY = 'sk-secret-api-key-for-env-test';
    process.env.AGI_EMULATOR_TOKEN = 'secret-emulator-token-for-env-test';
    const own = await startEmulator();
    try {
      const agi = new AgiClient({ apiKey: 'test-key', baseUrl: own.baseUrl, retries: 0 });
      const session = await agi.createSession();
      const browsers = chromiumProcessesOf(process.pid);
      expect(browsers.length).toBeGreaterThan(0);
      const environments = browsers.map((p) => {
        try {
          return readFileSync(`/proc/${p.pid}/environ`, 'utf8');
        } catch {
          return '';
        }
      });
      // The environment was read, and it is Chromium's (it has the variables we did not remove).
      expect(environments.some((env) => env.includes('PATH='))).toBe(true);
      for (const env of environments) {
        expect(env).not.toContain('sk-secret-api-key-for-env-test');
        expect(env).not.toContain('secret-emulator-token-for-env-test');
      }
      await session.delete();
    } finally {
      await own.close();
      for (const [name, value] of [['AGI_API_KEY', saved.key], ['AGI_EMULATOR_TOKEN', saved.token]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
