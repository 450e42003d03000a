import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { checkoutScript, startCheckoutSite } from '../helpers/checkout-site.js';
import { createProject, type Project } from '../helpers/vitest-project.js';

// A user's project run by a real Vitest: an agent run recorded into a cassette against the emulator on real Chromium,
// then replayed with the emulator stopped and no API key, as CI would.
const API_KEY = 'sk-cassette-SECRET-4b8e1d';
// Real waits on each page, so the recorded run takes seconds and a replay's share of it is clear under load.
const PAUSE_MS = 1_500;

const CHECKOUT_TEST = `
import { writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { expect, test } from 'vitest';
import { AgiClient } from 'vitest-agi';

const agi = new AgiClient();

test('a customer checks out', async () => {
  const session = await agi.createSession();
  try {
    const started = performance.now();
    const run = await session.run(process.env.CHECKOUT_SCRIPT);
    const wallMs = performance.now() - started;
    expect(run.status).toBe('finished');
    expect(run.captures.at(-1).title).toBe('Thank you');
    writeFileSync(process.env.SUMMARY_FILE, JSON.stringify({
      wallMs,
      status: run.status,
      message: run.message,
      messages: run.messages,
      durationMs: run.durationMs,
      captures: run.captures.map(({ screenshot, ...capture }) => ({ ...capture, sha256: createHash('sha256').update(screenshot.bytes).digest('hex') })),
    }));
  } finally {
    await session.delete();
  }
});

test('a customer asks a question', async () => {
  const session = await agi.createSession();
  const run = await session.run(process.env.QUESTION_SCRIPT ?? 'ask "Which size?"');
  expect(run.status).toBe('waiting_for_input');
  await session.delete();
});
`;

interface Summary {
  wallMs: number;
  status: string;
  message: unknown;
  messages: unknown[];
  durationMs: number;
  captures: Array<{ atMs: number; url: string; title: string; step?: number; count: number; sha256: string }>;
}

let emulator: Emulator | undefined;
let site: { url: string; close(): Promise<void> } | undefined;
let project: Project;
let env: Record<string, string | undefined>;
let recorded: Summary;

beforeAll(async () => {
  [emulator, site] = await Promise.all([startEmulator({ stepTimeout: 10_000 }), startCheckoutSite()]);
  project = await createProject({ 'checkout.test.ts': CHECKOUT_TEST });
  env = { AGI_BASE_URL: emulator.baseUrl, CHECKOUT_SCRIPT: checkoutScript(site.url, PAUSE_MS), SUMMARY_FILE: project.path('summary.json') };
});
afterAll(async () => {
  await emulator?.close();
  await site?.close();
  await project?.remove();
});

async function cassetteFiles(): Promise<string[]> {
  const entries = await readdir(project.path('cassettes'), { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(project.path('cassettes'), path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

describe('cassettes in a user project', () => {
  test('AGI_CASSETTE=record writes each test to cassettes/<test file>/<test name>.json, screenshots once beside it', async () => {
    const result = await project.run([], { ...env, AGI_API_KEY: API_KEY, AGI_CASSETTE: 'record' });
    expect(result.code, result.output).toBe(0);
    recorded = JSON.parse((await project.read('summary.json')).toString());

    const files = await cassetteFiles();
    const json = files.filter((file) => file.endsWith('.json'));
    expect(json).toEqual([
      'checkout.test.ts/a-customer-asks-a-question--' + json[0]!.slice(-13),
      'checkout.test.ts/a-customer-checks-out--' + json[1]!.slice(-13),
    ]);
    const images = files.filter((file) => file.endsWith('.jpg'));
    const distinct = new Set(recorded.captures.map((c) => c.sha256));
    // Each distinct screenshot of both tests once, named by its content (the checkout's pages, the question's blank page).
    expect(images.length).toBeGreaterThanOrEqual(distinct.size);
    for (const capture of recorded.captures) expect(images.some((file) => path.basename(file).startsWith(capture.sha256.slice(0, 32)))).toBe(true);
    console.log(
      `recorded: run ${Math.round(recorded.wallMs)} ms, ${recorded.captures.length} captures ` +
        `(${recorded.captures.reduce((n, c) => n + c.count, 0)} screenshots), ${files.length} cassette files`,
    );
  }, 120_000);

  test('the API key and the Authorization header appear in no cassette file', async () => {
    const files = await cassetteFiles();
    expect(files.length).toBeGreaterThan(2);
    for (const file of files) {
      const bytes = await project.read(`cassettes/${file}`);
      expect(bytes.includes(API_KEY), file).toBe(false);
      expect(bytes.includes(Buffer.from(API_KEY).toString('base64')), file).toBe(false);
      expect(bytes.toString('latin1').toLowerCase().includes('authorization'), file).toBe(false);
    }
  });

  test('AGI_CASSETTE=replay with the emulator stopped and no key gives the same run, byte for byte, in a fraction of the time; auto and -u leave the cassettes as they were', async () => {
    await emulator!.close();
    await site!.close();
    emulator = site = undefined;
    const result = await project.run([], { ...env, AGI_API_KEY: undefined, AGI_CASSETTE: 'replay' });
    expect(result.code, result.output).toBe(0);
    const replayed: Summary = JSON.parse((await project.read('summary.json')).toString());

    const { wallMs: recordedMs, ...recordedRun } = recorded;
    const { wallMs: replayedMs, ...replayedRun } = replayed;
    // The same run: messages, captures (their times too: the replay reads the recorded clock), screenshot bytes.
    expect(replayedRun).toEqual(recordedRun);
    expect(replayedMs).toBeLessThan(recordedMs * 0.1);
    // `auto` replays a cassette that exists (still no emulator, no key), and Vitest's -u leaves cassettes alone.
    const before = await Promise.all((await cassetteFiles()).map((file) => project.read(`cassettes/${file}`)));
    const updating = await project.run(['-u'], { ...env, AGI_CASSETTE: 'auto' });
    expect(updating.code, updating.output).toBe(0);
    expect(await Promise.all((await cassetteFiles()).map((file) => project.read(`cassettes/${file}`)))).toEqual(before);
    console.log(`replayed: run ${Math.round(replayedMs)} ms (${((100 * replayedMs) / recordedMs).toFixed(1)} % of the recorded ${Math.round(recordedMs)} ms)`);
  });

  test('a request the cassette does not have fails, naming the cassette, the request and how to re-record', async () => {
    const result = await project.run(['-t', 'asks a question'], { ...env, AGI_CASSETTE: 'replay', QUESTION_SCRIPT: 'ask "Which colour?"' });
    expect(result.code).toBe(1);
    const message = /CassetteError: (.*)/.exec(result.output)?.[1]?.replace(/[0-9a-f-]{36}/g, 'ID').replace(/--[0-9a-f]{8}/g, '--HASH');
    expect(message).toMatchInlineSnapshot(`"POST /sessions/ID/message {"message":"ask \\"Which colour?\\""} is not in the cassette cassettes/checkout.test.ts/a-customer-asks-a-question--HASH.json: it has 1 POST /sessions/ID/message with another body. Re-record it with \`AGI_CASSETTE=record npx vitest run checkout.test.ts -t "a customer asks a question"\`, review the cassette's diff and commit it."`);
  });

  test('AGI_CASSETTE=auto under CI fails a test whose cassette is missing, as a missing baseline does', async () => {
    await project.write('more.test.ts', CHECKOUT_TEST.replace("'a customer asks a question'", "'a new question'"));
    const result = await project.run(['more.test.ts', '-t', 'a new question'], { ...env, AGI_CASSETTE: 'auto', CI: 'true' });
    expect(result.code).toBe(1);
    const message = /CassetteError: (.*)/.exec(result.output)?.[1]?.replace(/--[0-9a-f]{8}/g, '--HASH');
    expect(message).toMatchInlineSnapshot(`"No cassette at cassettes/more.test.ts/a-new-question--HASH.json for "more.test.ts > a new question", and cassettes are not recorded in CI (AGI_CASSETTE=auto with CI set). Record it locally with \`AGI_CASSETTE=record npx vitest run more.test.ts -t "a new question"\` and commit it."`);
    expect(project.exists('cassettes/more.test.ts')).toBe(false);
  });
});
