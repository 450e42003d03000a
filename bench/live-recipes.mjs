// The assertion recipes `npm run bench:live` measures, and the moments it captures the page at.
// A recipe is the options of one `expect(session).toMatchScreenshot(name, options)` call, written as the source a
// user would write (maskText takes RegExps, which JSON cannot carry); `needs` lists the options it uses that a
// build may not have yet (the harness reports such a recipe as missing, with the reason, and measures no number).
import { BANNER_MS, LATE_MS, LIVE_REGIONS } from './live-site.mjs';

const { search, clock, banner } = LIVE_REGIONS;
const json = (value) => JSON.stringify(value);
/**
 * The time budget of `settle` and of `timeout` polling, in ms. The page is still LATE_MS after load; a budget of 3 s
 * ran out here after one or two captures under load (a first assertion in a worker took 5.9 s at load average 14).
 */
export const SETTLE_MS = 5000;
const CLOCK_TEXT = String.raw`/\d\d:\d\d:\d\d/`;

/**
 * `learn`: the moments (ms after navigation) of the `vitest -u` runs that write the baselines, one run each:
 * banner state A, and for `variants` state B too, both after the late content has arrived.
 */
const LEARN_A = Math.round(LATE_MS + (BANNER_MS - LATE_MS) / 2);
const LEARN_B = LEARN_A + BANNER_MS;

export const RECIPES = [
  { name: 'defaults', options: '{}', needs: [], learn: [LEARN_A] },
  { name: 'mask', options: `{ mask: [${json(search)}, ${json(clock)}, ${json(banner)}] }`, needs: [], learn: [LEARN_A] },
  { name: 'maskText', options: `{ maskText: [${CLOCK_TEXT}] }`, needs: ['maskText'], learn: [LEARN_A] },
  { name: 'variants', options: '{ variants: 2 }', needs: ['variants'], learn: [LEARN_A, LEARN_B] },
  { name: 'settle', options: `{ settle: ${SETTLE_MS} }`, needs: ['settle'], learn: [LEARN_A] },
  // The combinations: each answers every moving part one way; the numbers pick the recommended one.
  {
    name: 'mask + settle',
    options: `{ mask: [${json(search)}, ${json(clock)}, ${json(banner)}], settle: ${SETTLE_MS} }`,
    needs: ['settle'],
    learn: [LEARN_A],
    combination: true,
  },
  {
    // The option that exists already: poll until the page matches (a loading page passes once it has loaded).
    name: 'mask + timeout',
    options: `{ mask: [${json(search)}, ${json(clock)}, ${json(banner)}], timeout: ${SETTLE_MS}, interval: 250 }`,
    needs: [],
    learn: [LEARN_A],
    combination: true,
  },
  {
    name: 'mask clock + variants + settle',
    options: `{ mask: [${json(clock)}], variants: 2, settle: ${SETTLE_MS} }`,
    needs: ['variants', 'settle'],
    learn: [LEARN_A, LEARN_B],
    combination: true,
  },
  {
    name: 'maskText + variants + settle',
    options: `{ maskText: [${CLOCK_TEXT}], variants: 2, settle: ${SETTLE_MS} }`,
    needs: ['maskText', 'variants', 'settle'],
    learn: [LEARN_A, LEARN_B],
    combination: true,
  },
];

/**
 * The capture moment of unchanged run `i`, in ms after navigation: spread evenly (golden ratio) over two banner
 * cycles, so some land on the spinner, some on each banner state, all on their own clock second and caret phase.
 */
export function captureDelay(i) {
  return Math.round(spread(i) * 2 * BANNER_MS);
}

/**
 * The capture moment of regression `j`: spread the same way, but after the late content has arrived (+ 300 ms), so
 * a regression counts as caught for what it changed, not for a spinner caught mid-turn.
 */
export function regressionDelay(j) {
  const from = LATE_MS + 300;
  return Math.round(from + spread(j + 0.5) * (2 * BANNER_MS - from));
}

function spread(i) {
  return (i * 0.6180339887 + 0.05) % 1;
}

/** The test file of one recipe, `live-<slug>.test.ts`: its own baselines folder, its own worker process. */
export function testFileName(recipe) {
  return `live-${recipe.name.replace(/[^a-z]+/gi, '-').toLowerCase()}.test.ts`;
}

/**
 * The test file of one recipe. Its jobs (from the plan file of the phase) run one after another, as a user's tests
 * in one file do; files run in parallel, one worker process each. Every job is its own test with its own session
 * (a fresh page load) and writes { ...job, failed, ms, message } to `records/<index>.json`.
 */
export function testFileSource(recipe) {
  return `import { readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, test } from 'vitest';
import { AgiClient } from 'vitest-agi';

const RECIPE = ${json(recipe.name)};
const OPTIONS = ${recipe.options};
const API_FAILURES = ['TimeoutError', 'HttpStatusError', 'ConnectionError', 'InvalidResponseError'];
const plan = JSON.parse(readFileSync(process.env.LIVE_PLAN, 'utf8'));
const agi = new AgiClient({ apiKey: 'bench-live', baseUrl: process.env.LIVE_AGI_URL });

for (const job of plan.jobs.filter((j) => j.recipe === RECIPE)) {
  test(job.id, async () => {
    const session = await agi.createSession();
    try {
      await session.navigate(job.url);
      await sleep(job.delayMs);
      const started = performance.now();
      let message;
      try {
        await expect(session).toMatchScreenshot(job.name, OPTIONS);
      } catch (error) {
        // A failed assertion is a verdict, and so is the API not answering in time (the user's test fails too);
        // anything else (a bad option, a bug) is not: the harness reports it and stops.
        const verdict = error?.constructor?.name === 'JestExtendError' || API_FAILURES.includes(error?.name);
        message = \`\${verdict && error?.name !== 'Error' ? \`\${error.name}: \` : ''}\${error?.message ?? error}\`;
        if (!verdict) writeFileSync(\`\${plan.records}/\${job.index}.json\`, JSON.stringify({ ...job, error: message }));
        else if (plan.learning) writeFileSync(\`\${plan.records}/\${job.index}.json\`, JSON.stringify({ ...job, learnFailed: message }));
        if (!verdict || plan.learning) throw error;
      }
      const ms = performance.now() - started;
      writeFileSync(\`\${plan.records}/\${job.index}.json\`, JSON.stringify({ ...job, failed: message !== undefined, ms, message }));
    } finally {
      await session.delete();
    }
  });
}
`;
}
