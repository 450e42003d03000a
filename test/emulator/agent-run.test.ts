import { afterAll, beforeAll, describe, test } from 'vitest';
import type { TestContext } from 'vitest';
import { AgiClient, RunTimeoutError, isAgentRun, type AgentRun } from '../../src/index.js';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { checkoutScript, startCheckoutSite } from '../helpers/checkout-site.js';

// session.run() against the emulator's scripted agent on real Chromium: the captures it takes along the way.

let emulator: Emulator;
let site: { url: string; close(): Promise<void> };
let agi: AgiClient;
beforeAll(async () => {
  [emulator, site] = await Promise.all([startEmulator({ stepTimeout: 10_000 }), startCheckoutSite()]);
  agi = new AgiClient({ apiKey: 'test-key', baseUrl: emulator.baseUrl, retries: 0 });
});
afterAll(async () => {
  await emulator?.close();
  await site?.close();
});

async function newSession({ onTestFinished }: TestContext) {
  const session = await agi.createSession();
  onTestFinished(async () => {
    await session.delete();
  });
  return session;
}

/** The pages a run passed through, consecutive repeats folded, with the site's origin shown as SITE. */
function pagesOf(run: AgentRun): string[] {
  const pages = run.captures.map((c) => `${c.title} ${c.url.replace(site.url, 'SITE')}`);
  return pages.filter((page, i) => page !== pages[i - 1]);
}

const screenshotsTaken = (run: AgentRun) => run.captures.reduce((sum, c) => sum + c.count, 0);

/** One line per run for the closing note: how many captures it kept of how many screenshots, and how long it took. */
function logRun(name: string, run: AgentRun): void {
  console.log(`${name}: ${run.captures.length} captures of ${screenshotsTaken(run)} screenshots, counts [${run.captures.map((c) => c.count).join(', ')}], ${run.durationMs} ms`);
}

describe.concurrent('session.run()', () => {
  test('a scripted checkout run captures the pages in the order the agent went through them', async (context) => {
    const { expect } = context;
    const session = await newSession(context);
    const run = await session.run(checkoutScript(site.url, 2_000), { timeout: 60_000 });

    logRun('checkout', run);
    expect(isAgentRun(run)).toBe(true);
    expect(run.status).toBe('finished');
    expect(run.message).toMatchObject({ type: 'DONE', content: 'Paid for one blue mug' });
    expect(run.messages.map((m) => m.type)).toEqual(['USER', 'THOUGHT', 'THOUGHT', 'THOUGHT', 'THOUGHT', 'THOUGHT', 'THOUGHT', 'THOUGHT', 'THOUGHT', 'THOUGHT', 'DONE']);
    // The four pages in order, the last at the end. A capture may also land inside a navigation (about:blank before
    // the first page, or a page still loading): those are passed over. Each page is shown for 2 s, so a poll and a
    // screenshot land on it even on a loaded machine.
    const shown = run.captures.map((c) => `${c.atMs} ms step ${c.step} ×${c.count} ${c.title} ${c.url}`).join('\n');
    const known = pagesOf(run).filter((page) => /^(Shop|Cart|Checkout|Thank you) /.test(page));
    expect(known.filter((page, i) => page !== known[i - 1]), shown).toEqual([
      'Shop SITE/shop',
      'Cart SITE/cart',
      'Checkout SITE/checkout',
      'Thank you SITE/thanks?email=ada%40example.com',
    ]);
    expect(run.captures.at(-1)!.title).toBe('Thank you');
    // At most one screenshot per step, plus the end's; each capture names the THOUGHT it followed.
    const thoughts = run.messages.filter((m) => m.type === 'THOUGHT').map((m) => m.id);
    expect(screenshotsTaken(run)).toBeLessThanOrEqual(thoughts.length + 1);
    for (const capture of run.captures) expect(thoughts).toContain(capture.step);
    const times = run.captures.map((c) => c.atMs);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(run.durationMs).toBeGreaterThanOrEqual(times.at(-1)!);
    expect(run.captures.at(-1)!.screenshot.bytes.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
  });

  test('identical consecutive screenshots are kept once, with how many times they were seen', async (context) => {
    const { expect } = context;
    const session = await newSession(context);
    const run = await session.run([`go to ${site.url}/color/teal`, 'wait 700', 'wait 700', 'wait 700', 'wait 700', 'done "looked"'].join('\n'), { timeout: 60_000 });

    logRun('dedupe', run);
    const teal = run.captures.filter((c) => c.title === 'teal');
    expect(teal).toHaveLength(1);
    // The four waits and the end show the same page: up to five screenshots of it, kept as one capture with their count
    // (at least two even when screenshots are slow under load).
    expect(teal[0]!.count).toBeGreaterThanOrEqual(2);
    expect(screenshotsTaken(run)).toBeLessThanOrEqual(6);
    for (let i = 1; i < run.captures.length; i++) expect(run.captures[i]!.screenshot.bytes.equals(run.captures[i - 1]!.screenshot.bytes)).toBe(false);
  });

  test('the capture cap stops captures along the way, keeps the final page, and says so in a note', async (context) => {
    const { expect } = context;
    const session = await newSession(context);
    const run = await session.run(checkoutScript(site.url), { timeout: 60_000, capture: { max: 3 } });

    logRun('cap', run);
    expect(screenshotsTaken(run)).toBe(3);
    expect(run.captures.at(-1)!.title).toBe('Thank you');
    expect(run.note?.replace(/after \d+ ms/, 'after N ms')).toMatchInlineSnapshot(`"Capture cap reached: 3 screenshots (\`capture.max\`), so nothing after N ms was captured but the final page. Raise \`capture.max\` to see the whole way."`);
  });

  test('capture.everyMs captures on a clock instead of after each step', async (context) => {
    const { expect } = context;
    const session = await newSession(context);
    const script = [`go to ${site.url}/color/red`, 'wait 1500', `go to ${site.url}/color/blue`, 'wait 1500', 'done "two colours"'].join('\n');
    const run = await session.run(script, { timeout: 60_000, capture: { everyMs: 400 } });

    logRun('everyMs', run);
    const shown = run.captures.map((c) => `${c.atMs} ms ×${c.count} ${c.title}`).join('\n');
    expect(run.captures.every((c) => c.step === undefined), shown).toBe(true);
    const known = pagesOf(run).filter((page) => /^(red|blue) /.test(page));
    expect(known.filter((page, i) => page !== known[i - 1]), shown).toEqual(['red SITE/color/red', 'blue SITE/color/blue']);
    // ~3 s on a 400 ms clock (fewer when screenshots are slow under load), at least 400 ms apart.
    expect(screenshotsTaken(run), shown).toBeGreaterThanOrEqual(4);
    const times = run.captures.map((c) => c.atMs);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(390);
  });

  test('a run that ends with a question resolves in waiting_for_input with the QUESTION', async (context) => {
    const { expect } = context;
    const session = await newSession(context);
    const run = await session.run(`go to ${site.url}/shop\nask "Which colour?"`, { timeout: 60_000 });

    expect(run.status).toBe('waiting_for_input');
    expect(run.message).toMatchObject({ type: 'QUESTION', content: 'Which colour?' });
    expect(run.captures.at(-1)!.title).toBe('Shop');
  });

  test('a run over its timeout rejects with a RunTimeoutError that carries the captures so far', async (context) => {
    const { expect } = context;
    const session = await newSession(context);
    const error = await session.run(`go to ${site.url}/shop\nwait 20000\ndone "never"`, { timeout: 2_500 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RunTimeoutError);
    const { run } = error as RunTimeoutError;
    expect(isAgentRun(run)).toBe(true);
    expect(run.status).toBe('running');
    expect(run.message).toBeUndefined();
    expect(run.captures.map((c) => c.title)).toContain('Shop');
    expect((error as Error).message.replace(session.id, 'ID').replace(/\d+ captures?/, 'N captures').replace(/\d+ messages?/, 'N messages')).toMatchInlineSnapshot(
      `"session.run() on session ID did not end within 2500 ms (\`timeout\` option); last status "running", N messages, N captures: see \`error.run\`."`,
    );
    expect(run.messages.length).toBeGreaterThanOrEqual(2);
  });
});
