import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeImage } from '../../src/image/image.js';
import { OUTLINE_COLOR } from '../../src/image/regions.js';
import { createProject, type Project } from '../helpers/vitest-project.js';
import { validateResults } from '../review/json-schema.js';

// Live pages, in a user's project run by a real Vitest against the emulator on real Chromium: a site whose pages
// change (a badge that changes colour, a two-state banner, a page still moving after load, one that never stops),
// served by the project's own globalSetup, with results.json from the reporter. Each child run starts Chromium
// (5–25 s on a loaded machine), so each test gets minutes.
const CONFIG = `import { defineConfig } from 'vitest/config';
export default defineConfig({ test: {
  globalSetup: ['./global-setup.ts'], setupFiles: ['vitest-agi/setup'], reporters: ['default', 'vitest-agi/reporter'],
  testTimeout: 60_000, hookTimeout: 60_000,
} });
`;

const GLOBAL_SETUP = `
import { createServer } from 'node:http';
import { startEmulator } from 'vitest-agi/emulator';

const page = (body, script = '') => \`<!doctype html><html><head><meta charset="utf-8"><title>Live</title>
<style>body { margin: 0; font-family: sans-serif; background: #fff; } h1 { margin: 24px 32px; }
.at { position: absolute; }</style></head><body><h1>A live page</h1>\${body}<script>\${script}</script></body></html>\`;

// Every box is absolutely placed, so the tests know where it is: left, top, width, height in CSS px (scale 1).
const PAGES = {
  // A 160×48 badge at (320, 240), in the colour the query asks for.
  '/badge': (q) => page(\`<div class="at" style="left:320px; top:240px; width:160px; height:48px; background:\${q.get('colour') === 'red' ? '#c0392b' : '#16a085'}"></div>\`),
  // A banner in one of two states (a rotating promotion).
  '/banner': (q) => page({
    a: '<div class="at" style="left:0; top:100px; width:1280px; height:80px; background:#f39c12; color:#000; font-size:32px">20% off all mugs</div>',
    b: '<div class="at" style="left:0; top:100px; width:1280px; height:80px; background:#2c3e50; color:#fff; font-size:32px">Free shipping this week</div>',
    c: '<div class="at" style="left:0; top:100px; width:1280px; height:80px; background:#27ae60; color:#fff; font-size:32px">New: tea towels</div>',
  }[q.get('state')]),
  // A progress bar that grows for 1 s after load, then stays full (?still: full from the start).
  '/settling': (q) => page(\`<div id="bar" class="at" style="left:100px; top:200px; height:60px; background:#8e44ad; width:\${q.has('still') ? 1000 : 0}px"></div>\`,
    q.has('still') ? '' : 'const start = Date.now(); const t = setInterval(() => { const s = Math.min(1, (Date.now() - start) / 1000); bar.style.width = (1000 * s) + "px"; if (s === 1) clearInterval(t); }, 40);'),
  // A big counter that never stops (?still: the first number only).
  '/restless': (q) => page('<div id="n" class="at" style="left:100px; top:200px; font-size:96px">0</div>',
    q.has('still') ? '' : 'let i = 0; setInterval(() => { n.textContent = String(++i); }, 60);'),
};

export default async function setup(project) {
  const server = createServer((request, response) => {
    const url = new URL(request.url, 'http://site');
    const render = PAGES[url.pathname];
    response.writeHead(render ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    response.end(render ? render(url.searchParams) : 'not found');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const emulator = await startEmulator();
  project.provide('siteUrl', \`http://127.0.0.1:\${server.address().port}\`);
  project.provide('agiBaseUrl', emulator.baseUrl);
  return async () => {
    await emulator.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  };
}
`;

/** The user's test: opens PAGE in a fresh session and asserts toMatchScreenshot(NAME, OPTIONS), all from the environment. */
const LIVE_TEST = `
import { expect, inject, test } from 'vitest';
import { AgiClient } from 'vitest-agi';

const agi = new AgiClient({ apiKey: 'live-key', baseUrl: inject('agiBaseUrl') });

test('the live page', async () => {
  const session = await agi.createSession();
  try {
    await session.navigate(inject('siteUrl') + process.env.PAGE);
    await expect(session).toMatchScreenshot(process.env.NAME, JSON.parse(process.env.OPTIONS ?? '{}'));
  } finally {
    await session.delete();
  }
});
`;

/** One run of the live test; `-u` and CI as given. */
const run = (name: string, page: string, options: object = {}, flags: string[] = [], env: Record<string, string> = {}) =>
  project.run(['live.test.ts', ...flags], { NAME: name, PAGE: page, OPTIONS: JSON.stringify(options), ...env });
const baseline = (file: string) => `snapshots/live.test.ts/${file}`;

let project: Project;

interface Assertion {
  outcome: string;
  pass: boolean;
  message?: string;
  regions?: Array<{ x: number; y: number; width: number; height: number; diffPixels: number }>;
  diff?: string;
  variant?: number;
  captures: number;
  settle?: { settled: boolean; captures: number; durationMs: number };
}

/** results.json's assertions, checked against docs/results.schema.json. */
async function assertions(): Promise<Assertion[]> {
  const results = JSON.parse((await project.read('.vitest-agi/results.json')).toString());
  expect(validateResults(results)).toEqual([]);
  return results.assertions;
}

beforeAll(async () => {
  project = await createProject({
    'vitest.config.ts': CONFIG,
    'global-setup.ts': GLOBAL_SETUP,
    'live.test.ts': LIVE_TEST,
  });
});
afterAll(() => project?.remove());

describe('changed regions', () => {
  test('a badge that changed colour fails with its region in the message, in results.json and outlined on the diff', { timeout: 180_000 }, async () => {
    const first = await run('badge', '/badge?colour=teal');
    expect(first.code, first.output).toBe(0);
    const changed = await run('badge', '/badge?colour=red');
    expect(changed.code).toBe(1);
    const [record] = await assertions();
    expect(record!.message!.replace(/ on \d{4}-\d\d-\d\d$/m, ' on <day>').replace(/127\.0\.0\.1:\d+/g, '<site>')).toMatchInlineSnapshot(`
      "expect(session).toMatchScreenshot("badge")

      Screenshot differs from baseline: 7,268 pixels differ (0.79% of 1280×720);
      allowed: 32 pixels (maxDiffPixels 32), threshold 0.1.

      1 changed region: 158×46 at (321, 241), 7,268 px.

        Baseline: snapshots/live.test.ts/badge.jpg
                  captured from http://<site>/badge?colour=teal on <day>
        Actual:   .vitest-agi/live.test.ts/badge-actual.jpg
        Diff:     .vitest-agi/live.test.ts/badge-diff.png
        Page:     http://<site>/badge?colour=red  "Live"

      If the change is intended, run \`vitest -u\` to update the baseline."
    `);
    // The badge is 160×48 at (320, 240): the one region holds it, and JPEG blur adds at most a few pixels around it.
    expect(record!.regions).toHaveLength(1);
    const region = record!.regions![0]!;
    // The box holds the badge up to its outermost pixel row and column: JPEG's 4:2:0 chroma blurs a recoloured
    // edge, and with the wasm decoder that edge falls under the threshold (158×46 at (321, 241)).
    const EDGE = 1;
    expect(region.x).toBeLessThanOrEqual(320 + EDGE);
    expect(region.y).toBeLessThanOrEqual(240 + EDGE);
    expect(region.x + region.width).toBeGreaterThanOrEqual(320 + 160 - EDGE);
    expect(region.y + region.height).toBeGreaterThanOrEqual(240 + 48 - EDGE);
    expect(region.width).toBeLessThanOrEqual(160 + 8);
    expect(region.height).toBeLessThanOrEqual(48 + 8);
    // The diff PNG has the outline just outside the box (2 px, blue), and the badge's pixels red inside it.
    const diff = decodeImage(await readFile(project.path(record!.diff!)), 'image/png');
    const at = (x: number, y: number) => [...diff.data.subarray((y * diff.width + x) * 4, (y * diff.width + x) * 4 + 3)];
    expect(at(region.x - 1, region.y + 10)).toEqual([...OUTLINE_COLOR]);
    expect(at(region.x + region.width, region.y + region.height)).toEqual([...OUTLINE_COLOR]);
    expect(at(400, 264)).toEqual([255, 0, 0]);
  });
});

describe('accepted variants', () => {
  const files = ['banner.jpg', 'banner.jpg.json', 'banner.2.jpg', 'banner.2.jpg.json'];

  test('a two-state banner passes with `variants: 2` after two `-u` runs, and fails with `variants: 1`', { timeout: 300_000 }, async () => {
    for (const [state, variant] of [['a', 1], ['b', 2]] as const) {
      if (state === 'b') {
        // Update mode "new" (a local run without -u) writes only a missing baseline: like Vitest's, it adds no variant.
        const local = await run('banner', '/banner?state=b', { variants: 2 });
        expect(local.code).toBe(1);
        const [failed] = await assertions();
        expect(failed!.message).toContain('The only accepted variant does not match:\n  Variant 1: snapshots/live.test.ts/banner.jpg  ');
        expect(failed!.message).toContain('If this look is right too, run `vitest -u` to add it as another accepted variant (`variants: 2` allows 2).');
        expect(project.exists(baseline('banner.2.jpg'))).toBe(false);
      }
      const updated = await run('banner', `/banner?state=${state}`, { variants: 2 }, ['-u']);
      expect(updated.code, updated.output).toBe(0);
      expect(await assertions()).toMatchObject([{ outcome: 'baseline-written', variant }]);
    }
    expect(files.map((file) => project.exists(baseline(file)))).toEqual([true, true, true, true]);
    const stored = await Promise.all(files.map((file) => project.read(baseline(file))));

    for (const [state, variant] of [['a', 1], ['b', 2]] as const) {
      const ci = await run('banner', `/banner?state=${state}`, { variants: 2 }, [], { CI: 'true' });
      expect(ci.code, ci.output).toBe(0);
      expect(await assertions()).toMatchObject([
        { outcome: 'matched', variant, diffPixels: 0, variantFiles: ['snapshots/live.test.ts/banner.2.jpg', 'snapshots/live.test.ts/banner.jpg'] },
      ]);
    }
    const one = await run('banner', '/banner?state=b', { variants: 1 }, [], { CI: 'true' });
    expect(one.code).toBe(1);
    expect(await assertions()).toMatchObject([{ outcome: 'pixels-differ', pass: false }]);
    expect(await Promise.all(files.map((file) => project.read(baseline(file))))).toEqual(stored);
  });

  test('`-u` at the variant limit fails, names each variant and the files to delete, and replaces nothing', { timeout: 120_000 }, async () => {
    const stored = await Promise.all(files.map((file) => project.read(baseline(file))));
    const refused = await run('banner', '/banner?state=c', { variants: 2 }, ['-u']);
    expect(refused.code).toBe(1);
    const [record] = await assertions();
    expect(record).toMatchObject({ outcome: 'pixels-differ', pass: false, variant: expect.any(Number) });
    expect(unsettledText(record!.message!)).toMatchInlineSnapshot(`
      "expect(session).toMatchScreenshot("banner")

      Screenshot differs from baseline: <n> pixels differ (<p>% of 1280×720);
      allowed: 32 pixels (maxDiffPixels 32), threshold 0.1.

      None of the 2 accepted variants matches; the closest is variant 2:
        Variant 1: snapshots/live.test.ts/banner.jpg    101,835 pixels differ
        Variant 2: snapshots/live.test.ts/banner.2.jpg  100,217 pixels differ (closest)

      <regions>

        Baseline: snapshots/live.test.ts/banner.2.jpg
                  captured from http://<site>/banner?state=b on <day>
        Actual:   .vitest-agi/live.test.ts/banner-actual.jpg
        Diff:     .vitest-agi/live.test.ts/banner-diff.png
        Page:     http://<site>/banner?state=c  "Live"

      \`vitest -u\` added no variant: all 2 (\`variants: 2\`) exist, and none is replaced silently. If this look is right, delete the variant files no longer wanted (snapshots/live.test.ts/banner.jpg, snapshots/live.test.ts/banner.2.jpg) and run \`vitest -u\` again, or raise \`variants\`."
    `);
    expect(await Promise.all(files.map((file) => project.read(baseline(file))))).toEqual(stored);
    expect(project.exists(baseline('banner.3.jpg'))).toBe(false);
  });
});

describe('settled capture', () => {
  test('`settle` waits out a page that moves for 1 s after load, and writes the still page as the baseline', { timeout: 180_000 }, async () => {
    const first = await run('settling', '/settling', { settle: 5000 });
    expect(first.code, first.output).toBe(0);
    const [written] = await assertions();
    expect(written).toMatchObject({ outcome: 'baseline-written', settle: { settled: true } });
    // Captures ~0.1–0.3 s apart during 1 s of growth, then two alike: more than two, far fewer than 5 s would allow.
    expect(written!.settle!.captures).toBeGreaterThan(2);
    // The baseline is the full bar: the page rendered still from the start matches it byte for byte.
    const still = await run('settling', '/settling?still', {}, [], { CI: 'true' });
    expect(still.code, still.output).toBe(0);
    expect(await assertions()).toMatchObject([{ outcome: 'matched', diffPixels: 0 }]);
  });

  test('a page that never settles fails, says so with how many captures, and never becomes a baseline', { timeout: 180_000 }, async () => {
    const missing = await run('restless', '/restless', { settle: 1500 });
    expect(missing.code).toBe(1);
    const [refused] = await assertions();
    expect(refused).toMatchObject({ outcome: 'baseline-missing', pass: false, settle: { settled: false } });
    expect(project.exists(baseline('restless.jpg'))).toBe(false);
    expect(unsettledText(refused!.message!)).toMatchInlineSnapshot(`
      "expect(session).toMatchScreenshot("restless")

      No baseline written to snapshots/live.test.ts/restless.jpg: the page never settled, and a moving page must not become the baseline.

        Actual: .vitest-agi/live.test.ts/restless-actual.jpg
        Page:   http://<site>/restless  "Live"

      The page never settled: <n> captures over <s> s (\`settle\` 1,500 ms), no two in a row the same; the last one is the actual image.

      Mask what moves (\`mask\`), or raise \`settle\` if the page needs longer to load."
    `);

    const written = await run('restless', '/restless?still');
    expect(written.code, written.output).toBe(0);
    const moving = await run('restless', '/restless', { settle: 1500 }, [], { CI: 'true' });
    expect(moving.code).toBe(1);
    const [failed] = await assertions();
    expect(failed).toMatchObject({ outcome: 'pixels-differ', settle: { settled: false } });
    expect(unsettledText(failed!.message!)).toMatchInlineSnapshot(`
      "expect(session).toMatchScreenshot("restless")

      Screenshot differs from baseline: <n> pixels differ (<p>% of 1280×720);
      allowed: 32 pixels (maxDiffPixels 32), threshold 0.1.

      <regions>

        Baseline: snapshots/live.test.ts/restless.jpg
                  captured from http://<site>/restless?still on <day>
        Actual:   .vitest-agi/live.test.ts/restless-actual.jpg
        Diff:     .vitest-agi/live.test.ts/restless-diff.png
        Page:     http://<site>/restless  "Live"

      The page never settled: <n> captures over <s> s (\`settle\` 1,500 ms), no two in a row the same; the last one was compared.

      If the change is intended, run \`vitest -u\` to update the baseline."
    `);
  });
});

/** A failure message with what varies from run to run (the site's port, counts, seconds, the day) replaced. */
function unsettledText(message: string): string {
  return message
    .replace(/127\.0\.0\.1:\d+/g, '<site>')
    .replace(/ on \d{4}-\d\d-\d\d$/m, ' on <day>')
    .replace(/[\d,]+ pixels differ \([\d.]+%/, '<n> pixels differ (<p>%')
    .replace(/\d+ changed regions?: .*/, '<regions>')
    .replace(/\d+ captures over [\d.]+ s/, '<n> captures over <s> s');
}
