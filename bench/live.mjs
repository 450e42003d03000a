// npm run bench:live [-- --json] [-- --runs N] [-- --recipes a,b] [-- --regressions x,y] [-- --concurrency K] [-- --verbose] [-- --keep]
// The benchmark of trust: how often does each assertion recipe fail on an unchanged live page, and how many seeded
// regressions does it catch? The emulator (real Chromium) drives the live-like site (live-site.mjs); every verdict
// is a real `expect(session).toMatchScreenshot(name, options)` in a real child `vitest run` of a generated test file
// (live-recipes.mjs): `vitest -u` runs write the baselines, then one `CI=true vitest run` judges N unchanged page
// loads and one load per seeded regression, each captured at its own moment, for every recipe.
// Table on stdout; with --json, the JSON instead (progress always goes to stderr).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, stripVTControlCharacters } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.dirname(here);
if (!existsSync(path.join(repo, 'dist/emulator/index.js'))) {
  console.error('bench:live: dist/ is missing; run `npm run build` first (`npm run bench:live` does).');
  process.exit(1);
}
const { startEmulator } = await import('../dist/emulator/index.js');
const { SCREENSHOT_OPTION_NAMES } = await import('../dist/options/options.js');
const { startLiveSite, REGRESSIONS, REGRESSION_AREAS } = await import('./live-site.mjs');
const { RECIPES, captureDelay, regressionDelay, testFileName, testFileSource } = await import('./live-recipes.mjs');
const { median, describeMachine } = await import('./measure.mjs');
const { chooseRecommended, formatLiveReport } = await import('./live-report.mjs');

const { values: args } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    runs: { type: 'string', default: '20' },
    recipes: { type: 'string' },
    regressions: { type: 'string' },
    concurrency: { type: 'string', default: '4' },
    verbose: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
  },
});
const RUNS = wholeNumber('runs', args.runs, 1);
const CONCURRENCY = wholeNumber('concurrency', args.concurrency, 1);
const recipes = pick('recipes', args.recipes, RECIPES.map((r) => r.name)).map((name) => RECIPES.find((r) => r.name === name));
const regressions = pick('regressions', args.regressions, Object.keys(REGRESSIONS));

const started = performance.now();
const loadAverageAtStart = os.loadavg().map((v) => Number(v.toFixed(2)));
const log = (text) => process.stderr.write(`bench:live: ${text}\n`);

// A recipe whose options this build does not have is reported as missing, never measured with something else.
const known = new Set(SCREENSHOT_OPTION_NAMES);
const missing = new Map(recipes.map((r) => [r.name, r.needs.filter((o) => !known.has(o))]).filter(([, absent]) => absent.length > 0));
const measured = recipes.filter((r) => !missing.has(r.name));
/** Recipes whose baselines could not be written: name → why. */
const unlearned = new Map();
const LEARN_ATTEMPTS = 3;

const site = await startLiveSite();
const emulator = await startEmulator({ maxSessions: CONCURRENCY + 2 });
const root = await mkdtemp(path.join(os.tmpdir(), 'vitest-agi-bench-live-'));
let result;
try {
  await createProject(root);
  const job = (id, recipe, delayMs, { run, regression } = {}) => ({
    id,
    recipe: recipe.name,
    name: 'shop-front',
    url: regression ? `${site.url}?regression=${regression}` : site.url,
    delayMs,
    ...(run === undefined ? {} : { run }),
    ...(regression ? { regression } : {}),
  });

  // Baselines: one `vitest -u` run per learning moment, each with the recipes that learn at that moment.
  // A `-u` run that fails (a page that never settled under load) is run again, as a user would, up to LEARN_ATTEMPTS
  // times; a recipe that still has no baseline is reported as not measured, with the reason.
  const learningRuns = Math.max(0, ...measured.map((r) => r.learn.length));
  const learnAttempts = new Map();
  for (let k = 0; k < learningRuns; k++) {
    let pending = measured.filter((r) => r.learn[k] !== undefined && !unlearned.has(r.name));
    for (let attempt = 1; attempt <= LEARN_ATTEMPTS && pending.length > 0; attempt++) {
      const jobs = pending.map((r) => job(`learn ${k + 1} ${r.name}`, r, r.learn[k]));
      const t = performance.now();
      const found = await runPhase(root, `learn-${k + 1}-${attempt}`, jobs, ['-u'], { learning: true });
      // A variant is learned only if this run added one: a page that settled after the banner turned back matches
      // the first variant, and a user would see one file and run -u again.
      const counts = new Map(await Promise.all(pending.map(async (r) => [r.name, await countBaselines(root, r, 'shop-front')])));
      for (const x of found) {
        if (!x.learnFailed && k > 0 && counts.get(x.recipe) < k + 1) x.learnFailed = `the run added no variant (${counts.get(x.recipe)} baseline file)`;
      }
      const failed = found.filter((x) => x.learnFailed);
      log(`learning run ${k + 1}, attempt ${attempt} (vitest -u, ${jobs.length} recipes) took ${seconds(t)} s${failed.length ? `; failed: ${failed.map((x) => x.recipe).join(', ')}` : ''}`);
      for (const r of pending) learnAttempts.set(r.name, (learnAttempts.get(r.name) ?? 0) + 1);
      pending = pending.filter((r) => failed.some((x) => x.recipe === r.name));
      if (attempt === LEARN_ATTEMPTS) for (const x of failed) unlearned.set(x.recipe, `\`vitest -u\` failed ${LEARN_ATTEMPTS} times at ${x.delayMs} ms after load: ${reasonOf(x.learnFailed)}`);
    }
  }
  const variantsLearned = Object.fromEntries(await Promise.all(measured.map(async (r) => [r.name, await countBaselines(root, r, 'shop-front')])));

  // The verdicts: every recipe on the same moments, interleaved so that no recipe gets the quiet part of the run.
  const jobs = [];
  const judged = measured.filter((r) => !unlearned.has(r.name));
  for (let i = 0; i < RUNS; i++) for (const r of judged) jobs.push(job(`unchanged ${i} ${r.name}`, r, captureDelay(i), { run: i }));
  regressions.forEach((regression, j) => {
    for (const r of judged) jobs.push(job(`regression ${regression} ${r.name}`, r, regressionDelay(j), { regression }));
  });
  const t = performance.now();
  log(`judging: ${jobs.length} assertions (${RUNS} unchanged runs + ${regressions.length} regressions) × ${judged.length} recipes, ${CONCURRENCY} test files at a time…`);
  const records = await runPhase(root, 'judge', jobs, [], { env: { CI: 'true' } });
  log(`judging took ${seconds(t)} s`);
  if (args.verbose) for (const x of records) log(`${x.id} at ${x.delayMs} ms: ${x.failed ? `failed (${reasonOf(x.message)})` : 'passed'}, ${Math.round(x.ms)} ms`);

  const rows = recipes.map((recipe) => {
    if (missing.has(recipe.name) || unlearned.has(recipe.name)) {
      const absent = missing.get(recipe.name);
      return {
        name: recipe.name,
        recommended: false,
        options: recipe.options,
        missing: absent ? `this build has no ${absent.map((o) => `\`${o}\``).join(', ')} option` : unlearned.get(recipe.name),
        unchangedRuns: 0,
        falseFailures: null,
        regressions: 0,
        regressionsCaught: null,
        msPerAssertion: null,
      };
    }
    const mine = records.filter((x) => x.recipe === recipe.name);
    const unchanged = mine.filter((x) => x.run !== undefined);
    const seeded = mine.filter((x) => x.regression !== undefined);
    const falseFailures = unchanged.filter((x) => x.failed);
    return {
      name: recipe.name,
      recommended: false,
      options: recipe.options,
      unchangedRuns: unchanged.length,
      falseFailures: falseFailures.length,
      regressions: seeded.length,
      regressionsCaught: seeded.filter((x) => x.failed).length,
      msPerAssertion: round(median(mine.map((x) => x.ms))),
      msUnchanged: round(median(unchanged.map((x) => x.ms))),
      msRegression: round(median(seeded.map((x) => x.ms))),
      missed: seeded.filter((x) => !x.failed).map((x) => x.regression),
      // Caught where the regression is: a changed region named in the failure overlaps it (null: no regions in messages).
      regressionsLocated: locatedCount(seeded.filter((x) => x.failed)),
      baselines: variantsLearned[recipe.name],
      learningAttempts: learnAttempts.get(recipe.name),
      falseFailureRuns: falseFailures.map((x) => ({ run: x.run, delayMs: x.delayMs, reason: reasonOf(x.message) })),
    };
  });
  const recommended = chooseRecommended(rows);
  if (recommended) recommended.recommended = true;
  result = {
    machine: {
      ...describeMachine(loadAverageAtStart),
      chromium: emulator.browser.version,
      vitest: JSON.parse(await readFile(path.join(repo, 'node_modules/vitest/package.json'), 'utf8')).version,
      concurrency: CONCURRENCY,
      durationS: Math.round((performance.now() - started) / 1000),
    },
    recipes: rows,
  };
} finally {
  await emulator.close();
  await site.close();
  if (args.keep) log(`kept the project (baselines, actual and diff images) in ${root}`);
  else await rm(root, { recursive: true, force: true });
}
process.stdout.write(args.json ? `${JSON.stringify(result, null, 2)}\n` : formatLiveReport(result, REGRESSIONS));
if (args.json) process.stderr.write(formatLiveReport(result, REGRESSIONS));

/** A user project: package.json, vitest.config.ts, one test file per recipe, and node_modules linking this repo's packages and the built vitest-agi. */
async function createProject(dir) {
  const modules = path.join(dir, 'node_modules');
  await mkdir(modules);
  for (const entry of await readdir(path.join(repo, 'node_modules'))) {
    if (!entry.startsWith('.') && entry !== 'vitest-agi') await symlink(path.join(repo, 'node_modules', entry), path.join(modules, entry));
  }
  await symlink(repo, path.join(modules, 'vitest-agi'));
  await writeFile(path.join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
  await writeFile(
    path.join(dir, 'vitest.config.ts'),
    `import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { setupFiles: ['vitest-agi/setup'], include: ['live-*.test.ts'], testTimeout: 120_000, maxWorkers: ${CONCURRENCY} } });
`,
  );
  for (const recipe of measured) await writeFile(path.join(dir, testFileName(recipe)), testFileSource(recipe));
}

/** One child `vitest run` of the generated file over `jobs`; returns their records. */
async function runPhase(dir, phase, jobs, vitestArgs, { learning = false, env = {} } = {}) {
  const records = path.join(dir, 'records', phase);
  await mkdir(records, { recursive: true });
  const plan = path.join(dir, `plan-${phase}.json`);
  await writeFile(plan, JSON.stringify({ learning, records, jobs: jobs.map((x, index) => ({ ...x, index })) }));
  // Files first: `-u` takes an optional value in Vitest 4 and would swallow a file name after it.
  const files = [...new Set(jobs.map((x) => testFileName(recipes.find((r) => r.name === x.recipe))))];
  const { code, output } = await runVitest(dir, [...files, ...vitestArgs], { LIVE_PLAN: plan, LIVE_AGI_URL: emulator.baseUrl, ...env });
  const found = await Promise.all((await readdir(records)).map(async (file) => JSON.parse(await readFile(path.join(records, file), 'utf8'))));
  const errors = found.filter((x) => x.error);
  const failedToLearn = found.some((x) => x.learnFailed);
  if ((code !== 0 && !failedToLearn) || errors.length > 0 || found.length !== jobs.length) {
    const detail = errors.length ? errors.map((x) => `  ${x.id}: ${x.error}`).join('\n') : output.slice(-4000);
    throw new Error(`bench:live: the ${phase} run exited with ${code}, ${found.length} of ${jobs.length} assertions recorded:\n${detail}`);
  }
  return found;
}

function runVitest(cwd, vitestArgs, extraEnv) {
  // The child must not inherit a parent Vitest's worker variables (when a test runs this bench), CI, or colours.
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(VITEST|TEST$|NODE_ENV$|CI$|FORCE_COLOR$|NODE_OPTIONS$|GITHUB_)/.test(key)) env[key] = value;
  }
  Object.assign(env, { NO_COLOR: '1' }, extraEnv);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repo, 'node_modules/vitest/vitest.mjs'), 'run', ...vitestArgs], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output: stripVTControlCharacters(output) }));
  });
}

/** How many accepted baselines a recipe's name has after learning: `<name>.jpg` and its variants `<name>.<n>.jpg`. */
async function countBaselines(dir, recipe, name) {
  const folder = path.join(dir, 'snapshots', testFileName(recipe));
  const files = existsSync(folder) ? await readdir(folder) : [];
  return files.filter((file) => new RegExp(`^${name}(\\.\\d+)?\\.(jpg|png)$`).test(file)).length;
}

/** How many failures name a changed region that overlaps their regression's area; null when no message names regions. */
function locatedCount(failures) {
  const regionsOf = (message) => [...stripVTControlCharacters(message ?? '').matchAll(/(\d+)×(\d+) at \((\d+), (\d+)\)/g)].map((m) => m.slice(1).map(Number));
  if (failures.length > 0 && failures.every((x) => !/changed regions?:/.test(x.message ?? ''))) return null;
  return failures.filter((x) => {
    const a = REGRESSION_AREAS[x.regression];
    return regionsOf(x.message).some(([w, h, rx, ry]) => rx < a.x + a.width && a.x < rx + w && ry < a.y + a.height && a.y < ry + h);
  }).length;
}

/** The reason sentence of a failure message (the line after the hint), without colours. */
function reasonOf(message) {
  const lines = stripVTControlCharacters(message ?? '').split('\n').map((line) => line.trim()).filter(Boolean);
  return (lines.find((line) => !line.startsWith('expect(')) ?? '').slice(0, 200);
}

function pick(option, value, all) {
  if (value === undefined) return all;
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !all.includes(n));
  if (unknown.length || names.length === 0) {
    console.error(`bench:live: \`--${option}\` takes a comma-separated list of: ${all.join(', ')}; got ${JSON.stringify(value)}.`);
    process.exit(1);
  }
  return names;
}

function wholeNumber(option, value, min) {
  const n = Number(value);
  if (!(Number.isInteger(n) && n >= min)) {
    console.error(`bench:live: \`--${option}\` must be a whole number ≥ ${min}, but is ${JSON.stringify(value)}.`);
    process.exit(1);
  }
  return n;
}

function round(ms) {
  return Number.isFinite(ms) ? Math.round(ms * 10) / 10 : null;
}

function seconds(since) {
  return ((performance.now() - since) / 1000).toFixed(1);
}
