import { cp, mkdir, readdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { shot } from '../helpers/fixtures.js';
import { createProject, toolchain, type Project } from '../helpers/vitest-project.js';

// toShowText and maskText as a user runs them: a real Vitest in a temp project, whose globalSetup starts a small
// site and the emulator (real Chromium), so every screenshot OCR reads is a real Chromium JPEG.

const SITE = `
import { createServer } from 'node:http';

const page = (title, body, script = '') => \`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>\${title}</title>
<style>
  body { font-family: sans-serif; margin: 0; color: #222; background: #fff; }
  header { background: #222; color: #fff; padding: 14px 32px; font-weight: bold; font-size: 20px; }
  main { padding: 24px 32px; font-size: 18px; }
  .banner { background: #b00020; color: #fff; padding: 12px 32px; font-size: 18px; }
  #clock { font-size: 32px; font-variant-numeric: tabular-nums; }
</style></head><body><header>Tiny Shop</header>\${body}\${script}</body></html>\`;

const PAGES = {
  '/order': () => page('Thank you — Tiny Shop', '<main><h1>Thank you, Ada!</h1><p>Order #A-20931 is confirmed.</p><p>Total: $173.50</p><p>Keep shopping</p></main>'),
  '/banner': () => page('Payment — Tiny Shop', '<div class="banner">Payment error: card declined</div><main><h1>Payment</h1><p>Try another card.</p></main>'),
  '/later': () => page('Paying — Tiny Shop', '<main><h1>Checkout</h1><p id="status">Processing your payment</p></main>',
    "<script>setTimeout(() => { document.getElementById('status').textContent = 'Payment received'; }, 2000);</script>"),
  '/clock': () => page('Clock — Tiny Shop', \`<main><h1>\${process.env.HEADING ?? 'Opening hours'}</h1><p>We are open from nine to five, every day.</p><p id="clock"></p></main>\`,
    "<script>const tick = () => { document.getElementById('clock').textContent = new Date().toTimeString().slice(0, 8); }; tick(); setInterval(tick, 100);</script>"),
};

export async function startSite() {
  const server = createServer((request, response) => {
    const render = PAGES[new URL(request.url ?? '/', 'http://site').pathname];
    response.writeHead(render ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    response.end(render ? render() : 'not found');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: \`http://127.0.0.1:\${server.address().port}\`, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }) };
}
`;

const GLOBAL_SETUP = `
import { startEmulator } from 'vitest-agi/emulator';
import { startSite } from './site.js';

export default async function setup(project) {
  const site = await startSite();
  const emulator = await startEmulator();
  project.provide('site', site.url);
  project.provide('agiBaseUrl', emulator.baseUrl);
  return async () => {
    await emulator.close();
    await site.close();
  };
}
`;

const CONFIG = `import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { globalSetup: ['./global-setup.js'], setupFiles: ['vitest-agi/setup'], reporters: ['default', 'vitest-agi/reporter'], testTimeout: 60_000, hookTimeout: 60_000 } });
`;

const OPEN = `
import { afterEach, expect, inject, test } from 'vitest';
import { AgiClient } from 'vitest-agi';

const agi = new AgiClient({ apiKey: 'demo-key', baseUrl: inject('agiBaseUrl') });
let session;
afterEach(async () => { await session?.delete(); });
async function open(path) {
  session = await agi.createSession();
  await session.navigate(inject('site') + path);
  return session;
}
`;

const TEXT_TEST = `${OPEN}
test('shows the confirmation', async () => {
  const session = await open('/order');
  await expect(session).toShowText('order  #A-20931 IS confirmed');
  await expect(session).toShowText(/total: \\$173\\.50/i);
});

test('fails with the closest line', async () => {
  const session = await open('/order');
  await expect(session).toShowText('Order #A-20951 is confirmed');
});

test('not: passes when the text is absent', async () => {
  const session = await open('/order');
  await expect(session).not.toShowText('error');
});

test('not: fails on the banner', async () => {
  const session = await open('/banner');
  await expect(session).not.toShowText('card declined');
});

test('polls until the text appears', async () => {
  const session = await open('/later');
  await expect(session).toShowText('Payment received', { timeout: 20_000, interval: 500 });
});

test('reads only the region', async () => {
  const session = await open('/order');
  const header = { x: 0, y: 0, width: 1280, height: 52 };
  await expect(session).toShowText('Tiny Shop', { region: header });
  await expect(session).not.toShowText('Thank you', { region: header });
});
`;

// Three comparisons a run, 1.2 s apart: the clock (seconds) shows another time in each.
const CLOCK_TEST = `${OPEN}
const CLOCK = /^\\d\\d:\\d\\d:\\d\\d$/;
test('the clock page keeps its baseline while the clock runs', async () => {
  const session = await open('/clock');
  for (let i = 0; i < 3; i++) {
    if (i > 0) await new Promise((resolve) => setTimeout(resolve, 1200));
    await expect(session).toMatchScreenshot('clock', { maskText: [CLOCK] });
  }
  // Without maskText the same capture differs from the baseline: the clock did change.
  await expect(session).not.toMatchScreenshot('clock');
});
`;

interface Report {
  testResults: Array<{ assertionResults: Array<{ title: string; status: string; failureMessages: string[] }> }>;
}
interface Assertion {
  test: string;
  matcher: string;
  not: boolean;
  outcome: string;
  pass: boolean;
  captures: number;
  durationMs: number;
  [key: string]: unknown;
}

let project: Project;
const reportOf = async () => JSON.parse((await project.read('report.json')).toString()) as Report;
const assertionsOf = async () => (JSON.parse((await project.read('.vitest-agi/results.json')).toString()) as { assertions: Assertion[] }).assertions;
const run = (file: string, env: Record<string, string> = {}) => project.run([file, '--reporter=default', '--reporter=vitest-agi/reporter', '--reporter=json', '--outputFile.json=report.json'], env);
/** A test's first failure, without its stack. */
const failureOf = (report: Report, title: string) =>
  report.testResults.flatMap((file) => file.assertionResults).find((t) => t.title === title)?.failureMessages[0]?.split(/\n\s+at /)[0];

beforeAll(async () => {
  project = await createProject({ 'vitest.config.ts': CONFIG, 'site.js': SITE, 'global-setup.js': GLOBAL_SETUP, 'text.test.js': TEXT_TEST, 'clock.test.js': CLOCK_TEST });
});
afterAll(() => project?.remove());

describe('toShowText on real Chromium screenshots', () => {
  let report: Report;
  let assertions: Assertion[];

  beforeAll(async () => {
    const result = await run('text.test.js');
    expect(result.code, result.output).toBe(1);
    report = await reportOf();
    assertions = await assertionsOf();
    // What one toShowText costs end to end (one capture, timeout 0): screenshot plus OCR; the first also starts tesseract.
    const once = assertions.filter((a) => a.matcher === 'toShowText' && a.captures === 1);
    console.log(`toShowText, one capture each: ${once.map((a) => `${a.durationMs} ms${a.region ? ' (region)' : ''}`).join(', ')}`);
  }, 180_000);

  test('passes when the screen shows the text, ignoring case and spacing, or matches a RegExp', () => {
    const states = Object.fromEntries(report.testResults[0]!.assertionResults.map((t) => [t.title, t.status]));
    expect(states).toEqual({
      'shows the confirmation': 'passed',
      'fails with the closest line': 'failed',
      'not: passes when the text is absent': 'passed',
      'not: fails on the banner': 'failed',
      'polls until the text appears': 'passed',
      'reads only the region': 'passed',
    });
    expect(assertions.find((a) => a.test === 'shows the confirmation')).toMatchObject({
      matcher: 'toShowText', outcome: 'matched', pass: true, expected: '"order  #A-20931 IS confirmed"', title: 'Thank you — Tiny Shop',
      found: { text: 'Order #A-20931 is confirmed.' },
    });
  });

  test('a failure names the closest line, the lines read, the capture kept and the page', async () => {
    const message = failureOf(report, 'fails with the closest line')!.replace(/127\.0\.0\.1:\d+/, '127.0.0.1:<port>').replace(/-text-[0-9a-f]{8}\.jpg/, '-text-<sha>.jpg');
    expect(message).toMatchInlineSnapshot(`
      "Error: expect(session).toShowText("Order #A-20951 is confirmed")

      Expected the screen to show "Order #A-20951 is confirmed" (ignoring case and spacing), but OCR did not read it.
      Closest: "Order #A-20931 is confirmed" on line 3, 1 character different.

        Capture: .vitest-agi/text.test.js/fails-with-the-closest-line--26430c68-text-<sha>.jpg
        Page:    http://127.0.0.1:<port>/order  "Thank you — Tiny Shop"

      Read 5 lines:
        1  Tiny Shop
        2  Thank you, Ada!
        3  Order #A-20931 is confirmed.
        4  Total: $173.50
        5  Keep shopping

      If the page is right and OCR misread a character (0/O, 1/l, rn/m), match it with a RegExp that allows both."
    `);
    const record = assertions.find((a) => a.test === 'fails with the closest line')!;
    expect(record).toMatchObject({ outcome: 'text-missing', pass: false, capture: expect.stringMatching(/^\.vitest-agi\/text\.test\.js\/fails-with-the-closest-line--[0-9a-f]{8}-text-[0-9a-f]{8}\.jpg$/) });
    // The capture kept is the JPEG the emulator sent.
    const kept = await project.read(record.capture as string);
    expect([kept[0], kept[1], kept.at(-2), kept.at(-1)]).toEqual([0xff, 0xd8, 0xff, 0xd9]);
  });

  test('.not fails with the line that was found and its box', () => {
    const message = failureOf(report, 'not: fails on the banner')!.replace(/127\.0\.0\.1:\d+/, '127.0.0.1:<port>').replace(/-text-[0-9a-f]{8}\.jpg/, '-text-<sha>.jpg');
    expect(message).toMatchInlineSnapshot(`
      "Error: expect(session).not.toShowText("card declined")

      Expected the screen not to show "card declined" (ignoring case and spacing), but line 2 of 4 lines read shows it:
      "Payment error: card declined" at {x: 34, y: 72, width: 242, height: 18}.

        Capture: .vitest-agi/text.test.js/not-fails-on-the-banner--ec4d884d-text-<sha>.jpg
        Page:    http://127.0.0.1:<port>/banner  "Payment — Tiny Shop""
    `);
    expect(assertions.find((a) => a.test === 'not: fails on the banner')).toMatchObject({ not: true, outcome: 'matched', pass: false, found: { text: 'Payment error: card declined' } });
    expect(assertions.find((a) => a.test === 'not: passes when the text is absent')).toMatchObject({ not: true, outcome: 'text-missing', pass: true });
  });

  test('polls until a text that appears after 2 s is read, with the trajectory in results.json', () => {
    const record = assertions.find((a) => a.test === 'polls until the text appears')!;
    expect(record).toMatchObject({ outcome: 'matched', pass: true, timeout: 20_000 });
    expect(record.captures).toBeGreaterThan(1);
    expect(record.durationMs).toBeGreaterThanOrEqual(1500);
    expect((record.trajectory as unknown[]).length).toBe(record.captures);
  });

  test('`region` reads only that part of the screenshot', () => {
    const records = assertions.filter((a) => a.test === 'reads only the region');
    expect(records.map((a) => [a.not, a.outcome, a.pass, a.region])).toEqual([
      [false, 'matched', true, { x: 0, y: 0, width: 1280, height: 52 }],
      [true, 'text-missing', true, { x: 0, y: 0, width: 1280, height: 52 }],
    ]);
  });
});

describe('maskText on a page with a live clock', () => {
  test('the baseline keeps passing run after run while the clock changes', async () => {
    for (const [i, env] of ([{}, { CI: 'true' }, { CI: 'true' }] as Array<Record<string, string>>).entries()) {
      const result = await run('clock.test.js', env);
      expect(result.code, `run ${i + 1}: ${result.output}`).toBe(0);
      const records = (await assertionsOf()).filter((a) => a.matcher === 'toMatchScreenshot');
      expect(records.map((a) => a.outcome)).toEqual([i === 0 ? 'baseline-written' : 'matched', 'matched', 'matched', 'pixels-differ']);
      // Each masked comparison masked the clock, read as a time, and nothing else.
      for (const record of records.slice(i === 0 ? 1 : 0, 3)) {
        const texts = (record.maskedText as Array<{ text: string }>).map((masked) => masked.text);
        expect(texts.length).toBeGreaterThan(0);
        expect(texts).toEqual(texts.map(() => expect.stringMatching(/^\d\d:\d\d:\d\d$/)));
      }
    }
  }, 240_000);

  test('a one-word edit of the heading still fails', async () => {
    const result = await run('clock.test.js', { CI: 'true', HEADING: 'Opening times' });
    expect(result.code).toBe(1);
    const records = (await assertionsOf()).filter((a) => a.matcher === 'toMatchScreenshot');
    expect(records[0]).toMatchObject({ outcome: 'pixels-differ', pass: false });
    expect(failureOf(await reportOf(), 'the clock page keeps its baseline while the clock runs')).toMatch(/^Error: expect\(session\)\.toMatchScreenshot\("clock"\)\n\nScreenshot differs from baseline: [\d,]+ pixels differ \(\d+\.\d\d% of 1280×720, masked regions left out\)/);
  }, 120_000);
});

// A committed Chromium capture of the thank-you page, read without the emulator: these runs time OCR alone.
const FIXED_SHOT_TEST = `
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, expect, test } from 'vitest';
import { Screenshot } from 'vitest-agi';

const shot = new Screenshot({ bytes: readFileSync('thanks.jpg'), url: 'https://shop.example/thanks', title: 'Thank you — Shop' });
afterAll(() => writeFileSync('finished-at.txt', String(Date.now())));

test('reads the thank-you page', async () => {
  await expect(shot).CHECK;
});
`;

/** Runs the fixed-shot test with `check`; how long the child took to exit after its last hook ran, in ms. */
async function exitDelay(check: string): Promise<{ code: number | null; output: string; delayMs: number }> {
  const fixed = await createProject({ 'thanks.jpg': shot('thanks.jpg'), 'read.test.js': FIXED_SHOT_TEST.replace('CHECK', check) });
  try {
    const result = await fixed.run();
    const exitedAt = Date.now();
    return { ...result, delayMs: exitedAt - Number((await fixed.read('finished-at.txt')).toString()) };
  } finally {
    await fixed.remove();
  }
}

describe('the OCR engine in a Vitest run', () => {
  test('leaves no worker behind: the run exits about as promptly as one without OCR', async () => {
    const withOcr = await exitDelay(`toShowText('Order #A-20931 is confirmed')`);
    expect(withOcr.code, withOcr.output).toBe(0);
    const without = await exitDelay(`toBeOnPage('thank you')`);
    expect(without.code, without.output).toBe(0);
    console.log(`exit delay after the last hook: ${withOcr.delayMs} ms with OCR, ${without.delayMs} ms without`);
    // A worker left running would hold the child until Vitest's 10 s teardown timeout (or for ever).
    expect(withOcr.output).not.toMatch(/close timed out|hanging|something prevents/i);
    expect(withOcr.delayMs).toBeLessThan(without.delayMs + 5_000);
  }, 120_000);

  test('says which packages to install when tesseract.js is not installed', async () => {
    // A user's install without the optional peers: vitest-agi is a real folder (package.json and dist/, as npm
    // unpacks it), and node_modules holds everything else but tesseract.js and its language data.
    const bare = await createProject({ 'thanks.jpg': shot('thanks.jpg'), 'read.test.js': FIXED_SHOT_TEST.replace('CHECK', `toShowText('Thank you')`) });
    try {
      const { nodeModules } = await toolchain();
      const own = bare.path('node_modules');
      await rm(own);
      await mkdir(own);
      for (const entry of await readdir(nodeModules)) {
        if (['tesseract.js', '@tesseract.js-data', 'vitest-agi'].includes(entry)) continue;
        await symlink(path.join(nodeModules, entry), path.join(own, entry));
      }
      const packageDir = path.join(nodeModules, 'vitest-agi');
      await mkdir(path.join(own, 'vitest-agi'));
      await cp(path.join(packageDir, 'package.json'), path.join(own, 'vitest-agi', 'package.json'));
      await cp(path.join(packageDir, 'dist'), path.join(own, 'vitest-agi', 'dist'), { recursive: true });
      const result = await bare.run();
      expect(result.code).toBe(1);
      const error = result.output.slice(result.output.indexOf('FAIL'), result.output.indexOf('\n ❯', result.output.indexOf('FAIL')));
      expect(error).toMatchInlineSnapshot(`
        "FAIL  read.test.js > reads the thank-you page
        OcrUnavailableError: Reading text from a screenshot needs the optional peer dependencies tesseract.js and @tesseract.js-data/eng, and tesseract.js is not installed. Install both: \`npm install -D tesseract.js @tesseract.js-data/eng\`."
      `);
    } finally {
      await bare.remove();
    }
  }, 120_000);
});
