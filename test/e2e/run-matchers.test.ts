import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import type { RunResults } from '../../src/results/results.js';
import { detourScript, startDetourSite, toastScript, type DetourSite } from '../helpers/detour-site.js';
import { createProject, toolchain, type Project } from '../helpers/vitest-project.js';

// The matchers on a run in a user's project, run by a real Vitest: real runs of the emulator's scripted agent on
// real Chromium, against a shop whose way to the checkout the test changes between runs (a detour through /login).
// The site and the emulator live here, across the child runs, so every run sees the same URLs.
const CONFIG = `import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { setupFiles: ['vitest-agi/setup'], testTimeout: 60_000, hookTimeout: 120_000 } });
`;

/** One run of the checkout per test file, in beforeAll; the tests assert on it. Measured numbers go to stdout. */
const RUN = `
import { beforeAll, expect } from 'vitest';
import { AgiClient } from 'vitest-agi';

export const site = process.env.SITE_URL;
export let run;
beforeAll(async () => {
  const agi = new AgiClient({ apiKey: 'e2e-key', baseUrl: process.env.AGI_BASE_URL });
  const session = await agi.createSession();
  try {
    run = await session.run(process.env.SCRIPT, { timeout: 60_000, ...(process.env.EVERY_MS ? { capture: { everyMs: Number(process.env.EVERY_MS) } } : {}) });
  } finally {
    await session.delete();
  }
  expect(run.status).toBe('finished');
  console.log('RUN ' + JSON.stringify({ durationMs: run.durationMs, captures: run.captures.length, screenshots: run.captures.reduce((n, c) => n + c.count, 0) }));
});
`;

const TRAJECTORY_TEST = `
import { expect, test } from 'vitest';
import { run } from './run.js';

test('the checkout path', async () => {
  await expect(run).toMatchTrajectory('checkout', { ignoreQuery: ['sid'] });
});

test('the key pages, detours allowed', async () => {
  await expect(run).toMatchTrajectory('key pages', { ignoreQuery: true, allowExtraSteps: true });
});

test.runIf(process.env.WITH_QUERY)('the path with its query', async () => {
  await expect(run).toMatchTrajectory('with query');
});
`;

const VISITED_TEST = `
import { expect, test } from 'vitest';
import { run } from './run.js';

test('visits cart, checkout, thank-you in order', async () => {
  await expect(run).toHaveVisited(['/cart', { url: /\\/checkout\\?sid=\\d+$/, title: 'Checkout' }, /thank/i]);
  await expect(run).toHaveVisited([/thank/i, 'Shop'], { inOrder: false });
  await expect(run).not.toHaveVisited(['/login']);
});

test('out of order', async () => {
  await expect(run).toHaveVisited(['Thank you', 'Cart']);
});

test('a missing step', async () => {
  await expect(run).toHaveVisited(['Cart', '/login', 'Checkout']);
});

test('the page matchers read the final capture', async () => {
  await expect(run).toBeOnPage('Thank you');
  await expect(run).toHaveURL(/\\/thanks$/);
  await expect(run).toHaveTitle('Thank you');
  await expect(run).toMatchScreenshot('final page');
  await expect(run).not.toBeOnPage('Checkout');
});
`;

const SHOWN_TEST = `
import { expect, test } from 'vitest';
import { run } from './run.js';

test('the toast was shown on the way, though the final page no longer shows it', async () => {
  await expect(run).toHaveShown('Added to cart');
  await expect(run).not.toShowText('Added to cart');
  await expect(run).toShowText('blue mug');
});

test('a text no capture showed', async () => {
  await expect(run).toHaveShown('Out of stock');
});
`;

let emulator: Emulator;
let site: DetourSite;
let project: Project;

beforeAll(async () => {
  [emulator, site] = await Promise.all([startEmulator({ stepTimeout: 10_000 }), startDetourSite()]);
  project = await createProject({ 'vitest.config.ts': CONFIG, 'run.ts': RUN, 'trajectory.test.ts': TRAJECTORY_TEST, 'visited.test.ts': VISITED_TEST, 'shown.test.ts': SHOWN_TEST });
});
afterEach(() => {
  site.detour = false;
});
afterAll(async () => {
  await project?.remove();
  await emulator?.close();
  await site?.close();
});

interface Outcome {
  code: number | null;
  output: string;
  tests: Record<string, { status: string; message?: string }>;
  runs: Array<{ durationMs: number; captures: number; screenshots: number }>;
}

/** `vitest run <file>` in the project, with the report's per-test states and failure messages (site URL as SITE). */
async function vitest(file: string, env: Record<string, string> = {}, args: string[] = []): Promise<Outcome> {
  const filter = file === '' ? [] : [file];
  const result = await project.run([...filter, '--reporter=default', '--reporter=json', '--outputFile.json=report.json', '--reporter=vitest-agi/reporter', ...args], {
    AGI_BASE_URL: emulator.baseUrl,
    SITE_URL: site.url,
    SCRIPT: detourScript(site.url),
    ...env,
  });
  const json = JSON.parse((await project.read('report.json')).toString());
  const tests: Outcome['tests'] = {};
  for (const t of json.testResults.flatMap((f: { assertionResults: unknown[] }) => f.assertionResults)) {
    const message = t.failureMessages[0]?.split(/\n\s+at /)[0].replace(/^Error: /, '').split(site.url).join('SITE');
    tests[t.title] = { status: t.status, ...(message ? { message } : {}) };
  }
  const runs = [...result.output.matchAll(/^RUN (\{.*\})$/gm)].map((m) => JSON.parse(m[1]!));
  console.log(`${file} ${JSON.stringify(env)} ${args.join(' ')}: ${JSON.stringify(runs)}`);
  return { ...result, tests, runs };
}

/** `vitest-agi <args>` in the project, from the toolchain's installed package. */
async function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const tools = await toolchain();
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(GITHUB_|VITEST|CI$)/.test(key)));
  const child = spawn(tools.node, [path.join(tools.nodeModules, 'vitest-agi', 'dist', 'cli.js'), ...args], { cwd: project.dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let [stdout, stderr] = ['', ''];
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve, reject) => child.on('error', reject).on('close', resolve));
  return { code, stdout, stderr };
}

const results = async (): Promise<RunResults> => JSON.parse((await project.read('.vitest-agi/results.json')).toString());

const trajectory = (name: string) => `snapshots/trajectory.test.ts/${name}.trajectory.json`;
const stored = async (name: string) => (await project.read(trajectory(name))).toString().split(site.url).join('SITE');

/**
 * Times, capture counts and column padding depend on how the run's polls fell; the rest of the message does not.
 * The first capture may land on about:blank before the first page loads: that row comes and goes.
 */
function stable(message: string): string {
  return message
    .split('\n')
    .filter((line) => !line.includes('about:blank'))
    .join('\n')
    .replace(/\+\d+\.\d(–\d+\.\d)? s/g, '+T s')
    .replace(/sid=\d+/g, 'sid=N')
    .replace(/ ?\(\d+ captures\)/g, '')
    .replace(/\d+ pages, \d+ captures over \d+\.\d s/g, 'N pages, N captures over T s')
    .replace(/(\S) {2,}/g, '$1  ')
    .split('\n')
    .map((line) => line.trimEnd().replace(/^ {5,}(?=[✗·])/, '    '))
    .join('\n');
}

describe.sequential('toMatchTrajectory across runs', () => {
  test('in CI a missing trajectory fails and nothing is written', { timeout: 120_000 }, async () => {
    const ci = await vitest('trajectory.test.ts', { CI: 'true' });
    expect(ci.code).toBe(1);
    expect(ci.tests['the checkout path']!.message).toMatch(/\n\nNo trajectory at snapshots\/trajectory\.test\.ts\/checkout\.trajectory\.json, and baselines are not written in CI \(update mode "none"\)\./);
    expect(ci.tests['the checkout path']!.message).toContain('Run `vitest -u` locally and commit the file.');
    expect(project.exists('snapshots')).toBe(false);
  });

  test('the first local run writes the distinct pages, the next (in CI, new session ids) matches them', { timeout: 180_000 }, async () => {
    const first = await vitest('trajectory.test.ts', { WITH_QUERY: '1' });
    expect(first.code, first.output).toBe(0);
    // The reporter counts trajectory files with the baselines it wrote, and results.json records each assertion.
    expect(first.output).toContain(
      'vitest-agi: 3 baselines written\n' +
        '  written  snapshots/trajectory.test.ts/checkout.trajectory.json\n' +
        '  written  snapshots/trajectory.test.ts/key-pages--cf62ba64.trajectory.json\n' +
        '  written  snapshots/trajectory.test.ts/with-query--abd793f9.trajectory.json\n',
    );
    const [checkout] = (await results()).assertions;
    expect(checkout).toMatchObject({
      matcher: 'toMatchTrajectory', outcome: 'baseline-written', pass: true, name: 'checkout', baseline: trajectory('checkout'),
      snapshotDir: 'snapshots', title: 'Thank you', timeout: 0, captures: first.runs[0]!.captures, durationMs: first.runs[0]!.durationMs,
    });
    expect(await stored('checkout')).toMatchInlineSnapshot(`
      "{
        "steps": [
          {"url":"SITE/shop","title":"Shop"},
          {"url":"SITE/cart","title":"Cart"},
          {"url":"SITE/checkout","title":"Checkout"},
          {"url":"SITE/thanks","title":"Thank you"}
        ]
      }
      "
    `);
    expect(await stored('key-pages--cf62ba64')).toContain('"url":"SITE/checkout"');
    expect(JSON.parse((await project.read(`${trajectory('checkout')}.json`)).toString())).toMatchObject({ title: 'Thank you', width: 1280, height: 720 });
    const written = await project.read(trajectory('checkout'));

    const second = await vitest('trajectory.test.ts', { CI: 'true', WITH_QUERY: '1' });
    expect(second.tests['the checkout path']).toEqual({ status: 'passed' });
    expect(second.tests['the key pages, detours allowed']).toEqual({ status: 'passed' });
    // Without ignoreQuery the checkout's session id is part of the path, and it changed.
    expect(second.tests['the path with its query']!.message).toMatch(/\n\nTrajectory differs from snapshots\/trajectory\.test\.ts\/with-query--[0-9a-f]{8}\.trajectory\.json: 4 pages observed, 4 stored\./);
    expect(second.tests['the path with its query']!.message).toMatch(/\n- SITE\/checkout\?sid=\d+  "Checkout"\n\+ SITE\/checkout\?sid=\d+  "Checkout"\n/);
    expect(await project.read(trajectory('checkout'))).toEqual(written);
  });

  test('after the site adds a detour, the exact path fails with a line diff and the file is untouched; allowExtraSteps passes', { timeout: 120_000 }, async () => {
    const before = await project.read(trajectory('checkout'));
    site.detour = true;
    const detoured = await vitest('trajectory.test.ts', { CI: 'true' });
    expect(detoured.code).toBe(1);
    expect(detoured.tests['the key pages, detours allowed']).toEqual({ status: 'passed' });
    expect(detoured.tests['the checkout path']!.message!.replace(/on \d{4}-\d\d-\d\d/, 'on <day>').replace(/\d+ captures over \d+\.\d s/, 'N captures over T s'))
      .toMatchInlineSnapshot(`
        "expect(run).toMatchTrajectory("checkout")

        Trajectory differs from snapshots/trajectory.test.ts/checkout.trajectory.json: 5 pages observed, 4 stored.

          Trajectory: snapshots/trajectory.test.ts/checkout.trajectory.json
                      captured from SITE/thanks on <day>
          Run:        finished, N captures over T s

        - Snapshot  - 0
        + Received  + 1

          SITE/shop  "Shop"
          SITE/cart  "Cart"
        + SITE/login  "Log in"
          SITE/checkout  "Checkout"
          SITE/thanks  "Thank you"

        If the change is intended, run \`vitest -u\` to update the trajectory."
      `);
    expect(await project.read(trajectory('checkout'))).toEqual(before);
  });

  test('`vitest -u` rewrites the failing trajectory only; the next CI run passes', { timeout: 180_000 }, async () => {
    site.detour = true;
    const keyPages = await project.read(trajectory('key-pages--cf62ba64'));
    const updated = await vitest('trajectory.test.ts', {}, ['-u']);
    expect(updated.code, updated.output).toBe(0);
    expect(updated.output).toContain('vitest-agi: 1 baseline updated\n  updated  snapshots/trajectory.test.ts/checkout.trajectory.json\n');
    expect(await stored('checkout')).toContain('{"url":"SITE/login","title":"Log in"},');
    expect(await project.read(trajectory('key-pages--cf62ba64'))).toEqual(keyPages);
    const again = await vitest('trajectory.test.ts', { CI: 'true' });
    expect(again.code, again.output).toBe(0);
  });
});

describe('toHaveVisited and the page matchers on real runs', () => {
  test('passes in order, fails out of order and on a missing step with the path aligned to the steps', { timeout: 120_000 }, async () => {
    const result = await vitest('visited.test.ts');
    expect(result.tests['visits cart, checkout, thank-you in order']).toEqual({ status: 'passed' });
    expect(result.tests['the page matchers read the final capture']).toEqual({ status: 'passed' });
    expect(stable(result.tests['out of order']!.message!)).toMatchInlineSnapshot(`
      "expect(run).toHaveVisited(["Thank you", "Cart"])

      Step 2 of 2 was visited only before step 1: "Cart".

        Path: N pages, N captures over T s
          +T s  SITE/shop  "Shop"
          +T s  SITE/cart  "Cart"
          +T s  SITE/checkout?sid=N  "Checkout"
          +T s  SITE/thanks  "Thank you"  ✓ 1 "Thank you"
          ✗ 2 "Cart": visited at +T s, before step 1"
    `);
    expect(stable(result.tests['a missing step']!.message!)).toMatchInlineSnapshot(`
      "expect(run).toHaveVisited(["Cart", "/login", "Checkout"])

      Step 2 of 3 was never visited: "/login".

        Path: N pages, N captures over T s
          +T s  SITE/shop  "Shop"
          +T s  SITE/cart  "Cart"  ✓ 1 "Cart"
          +T s  SITE/checkout?sid=N  "Checkout"
          +T s  SITE/thanks  "Thank you"
          ✗ 2 "/login": never visited
          · 3 "Checkout": not checked"
    `);
  });
});

describe('toHaveShown on a real run', () => {
  test('catches a toast shown for ~1 s mid-run, gone at the end; a text never shown fails naming the captures read', { timeout: 180_000 }, async () => {
    const result = await vitest('shown.test.ts', { SCRIPT: toastScript(site.url), EVERY_MS: '250' });
    expect(result.tests['the toast was shown on the way, though the final page no longer shows it']).toEqual({ status: 'passed' });
    const message = result.tests['a text no capture showed']!.message!;
    expect(message).toMatch(/^expect\(run\)\.toHaveShown\("Out of stock"\)\n\nExpected some capture of the run to show "Out of stock" \(ignoring case and spacing\), but OCR read it in none of the \d+ captures\.\n\n  Read (\d+) of \1 captures \(OCR\):\n/);
    // One row per capture read: its time, page and the start of its text (OCR reads "×" as "x"). A capture
    // may land mid-navigation (old URL, "Loading …" title): rows are matched, not counted.
    expect(message).toMatch(/\n {4}\+\d+\.\d s {2}SITE\/shop {2}"Shop" +read "Shop One blue mug\. Add to cart"\n/);
    expect(message).toMatch(/\n {4}\+\d+\.\d s {2}SITE\/cart {2}"Cart" +read "[^"\n]*Added to cart[^"\n]*"\n/);
    expect(message).toMatch(/\n {4}\+\d+\.\d s {2}SITE\/cart {2}"Cart" +read "Cart 1 [x×] blue mug Checkout"$/);
    console.log(`toast run: ${JSON.stringify(result.runs)}`);
  });
});

describe('vitest-agi prune', () => {
  test('knows trajectory files as baselines: keeps the used ones, lists and deletes an unused one with its sidecar', { timeout: 120_000 }, async () => {
    // A complete, green run: the visited tests (some fail on purpose) and the query trajectory's test are gone.
    await rm(project.path('visited.test.ts'));
    await rm(project.path('shown.test.ts'));
    await project.write('trajectory.test.ts', TRAJECTORY_TEST.replace(/test\.runIf[\s\S]*$/, ''));
    site.detour = true; // as the trajectory was updated
    const complete = await vitest('', { CI: 'true' });
    expect(complete.code, complete.output).toBe(0);
    const listed = await cli(['prune']);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout.replace(/\d{4}-\d\d-\d\d \d\d:\d\d UTC/, '<date>')).toBe(
      'Unused: 2 of 4 baselines (and provenance sidecars) that no assertion used in the last complete run (.vitest-agi/results.json, <date>):\n\n' +
        '  snapshots/trajectory.test.ts/with-query--abd793f9.trajectory.json\n' +
        '  snapshots/trajectory.test.ts/with-query--abd793f9.trajectory.json.json\n' +
        '  snapshots/visited.test.ts/final-page--d462dcc3.jpg\n' +
        '  snapshots/visited.test.ts/final-page--d462dcc3.jpg.json\n' +
        '\nRun `vitest-agi prune --delete` to delete them.\n',
    );
    expect((await cli(['prune', '--delete'])).code).toBe(0);
    expect(project.exists(trajectory('with-query--abd793f9'))).toBe(false);
    expect(project.exists(`${trajectory('with-query--abd793f9')}.json`)).toBe(false);
    expect([trajectory('checkout'), `${trajectory('checkout')}.json`, trajectory('key-pages--cf62ba64')].filter((file) => !project.exists(file))).toEqual([]);
  });
});
