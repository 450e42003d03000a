import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startApiServer, type ApiServer } from '../helpers/api-server.js';
import { shot } from '../helpers/fixtures.js';
import { createProject, type Project, type RunResult } from '../helpers/vitest-project.js';
import { validateResults } from './json-schema.js';

// A user's project with vitest-agi/reporter next to the default reporter, run by a real Vitest against a real API
// server: the polling trajectory in failure messages (issue #6 part 2), results.json (part 3) and baseline
// provenance (part 4), over three runs: first run, a changed page, and `-u`.
const REPORTER_CONFIG = `import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { setupFiles: ['vitest-agi/setup'], reporters: ['default', 'vitest-agi/reporter'], testTimeout: 30_000 } });
`;

const HOME_TEST = `
import { expect, test } from 'vitest';
import { AgiClient, configure } from 'vitest-agi';

configure({ meta: { model: 'agi-0' } });
const agi = new AgiClient();

test('home and thank-you pages', async () => {
  await expect(agi.session('home')).toMatchScreenshot('home', { meta: { prompt: 'v7' } });
  await expect(agi.session('thanks')).toMatchScreenshot('thanks');
});
`;

const AGENT_TEST = `
import { describe, expect, test } from 'vitest';
import { AgiClient } from 'vitest-agi';

const agi = new AgiClient();

describe('agent', () => {
  test('ends on the docs page', async () => {
    await expect(agi.session('stuck-shot')).toMatchScreenshot('docs', { timeout: 3000, interval: 200 });
  });
  test('ends on the order page', async () => {
    await expect(agi.session('stuck-page')).toBeOnPage('checkout/done', { timeout: 500, interval: 100 });
  });
  test('is not on the loading page', async () => {
    await expect(agi.session('thanks')).not.toHaveTitle(/loading/i);
  });
});
`;

const docsPage = { url: 'http://shop.test/docs', title: 'Docs — Shop' };
const loading = { image: shot('thanks.jpg'), url: 'http://shop.test/loading', title: 'Loading…' };
const payment = { image: shot('form.jpg'), url: 'http://shop.test/checkout/payment', title: 'Payment — Shop' };
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const version = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')).version as string;

let server: ApiServer;
let project: Project;
const run = (args: string[] = []) => project.run(args, { AGI_API_KEY: 'k', AGI_BASE_URL: server.baseUrl });
const results = async () => JSON.parse((await project.read('.vitest-agi/results.json')).toString());
const sidecar = (name: string) => project.read(`snapshots/test/home.test.ts/${name}.jpg.json`);

beforeAll(async () => {
  server = await startApiServer();
  server.script('home', [{ image: shot('docs.jpg'), ...docsPage }]);
  server.script('thanks', [{ image: shot('thanks.jpg'), url: 'http://shop.test/thanks', title: 'Thank you — Shop' }]);
  server.script('stuck-shot', [loading, payment]);
  server.script('stuck-page', [loading, payment]);
  project = await createProject({
    'vitest.config.ts': REPORTER_CONFIG,
    'test/home.test.ts': HOME_TEST,
    'test/agent.test.ts': AGENT_TEST,
    'snapshots/test/agent.test.ts/docs.jpg': shot('docs.jpg'),
  });
});

afterAll(async () => {
  await server?.close();
  await project?.remove();
});

describe('a run with vitest-agi/reporter', () => {
  let first: RunResult;
  let runStart: number;

  beforeAll(async () => {
    runStart = Date.now();
    first = await run();
  });

  test('writes results.json in the documented shape, one record per assertion, with outcome and verdict', async () => {
    expect(first.code, first.output).toBe(1);
    const json = await results();
    expect(validateResults(json)).toEqual([]);
    expect(json.assertions.map((a: Record<string, unknown>) => [a.file, a.test, a.matcher, a.not, a.outcome, a.pass])).toEqual([
      ['test/agent.test.ts', 'agent > ends on the docs page', 'toMatchScreenshot', false, 'pixels-differ', false],
      ['test/agent.test.ts', 'agent > ends on the order page', 'toBeOnPage', false, 'page-differs', false],
      ['test/agent.test.ts', 'agent > is not on the loading page', 'toHaveTitle', true, 'page-differs', true],
      ['test/home.test.ts', 'home and thank-you pages', 'toMatchScreenshot', false, 'baseline-written', true],
      ['test/home.test.ts', 'home and thank-you pages', 'toMatchScreenshot', false, 'baseline-written', true],
    ]);
    expect(json).toMatchObject({
      status: 'failed',
      filters: [],
      tests: { total: 4, passed: 2, failed: 2, skipped: 0, todo: 0 },
      files: [
        { file: 'test/agent.test.ts', ran: true, state: 'failed', skippedTests: 0 },
        { file: 'test/home.test.ts', ran: true, state: 'passed', skippedTests: 0 },
      ],
    });
    expect(json.assertions[3]).toEqual({
      file: 'test/home.test.ts', test: 'home and thank-you pages', matcher: 'toMatchScreenshot', not: false,
      outcome: 'baseline-written', pass: true, name: 'home', url: 'http://shop.test/docs', title: 'Docs — Shop',
      captures: 1, durationMs: expect.any(Number), timeout: 0,
      baseline: 'snapshots/test/home.test.ts/home.jpg', snapshotDir: 'snapshots', width: 1280, height: 720,
      limits: { threshold: 0.1, maxDiffPixels: 32 }, meta: { model: 'agi-0', prompt: 'v7' },
    });
  });

  test('records every polling capture, and the failure message shows the last states and how many in all', async () => {
    const [shotRecord, pageRecord] = (await results()).assertions;
    // At least the loading page and then the payment page; how many more depends on how fast this machine decodes.
    expect(shotRecord.captures).toBeGreaterThanOrEqual(2);
    expect(shotRecord.trajectory).toHaveLength(shotRecord.captures);
    expect(shotRecord.trajectory.slice(0, 2)).toEqual([
      { atMs: 0, url: 'http://shop.test/loading', title: 'Loading…', diffPixels: expect.any(Number) },
      { atMs: expect.any(Number), url: 'http://shop.test/checkout/payment', title: 'Payment — Shop', diffPixels: expect.any(Number) },
    ]);
    expect(shotRecord).toMatchObject({ diffPixels: shotRecord.trajectory.at(-1).diffPixels, allowedPixels: 32, comparedPixels: 921_600, timeout: 3000 });
    expect(shotRecord.actual).toBe('.vitest-agi/test/agent.test.ts/docs-actual.jpg');
    expect(shotRecord.diff).toBe('.vitest-agi/test/agent.test.ts/docs-diff.png');
    const px = (n: number) => n.toLocaleString('en-US');
    const [loadingPx, paymentPx] = shotRecord.trajectory.map((c: { diffPixels: number }) => c.diffPixels);
    const repeats = shotRecord.captures - 1;
    expect(shotRecord.message).toContain(`Captured ${shotRecord.captures} times over ${(shotRecord.durationMs / 1000).toFixed(1)} s:\n`);
    expect(shotRecord.message).toMatch(new RegExp(`\\n {4}\\+0\\.0 s +http://shop\\.test/loading +"Loading…" +${px(loadingPx)} px differ\\n`));
    expect(shotRecord.message).toMatch(
      new RegExp(`\\n {4}\\+[\\d.–]+ s +http://shop\\.test/checkout/payment +"Payment — Shop" +${px(paymentPx)} px differ${repeats > 1 ? `  \\(${repeats} captures\\)` : ''}\\n`),
    );
    expect(pageRecord).toMatchObject({ expected: '"checkout/done"', url: 'http://shop.test/checkout/payment', timeout: 500 });
    expect(pageRecord.trajectory.map((c: { url: string }) => c.url)).toEqual(['http://shop.test/loading', ...Array(pageRecord.captures - 1).fill('http://shop.test/checkout/payment')]);
    expect(first.output).toContain(`Captured ${pageRecord.captures} times over`);
  });

  test('writes a provenance sidecar beside each new baseline: page, size, hash, time, version and meta, in a fixed order', async () => {
    const text = (await sidecar('home')).toString();
    const capturedAt = JSON.parse(text).capturedAt as string;
    expect(Date.parse(capturedAt)).toBeGreaterThanOrEqual(runStart);
    expect(Date.parse(capturedAt)).toBeLessThanOrEqual(Date.now());
    expect(text).toBe(`{
  "url": "http://shop.test/docs",
  "title": "Docs — Shop",
  "width": 1280,
  "height": 720,
  "sha256": "${sha256(shot('docs.jpg'))}",
  "capturedAt": "${capturedAt}",
  "vitestAgi": "${version}",
  "meta": {
    "model": "agi-0",
    "prompt": "v7"
  }
}
`);
    expect(JSON.parse((await sidecar('thanks')).toString()).meta).toEqual({ model: 'agi-0' });
    expect(project.exists('snapshots/test/agent.test.ts/docs.jpg.json')).toBe(false);
  });
});

describe('later runs', () => {
  test('a failure says which capture the baseline is, and the sidecars do not change', async () => {
    const before = [await sidecar('home'), await sidecar('thanks')];
    const day = JSON.parse(before[0]!.toString()).capturedAt.slice(0, 10);
    server.script('home', [{ image: shot('docs-edited.jpg'), ...docsPage }]);
    const result = await run(['test/home.test.ts']);
    expect(result.code).toBe(1);
    expect(result.output).toContain(
      '  Baseline: snapshots/test/home.test.ts/home.jpg\n' +
        `            captured from http://shop.test/docs on ${day}, model agi-0, prompt v7\n` +
        '  Actual:   .vitest-agi/test/home.test.ts/home-actual.jpg\n',
    );
    const [home] = (await results()).assertions;
    expect(home).toMatchObject({ outcome: 'pixels-differ', baselineSource: JSON.parse(before[0]!.toString()) });
    expect([await sidecar('home'), await sidecar('thanks')]).toEqual(before);
  });

  test('`vitest -u` rewrites the sidecar of the baseline it updates, and only that one', async () => {
    const [home, thanks] = [JSON.parse((await sidecar('home')).toString()), await sidecar('thanks')];
    const result = await run(['test/home.test.ts', '-u']);
    expect(result.code, result.output).toBe(0);
    const updated = JSON.parse((await sidecar('home')).toString());
    expect(updated).toEqual({ ...home, sha256: sha256(shot('docs-edited.jpg')), capturedAt: expect.any(String) });
    expect(Date.parse(updated.capturedAt)).toBeGreaterThan(Date.parse(home.capturedAt));
    expect(await sidecar('thanks')).toEqual(thanks);
    expect((await results()).assertions.map((a: { outcome: string }) => a.outcome)).toEqual(['baseline-updated', 'matched']);
  });
});
