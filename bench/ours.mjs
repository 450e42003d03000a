// vitest-agi as a user runs it: the compiled matchers called the way Vitest's expect() calls them,
// and, separately, each library call our pipeline makes (to split end-to-end time into library work and our overhead).
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pixelmatch from 'pixelmatch';
import { Agent, request } from 'undici';
import { decodeImage, encodePng } from '../dist/image/image.js';
import { AgiClient, configure, DEFAULT_OPTIONS } from '../dist/index.js';
import { toBeOnPage, toMatchScreenshot } from '../dist/matchers/index.js';
import { API_KEY } from './server.mjs';
import { readAssertionContext } from '../dist/vitest/matcher-context.js';

// A Vitest worker has vitest loaded before any matcher runs, and the matchers import it lazily (src/vitest/artifacts.ts):
// load it here too, or the first assertion of every process would pay for it (~130 ms, ~13 MB).
await import('vitest').catch(() => {});

export const TEST_FILE = 'bench.test.ts';
const identity = (text) => text;

/** Points the matchers at `root` (the project root is the working directory: no Vitest worker state here). */
export function configureProject(root) {
  if (path.resolve(process.cwd()) !== path.resolve(root)) process.chdir(root);
  configure({ snapshotDir: path.join(root, 'snapshots'), outputDir: path.join(root, '.vitest-agi') });
}

/** The parts of Vitest's matcher state our matchers read (src/vitest/matcher-context.ts), fresh per expect() call as in Vitest. */
function matcherState(root, isNot) {
  return {
    isNot,
    promise: '',
    utils: { matcherHint: () => '', EXPECTED_COLOR: identity, RECEIVED_COLOR: identity, DIM_COLOR: identity },
    currentTestName: 'bench',
    testPath: path.join(root, TEST_FILE),
    snapshotState: { snapshotUpdateState: 'new' },
  };
}

/**
 * What Vitest's JestExtend does with an async matcher: call it with the state as `this`, await the result,
 * and on failure build the message (Vitest throws it; we return it). Thrown errors propagate, as in Vitest.
 */
export async function assertLikeVitest(matcher, root, isNot, subject, ...args) {
  // The matchers take the context src/setup.ts builds from Vitest's `this` (forVitest); build it the same way.
  const { pass, message } = await matcher.call(readAssertionContext(matcherState(root, isNot)), subject, ...args);
  const failed = pass === isNot;
  return { failed, message: failed ? message() : undefined };
}

export function ourSession(baseUrl, id) {
  return new AgiClient({ apiKey: API_KEY, baseUrl }).session(id);
}

/**
 * Runs one assertion of a case and returns { failed, message } or { threw: code }.
 * `c` is a case from cases.mjs; `name` the baseline name.
 */
export async function runOurCase(c, { root, baseUrl, sessionId, name }) {
  const session = ourSession(baseUrl, sessionId);
  try {
    if (c.matcher === 'toBeOnPage') return await assertLikeVitest(toBeOnPage, root, false, session, c.pageExpectation);
    return await assertLikeVitest(toMatchScreenshot, root, c.isNot, session, name);
  } catch (error) {
    if (error?.code) return { threw: error.code, message: error.message };
    throw error;
  }
}

/**
 * Stores a baseline the way a user gets one: the first toMatchScreenshot run (update mode "new") writes it,
 * with whatever it writes beside it.
 */
export async function recordBaseline({ root, baseUrl, sessionId, name }) {
  const result = await assertLikeVitest(toMatchScreenshot, root, false, ourSession(baseUrl, sessionId), name);
  if (result.failed) throw new Error(`bench: recording baseline ${name} failed: ${result.message}`);
}

const { threshold: THRESHOLD } = DEFAULT_OPTIONS;

/** The library calls of our pipeline, one at a time, on the same inputs. */
export function createSteps(baseUrl) {
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: 16 }); // as src/api/client.ts
  const headers = { authorization: `Bearer ${API_KEY}`, accept: 'application/json' };
  return {
    /** undici request + body + JSON.parse. */
    async fetch(sessionId) {
      const response = await request(`${baseUrl}/sessions/${sessionId}/screenshot`, { dispatcher: agent, headers });
      return JSON.parse(await response.body.text());
    },
    base64: (json) => Buffer.from(json.screenshot.slice(json.screenshot.indexOf(',') + 1), 'base64'),
    read: (file) => readFile(file),
    equals: (a, b) => a.equals(b),
    /** jpeg-js through src/image/image.ts decodeImage (its options; the wrapper adds nothing measurable). */
    decode: (bytes) => decodeImage(bytes, 'image/jpeg'),
    compare: (a, b) => pixelmatch(a.data, b.data, undefined, a.width, a.height, { threshold: THRESHOLD }),
    compareWithDiff(a, b) {
      const diff = new Uint8Array(a.width * a.height * 4);
      pixelmatch(a.data, b.data, diff, a.width, a.height, { threshold: THRESHOLD });
      return { width: a.width, height: a.height, data: diff };
    },
    /** pngjs through src/image/image.ts encodePng (its settings). */
    encode: (image) => encodePng(image),
    /** mkdir + temp file + rename for each file, all at once (src/baselines/baseline.ts writeFileAtomically). */
    write: (files) =>
      Promise.all(
        files.map(async ([file, data]) => {
          await mkdir(path.dirname(file), { recursive: true });
          await writeFile(`${file}.step.tmp`, data);
          await rename(`${file}.step.tmp`, file);
        }),
      ),
    remove: (files) => Promise.all(files.map((file) => rm(file, { force: true }))),
    close: () => agent.close(),
  };
}

/**
 * Runs the library calls of case `c` in pipeline order, on its inputs, and returns { ms, cpuMs } of each.
 * `files` are the run's paths (cases.mjs runFiles).
 */
export async function timeOurSteps(steps, c, files) {
  const ms = {};
  const step = async (name, fn) => {
    const cpu = process.cpuUsage();
    const start = performance.now();
    const result = await fn();
    const used = process.cpuUsage(cpu);
    ms[name] = { ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000 };
    return result;
  };
  const has = (name) => c.steps.includes(name);
  const json = await step('fetch', () => steps.fetch(files.sessionId));
  if (!has('base64')) return ms;
  const bytes = await step('base64', () => steps.base64(json));
  if (has('read')) {
    const stored = await step('read', () => steps.read(files.baseline));
    await step('equals', () => steps.equals(bytes, stored));
    if (has('decodeBaseline')) {
      const baseline = await step('decodeBaseline', () => steps.decode(stored));
      const actual = await step('decodeActual', () => steps.decode(bytes));
      await step('compare', () => steps.compare(baseline, actual));
      if (has('compareWithDiff')) {
        const diff = await step('compareWithDiff', () => steps.compareWithDiff(baseline, actual));
        const png = await step('encode', () => steps.encode(diff));
        await step('write', () => steps.write([[files.actual, bytes], [files.diff, png]]));
      }
    }
  }
  if (has('remove')) await step('remove', () => steps.remove([files.actual, files.diff]));
  return ms;
}
