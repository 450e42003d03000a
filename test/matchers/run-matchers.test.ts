import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { UnreadableBaselineError, UsageError } from '../../src/errors.js';
import { configure, resetConfiguration } from '../../src/options/options.js';
import { recordedAssertions } from '../../src/results/records.js';
import { Screenshot } from '../../src/image/screenshot.js';
import { checkoutRun, runOf } from '../helpers/agent-run.js';
import { shot } from '../helpers/fixtures.js';
import { failureOf } from '../helpers/messages.js';
import { useLocalUpdateMode } from '../helpers/local-update-mode.js';

// The matchers on a run, in process, on runs made of real Chromium JPEGs (test/helpers/agent-run.ts). The update
// modes and the files a real Vitest run leaves are covered by test/e2e/run-matchers.test.ts against the emulator.
let dir: string;
const here = 'test/matchers/run-matchers.test.ts';
const trajectoryFile = (name: string) => path.join(dir, 'snapshots', here, `${name}.trajectory.json`);

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'agi-run-'));
  configure({ snapshotDir: path.join(dir, 'snapshots'), outputDir: path.join(dir, 'out') });
});
afterEach(async () => {
  resetConfiguration();
  await rm(dir, { recursive: true, force: true });
});

useLocalUpdateMode(); // trajectories are written here as on a local run, also when the suite runs under CI

describe('toHaveVisited', () => {
  test('passes when every step matches a page, in order, each in the ways toBeOnPage accepts', async () => {
    await expect(checkoutRun()).toHaveVisited(['checkout', { url: /thank-you/, title: 'Thank you — Tiny Shop' }]);
    await expect(checkoutRun()).toHaveVisited(['Tiny Shop', /checkout/, /thank/i]);
  });

  test('a step may match the same page as the step before it', async () => {
    await expect(checkoutRun()).toHaveVisited(['checkout', /item=mug/, 'thank']);
  });

  test('fails on a step seen only before its predecessor, saying when it was seen', async () => {
    expect(await failureOf(expect(checkoutRun()).toHaveVisited([/thank/i, 'checkout']))).toMatchInlineSnapshot(`
      "expect(run).toHaveVisited([/thank/i, "checkout"])

      Step 2 of 2 was visited only before step 1: "checkout".

        Path: 3 pages, 5 captures over 2.4 s
          +0.0 s      http://shop.test/                    "Tiny Shop"
          +0.6–1.2 s  http://shop.test/checkout?item=mug   "Checkout — Tiny Shop"   (3 captures)
          +2.4 s      http://shop.test/thank-you?item=mug  "Thank you — Tiny Shop"                ✓ 1 /thank/i
                                                                                                  ✗ 2 "checkout": visited at +0.6 s, before step 1"
    `);
  });

  test('fails on a missing step, marks it, and leaves the later steps unchecked', async () => {
    expect(await failureOf(expect(checkoutRun()).toHaveVisited(['checkout', '/login', /thank/i]))).toMatchInlineSnapshot(`
      "expect(run).toHaveVisited(["checkout", "/login", /thank/i])

      Step 2 of 3 was never visited: "/login".

        Path: 3 pages, 5 captures over 2.4 s
          +0.0 s      http://shop.test/                    "Tiny Shop"
          +0.6–1.2 s  http://shop.test/checkout?item=mug   "Checkout — Tiny Shop"   (3 captures)  ✓ 1 "checkout"
          +2.4 s      http://shop.test/thank-you?item=mug  "Thank you — Tiny Shop"
                                                                                                  ✗ 2 "/login": never visited
                                                                                                  · 3 /thank/i: not checked"
    `);
  });

  test('with inOrder false passes in any order, and names every step never visited', async () => {
    await expect(checkoutRun()).toHaveVisited([/thank/i, 'checkout'], { inOrder: false });
    expect(await failureOf(expect(checkoutRun()).toHaveVisited(['/login', 'thank', '/cart'], { inOrder: false }))).toMatchInlineSnapshot(`
      "expect(run).toHaveVisited(["/login", "thank", "/cart"])

      2 of 3 steps were never visited: "/login", "/cart".

        Path: 3 pages, 5 captures over 2.4 s
          +0.0 s      http://shop.test/                    "Tiny Shop"
          +0.6–1.2 s  http://shop.test/checkout?item=mug   "Checkout — Tiny Shop"   (3 captures)
          +2.4 s      http://shop.test/thank-you?item=mug  "Thank you — Tiny Shop"                ✓ 2 "thank"
                                                                                                  ✗ 1 "/login": never visited
                                                                                                  ✗ 3 "/cart": never visited"
    `);
  });

  test('.not with one step means "never visited", and fails saying when it was', async () => {
    await expect(checkoutRun()).not.toHaveVisited([/error/i]);
    expect(await failureOf(expect(checkoutRun()).not.toHaveVisited(['checkout']))).toMatchInlineSnapshot(`
      "expect(run).not.toHaveVisited(["checkout"])

      Expected the run never to visit "checkout", but it did at +0.6 s.

        Path: 3 pages, 5 captures over 2.4 s
          +0.0 s      http://shop.test/                    "Tiny Shop"
          +0.6–1.2 s  http://shop.test/checkout?item=mug   "Checkout — Tiny Shop"   (3 captures)  ✓ 1 "checkout"
          +2.4 s      http://shop.test/thank-you?item=mug  "Thank you — Tiny Shop""
    `);
  });

  test('.not with several steps holds when they were not all visited in order', async () => {
    await expect(checkoutRun()).not.toHaveVisited(['thank', 'checkout']);
    await expect(expect(checkoutRun()).not.toHaveVisited(['checkout', 'thank'])).rejects.toThrowError('Expected the run not to visit all 2 steps in order, but it did.');
  });

  test('escapes page text from the network in the path', async () => {
    const run = runOf([{ atMs: 0, url: 'http://shop.test/\u001b[2J', title: 'Evil\r title' }]);
    const message = await failureOf(expect(run).toHaveVisited(['checkout']));
    expect(message).toContain('http://shop.test/\\u001b[2J  "Evil\\r title"');
    expect(message).not.toContain('\u001b');
  });

  test('records the run in results: its captures, its duration, the outcome path-differs', async ({ task }) => {
    await expect(expect(checkoutRun()).toHaveVisited(['/login'])).rejects.toThrowError();
    expect(recordedAssertions(task)).toEqual([
      expect.objectContaining({
        matcher: 'toHaveVisited', outcome: 'path-differs', pass: false, expected: '["/login"]', captures: 4, durationMs: 2380, timeout: 0,
        url: 'http://shop.test/thank-you?item=mug', trajectory: expect.arrayContaining([{ atMs: 640, url: 'http://shop.test/checkout?item=mug', title: 'Checkout — Tiny Shop' }]),
      }),
    ]);
  });

  test.each([
    [[], 'toHaveVisited: expected a non-empty array of pages (each what toBeOnPage accepts), but received an array of 0.'],
    ['checkout', 'toHaveVisited: expected a non-empty array of pages (each what toBeOnPage accepts), but received the string "checkout".'],
    [['checkout', 42], 'toHaveVisited: step 2: expected a string (part of the URL or title), a RegExp, or { url?, title? } with at least one part, but received number.'],
  ])('refuses the steps %j', async (steps, message) => {
    await expect(expect(checkoutRun()).toHaveVisited(steps as never)).rejects.toThrowError(new UsageError(message));
  });

  test('refuses a subject that is not a run, and an unknown option', async () => {
    const screenshot = new Screenshot({ bytes: shot('docs.jpg'), url: 'http://x/', title: 'X' });
    await expect(expect(screenshot).toHaveVisited(['x'])).rejects.toThrowError(
      'toHaveVisited: expect() needs a run (what `await session.run(message)` resolves to), but received a Screenshot with keys {',
    );
    await expect(expect(checkoutRun()).toHaveVisited(['x'], { ordered: false } as never)).rejects.toThrowError('toHaveVisited: unknown option `ordered`. Known options: `inOrder`.');
    await expect(expect(checkoutRun()).toHaveVisited(['x'], { inOrder: 'no' } as never)).rejects.toThrowError('toHaveVisited: `inOrder` must be true or false, but received the string "no".');
  });
});

describe('the page matchers on a run use its final capture', () => {
  test('toBeOnPage, toHaveURL and toHaveTitle see the page the run ended on', async () => {
    const run = checkoutRun();
    await expect(run).toBeOnPage(/thank/i);
    await expect(run).not.toBeOnPage('checkout');
    await expect(run).toHaveURL('http://shop.test/thank-you?item=mug');
    await expect(run).toHaveTitle('Thank you — Tiny Shop');
    expect(await failureOf(expect(run).toHaveTitle('Checkout — Tiny Shop'))).toMatchInlineSnapshot(`
      "expect(run).toHaveTitle("Checkout — Tiny Shop")

        Expected:       title to be "Checkout — Tiny Shop"
        Received URL:   "http://shop.test/thank-you?item=mug"
        Received title: "Thank you — Tiny Shop""
    `);
  });

  test('toMatchScreenshot compares the final capture (its bytes: thanks.jpg)', async () => {
    const file = path.join(dir, 'snapshots', here, 'done.jpg');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, shot('thanks.jpg'));
    await expect(checkoutRun()).toMatchScreenshot('done');
    await writeFile(file, shot('form.jpg'));
    await expect(expect(checkoutRun()).toMatchScreenshot('done')).rejects.toThrowError(/Screenshot differs from baseline/);
  });

  test('a timeout on a run is refused: its final capture cannot change', async () => {
    await expect(expect(checkoutRun()).toBeOnPage('thank', { timeout: 5000 })).rejects.toThrowError(
      new UsageError('toBeOnPage: `timeout` has no effect on a run: a run is a finished record and its final capture does not change. Remove `timeout`, or assert on the session while the agent works.'),
    );
    await expect(expect(checkoutRun()).toMatchScreenshot('x', { timeout: 1 })).rejects.toThrowError(/^toMatchScreenshot: `timeout` has no effect on a run/);
  });

  test("configure()'s project-wide timeout is not applied to a run: one capture, no waiting", async ({ task }) => {
    configure({ timeout: 60_000 });
    await expect(checkoutRun()).not.toBeOnPage('checkout');
    expect(recordedAssertions(task)).toEqual([expect.objectContaining({ matcher: 'toBeOnPage', captures: 1, timeout: 0 })]);
  });

  test('a run without captures has no final page', async () => {
    await expect(expect(runOf([], 'error')).toBeOnPage('x')).rejects.toThrowError(
      new UsageError('toBeOnPage: the run has no captures (status "error"), so there is no final page to check.'),
    );
  });
});

describe('toMatchTrajectory', () => {
  const detour = () =>
    runOf([
      { atMs: 0, url: 'http://shop.test/', title: 'Tiny Shop' },
      { atMs: 500, url: 'http://shop.test/login?next=%2Fcheckout', title: 'Log in — Tiny Shop' },
      { atMs: 900, url: 'http://shop.test/checkout?item=mug', title: 'Checkout — Tiny Shop' },
      { atMs: 2380, url: 'http://shop.test/thank-you?item=mug', title: 'Thank you — Tiny Shop' },
    ]);

  test('writes a missing trajectory (locally), then matches it; the file lists the distinct pages', async () => {
    await expect(checkoutRun()).toMatchTrajectory('checkout');
    expect(await readFile(trajectoryFile('checkout'), 'utf8')).toMatchInlineSnapshot(`
      "{
        "steps": [
          {"url":"http://shop.test/","title":"Tiny Shop"},
          {"url":"http://shop.test/checkout?item=mug","title":"Checkout — Tiny Shop"},
          {"url":"http://shop.test/thank-you?item=mug","title":"Thank you — Tiny Shop"}
        ]
      }
      "
    `);
    const sidecar = JSON.parse(await readFile(`${trajectoryFile('checkout')}.json`, 'utf8'));
    expect(sidecar).toMatchObject({ url: 'http://shop.test/thank-you?item=mug', title: 'Thank you — Tiny Shop', width: 1280, height: 720 });
    await expect(checkoutRun()).toMatchTrajectory('checkout');
  });

  test('fails with a line diff after a detour, and leaves the file untouched', async () => {
    await expect(checkoutRun()).toMatchTrajectory('checkout');
    const before = await readFile(trajectoryFile('checkout'));
    const message = await failureOf(expect(detour()).toMatchTrajectory('checkout'), { [dir]: '<tmp>' });
    expect(message.replace(/on \d{4}-\d\d-\d\d/, 'on <day>')).toMatchInlineSnapshot(`
      "expect(run).toMatchTrajectory("checkout")

      Trajectory differs from <tmp>/snapshots/test/matchers/run-matchers.test.ts/checkout.trajectory.json: 4 pages observed, 3 stored.

        Trajectory: <tmp>/snapshots/test/matchers/run-matchers.test.ts/checkout.trajectory.json
                    captured from http://shop.test/thank-you?item=mug on <day>
        Run:        finished, 4 captures over 2.4 s

      - Snapshot  - 0
      + Received  + 1

        http://shop.test/  "Tiny Shop"
      + http://shop.test/login?next=%2Fcheckout  "Log in — Tiny Shop"
        http://shop.test/checkout?item=mug  "Checkout — Tiny Shop"
        http://shop.test/thank-you?item=mug  "Thank you — Tiny Shop"

      If the change is intended, run \`vitest -u\` to update the trajectory."
    `);
    expect(await readFile(trajectoryFile('checkout'))).toEqual(before);
  });

  test('allowExtraSteps passes when the stored path appears in order within the observed one', async () => {
    await expect(checkoutRun()).toMatchTrajectory('checkout');
    await expect(detour()).toMatchTrajectory('checkout', { allowExtraSteps: true });
    const reversed = runOf([
      { atMs: 0, url: 'http://shop.test/thank-you?item=mug', title: 'Thank you — Tiny Shop' },
      { atMs: 10, url: 'http://shop.test/checkout?item=mug', title: 'Checkout — Tiny Shop' },
      { atMs: 20, url: 'http://shop.test/', title: 'Tiny Shop' },
    ]);
    await expect(expect(reversed).toMatchTrajectory('checkout', { allowExtraSteps: true })).rejects.toThrowError(
      /its 3 pages do not appear in order among the 3 pages observed \(allowExtraSteps\)/,
    );
  });

  test('ignoreQuery drops the query (or the parameters listed) on both sides, and folds the pages it makes equal', async () => {
    const paging = (session: string) =>
      runOf([
        { atMs: 0, url: `http://shop.test/search?q=mug&session=${session}`, title: 'Search' },
        { atMs: 10, url: `http://shop.test/search?q=mug&page=2&session=${session}`, title: 'Search' },
      ]);
    await expect(paging('a1')).toMatchTrajectory('search', { ignoreQuery: ['session'] });
    await expect(paging('b2')).toMatchTrajectory('search', { ignoreQuery: ['session'] });
    await expect(expect(paging('b2')).toMatchTrajectory('search')).rejects.toThrowError(/2 pages observed, 2 stored/);
    expect(await readFile(trajectoryFile('search'), 'utf8')).not.toContain('session');
    await expect(paging('c3')).toMatchTrajectory('search-all', { ignoreQuery: true });
    expect(JSON.parse(await readFile(trajectoryFile('search-all'), 'utf8')).steps).toEqual([{ url: 'http://shop.test/search', title: 'Search' }]);
  });

  test('default names count per test, apart from screenshot names', async ({ task }) => {
    await expect(checkoutRun()).toMatchTrajectory();
    await expect(detour()).toMatchTrajectory();
    const testName = expect.getState().currentTestName;
    expect(recordedAssertions(task).map((a) => a.name)).toEqual([`${testName} 1`, `${testName} 2`]);
    expect(recordedAssertions(task).map((a) => a.outcome)).toEqual(['baseline-written', 'baseline-written']);
  });

  test('.not passes on a differing path and fails on a matching one; a missing trajectory is not written under .not', async () => {
    await expect(checkoutRun()).toMatchTrajectory('checkout');
    await expect(detour()).not.toMatchTrajectory('checkout');
    await expect(expect(checkoutRun()).not.toMatchTrajectory('checkout')).rejects.toThrowError(/Expected the trajectory to differ from .*checkout\.trajectory\.json, but it matches\./);
    await expect(expect(checkoutRun()).not.toMatchTrajectory('other')).rejects.toThrowError(/No trajectory at .*other\.trajectory\.json to differ from \(under \.not none is written\)\./);
    expect(existsSync(trajectoryFile('other'))).toBe(false);
  });

  test('an unreadable trajectory fails with what to do', async () => {
    await mkdir(path.dirname(trajectoryFile('broken')), { recursive: true });
    await writeFile(trajectoryFile('broken'), '<<<<<<< HEAD');
    await expect(expect(checkoutRun()).toMatchTrajectory('broken')).rejects.toThrowError(UnreadableBaselineError);
  });

  test.each([
    [{ ignoreQuery: 'session' }, 'toMatchTrajectory: `ignoreQuery` must be true, false or an array of query parameter names, but received the string "session".'],
    [{ allowExtraSteps: 1 }, 'toMatchTrajectory: `allowExtraSteps` must be true or false, but received number 1.'],
    [{ ignoreQuerys: true }, 'toMatchTrajectory: unknown option `ignoreQuerys`. Known options: `ignoreQuery`, `allowExtraSteps`.'],
  ])('refuses the options %j', async (options, message) => {
    await expect(expect(checkoutRun()).toMatchTrajectory('x', options as never)).rejects.toThrowError(new UsageError(message));
  });
});

test('toMatchTrajectory leaves out the empty page before the first navigation (the first capture may land on it)', async () => {
  const blankFirst = runOf([
    { atMs: 0, url: 'about:blank', title: '' },
    { atMs: 300, url: 'http://shop.test/', title: 'Tiny Shop' },
    { atMs: 900, url: 'http://shop.test/thank-you?item=mug', title: 'Thank you — Tiny Shop' },
  ]);
  await expect(blankFirst).toMatchTrajectory('blank');
  expect(JSON.parse(await readFile(trajectoryFile('blank'), 'utf8')).steps.map((s: { url: string }) => s.url)).toEqual(['http://shop.test/', 'http://shop.test/thank-you?item=mug']);
  await expect(runOf(blankFirst.captures.slice(1))).toMatchTrajectory('blank');
});

describe('toHaveShown refuses before reading anything', () => {
  test.each([
    ['', undefined, 'toHaveShown: the expected text is empty, and every screen shows that; give the text to look for.'],
    [42, undefined, 'toHaveShown: the expected text must be a string or a RegExp, but received number.'],
    ['x', { regoin: {} }, 'toHaveShown: unknown option `regoin`. Known options: `region`.'],
    ['x', { region: 'top' }, 'toHaveShown: `region` must be {x, y, width, height} in whole pixels, but received the string "top".'],
  ])('%j with %j', async (expected, options, message) => {
    await expect(expect(checkoutRun()).toHaveShown(expected as never, options as never)).rejects.toThrowError(new UsageError(message));
  });

  test('a region outside the captures, and a subject that is not a run', async () => {
    await expect(expect(checkoutRun()).toHaveShown('x', { region: { x: 1200, y: 0, width: 200, height: 10 } })).rejects.toThrowError(/^toHaveShown: `region` .* reaches outside the 1280×720 screenshot/);
    await expect(expect({ screenshot: async () => ({}) }).toHaveShown('x')).rejects.toThrowError(/^toHaveShown: expect\(\) needs a run/);
  });
});
