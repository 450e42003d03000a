import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { AgiClient } from '../../src/api/client.js';
import { startApiServer, type ApiServer } from '../helpers/api-server.js';
import { shot } from '../helpers/fixtures.js';
import { createProject, toolchain, type Project, type RunResult } from '../helpers/vitest-project.js';

// A server that answers page URLs and titles made to attack a terminal: CSI sequences (clear screen, colours), a
// bare carriage return that overwrites the line, an OSC 8 link that disguises its target, a one-byte C1 CSI, and a
// 20 MB title. A real Vitest run and `vitest-agi report` must show all of it escaped, and stay small.
const CONFIG = `import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { setupFiles: ['vitest-agi/setup'], reporters: ['default', 'vitest-agi/reporter'], testTimeout: 30_000 } });
`;

const TEST = `
import { expect, test } from 'vitest';
import { AgiClient } from 'vitest-agi';

const agi = new AgiClient();

test('hostile title', async () => {
  await expect(agi.session('hostile')).toHaveTitle('Checkout — Shop');
});
test('hostile trajectory', async () => {
  await expect(agi.session('hostile-moving')).toBeOnPage('checkout/done', { timeout: 400, interval: 100 });
});
test('hostile screenshot page', async () => {
  await expect(agi.session('hostile')).toMatchScreenshot('checkout');
});
test('huge title', async () => {
  await expect(agi.session('huge')).toHaveTitle('Checkout — Shop');
});
`;

const OSC8_LINK = '\x1b]8;;https://evil.example/\x07https://shop.example/pay\x1b]8;;\x07';
const hostile = {
  image: shot('thanks.jpg'),
  url: `https://shop.example/\x1b[2J\x1b[Hcheckout\rhttps://bank.example/`,
  title: `Checkout\x1b[31m — ${OSC8_LINK}\r\x9b32mAll good\u202e`,
};
const HUGE = 20 * 1024 * 1024;
// Control characters that must never reach a terminal raw (NO_COLOR is set, so Vitest itself writes none).
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]/;

let server: ApiServer;
let project: Project;
let run: RunResult;

beforeAll(async () => {
  server = await startApiServer();
  server.script('hostile', [hostile]);
  server.script('hostile-moving', [hostile, { ...hostile, url: `${hostile.url}?2` }, { ...hostile, url: `${hostile.url}?3` }]);
  server.script('huge', [{ image: shot('thanks.jpg'), url: `https://shop.example/${'u'.repeat(HUGE)}`, title: 't'.repeat(HUGE) }]);
  project = await createProject({ 'vitest.config.ts': CONFIG, 'test/hostile.test.ts': TEST });
  // CI: the missing baseline fails, so its message (with the page) is printed too.
  run = await project.run([], { AGI_API_KEY: 'k', AGI_BASE_URL: server.baseUrl, CI: 'true' });
}, 120_000);

afterAll(async () => {
  await project?.remove();
  await server?.close();
});

test('failure messages show a server\'s escape sequences, carriage returns and OSC 8 links escaped, never raw', () => {
  expect(run.code).toBe(1);
  expect(run.raw!).not.toMatch(RAW_CONTROL);
  expect(run.raw!).toContain('Received title: "Checkout\\u001b[31m — \\u001b]8;;https://evil.example/\\u0007https://shop.example/pay\\u001b]8;;\\u0007\\r\\u009b32mAll good\\u202e"');
  expect(run.raw!).toContain('Received URL:   "https://shop.example/\\u001b[2J\\u001b[Hcheckout\\rhttps://bank.example/"');
  // the trajectory and the screenshot's Page line
  expect(run.raw!).toContain('https://shop.example/\\u001b[2J\\u001b[Hcheckout\\rhttps://bank.example/?3');
  expect(run.raw!).toMatch(/Page: +https:\/\/shop\.example\/\\u001b\[2J/);
});

test('a 20 MB title and URL are capped in the output, which stays small', () => {
  expect(run.raw!.length).toBeLessThan(200_000);
  expect(run.raw!).toContain(`${'t'.repeat(2000)}… (20,969,520 more characters)"`);
});

test('results.json keeps the escaped, capped text and stays small', async () => {
  const text = (await project.read('.vitest-agi/results.json')).toString();
  expect(text.length).toBeLessThan(200_000);
  const { assertions } = JSON.parse(text) as { assertions: Array<{ test: string; url?: string; title?: string; trajectory?: Array<{ url: string; title: string }>; message?: string }> };
  const fields = assertions.flatMap((a) => [a.url, a.title, a.message, ...(a.trajectory ?? []).flatMap((c) => [c.url, c.title])]);
  expect(fields.filter((field) => field !== undefined && RAW_CONTROL.test(field))).toEqual([]);
  const huge = assertions.find((a) => a.test === 'huge title')!;
  expect([huge.title!.length, huge.url!.length]).toEqual([2000 + '… (20,969,520 more characters)'.length, 2000 + '… (20,969,541 more characters)'.length]);
});

test('vitest-agi report prints the same text escaped and small', async () => {
  const tools = await toolchain();
  const child = spawn(tools.node, [path.join(tools.nodeModules, 'vitest-agi', 'dist', 'cli.js'), 'report'], {
    cwd: project.dir,
    env: Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(GITHUB_|VITEST|CI$)/.test(key))),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  await new Promise((resolve, reject) => child.on('error', reject).on('close', resolve));
  expect(output).toContain('on https://shop.example/\\u001b[2J\\u001b[Hcheckout\\rhttps://bank.example/ "Checkout\\u001b[31m');
  expect(output).not.toMatch(RAW_CONTROL);
  expect(output.length).toBeLessThan(50_000);
});

test('an API error\'s text and a body that is not JSON reach the error message escaped', async () => {
  const hostileText = 'busy\x9b\x1b[2J\rOK \x1b]8;;https://evil.example/\x07link\x1b]8;;\x07';
  const api = createServer((req, res) => {
    if (req.url!.includes('/s500/')) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: hostileText }));
    else res.writeHead(200, { 'content-type': 'text/plain' }).end(hostileText);
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  try {
    const agi = new AgiClient({ apiKey: 'test-key', baseUrl: `http://127.0.0.1:${(api.address() as AddressInfo).port}/v1`, retries: 0 });
    const messages = await Promise.all(['s500', 'html'].map((id) => agi.session(id).screenshot().then(() => 'resolved', (error: Error) => error.message)));
    expect(messages).toEqual([
      'GET /v1/sessions/s500/screenshot failed with status 500: busy\\u009b\\u001b[2J OK \\u001b]8;;https://evil.example/\\u0007link\\u001b]8;;\\u0007.',
      'GET /v1/sessions/html/screenshot answered 200 but the body is not JSON (starts with "busy\\u009b\\u001b[2J OK \\u001b]8;;https:/").',
    ]);
    expect(messages.filter((message) => RAW_CONTROL.test(message))).toEqual([]);
  } finally {
    await new Promise((resolve) => api.close(resolve));
  }
});
