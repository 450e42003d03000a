import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { ResultsError } from '../errors.js';
import { escapeNetworkText } from '../text/network-text.js';
import type { MetaValue, Region } from '../options/options.js';
import type { MatchOutcome } from '../matchers/outcome.js';
import type { CaptureRecord } from '../matchers/poll.js';
import type { BaselineProvenance } from '../baselines/provenance.js';

/**
 * The shape of `.vitest-agi/results.json`, written by `vitest-agi/reporter` and merged by `vitest-agi report`.
 * docs/results.schema.json documents the same shape as a JSON Schema; test/review checks real files against it.
 */
export const RESULTS_SCHEMA = 'vitest-agi/results@1';

/**
 * What an assertion saw, from one closed vocabulary: toMatchScreenshot's outcomes, `page-differs` when the URL or
 * title did not match a page matcher's expectation, `text-missing` when toShowText did not read the expected text,
 * and `error` when the matcher threw (API down, bad option).
 * With `.not`, the outcome stays what was seen and `pass` says whether the assertion held.
 */
export type AssertionOutcome = MatchOutcome['kind'] | 'page-differs' | 'text-missing' | 'error';

export const ASSERTION_OUTCOMES: readonly AssertionOutcome[] = [
  'matched', 'baseline-written', 'baseline-updated', 'baseline-missing', 'size-mismatch', 'pixels-differ', 'page-differs', 'text-missing', 'error',
];

/**
 * A record with the text the API sent (URL, title, the trajectory's and the baseline provenance's) escaped and
 * capped by `escapeNetworkText`, as results.json keeps it: a 20 MB title once made a 126 MB results.json.
 */
export function escapeNetworkFields<T extends Partial<Pick<AssertionResult, 'url' | 'title' | 'trajectory' | 'baselineSource' | 'found' | 'maskedText'>>>(record: T): T {
  return {
    ...escapePage(record),
    ...(record.trajectory ? { trajectory: record.trajectory.map(escapePage) } : {}),
    ...(record.baselineSource ? { baselineSource: escapePage(record.baselineSource) } : {}),
    // Text read off a screenshot is text the page chose: it is network text too.
    ...(record.found ? { found: escapeReadText(record.found) } : {}),
    ...(record.maskedText ? { maskedText: record.maskedText.map(escapeReadText) } : {}),
  };
}

function escapeReadText<B extends { text: string }>(box: B): B {
  return { ...box, text: escapeNetworkText(box.text, READ_TEXT_MAX) };
}

/** Longest text read off a screenshot kept per line in a record: a real line is far shorter. */
const READ_TEXT_MAX = 300;

function escapePage<P extends { url?: string; title?: string }>(page: P): P {
  return {
    ...page,
    ...(page.url === undefined ? {} : { url: escapeNetworkText(page.url) }),
    ...(page.title === undefined ? {} : { title: escapeNetworkText(page.title) }),
  };
}

export type MatcherName = 'toMatchScreenshot' | 'toBeOnPage' | 'toHaveURL' | 'toHaveTitle' | 'toShowText';

/** Text OCR read on a capture, and its box in screenshot pixels. */
export interface TextInBox {
  text: string;
  box: Region;
}

/** One `expect(…).toX()` call. Paths are relative to the Vitest root, with `/`. */
export interface AssertionResult {
  /** Test file, relative to the root. */
  file: string;
  /** The test's full name, suites joined with " > ". */
  test: string;
  matcher: MatcherName;
  not: boolean;
  outcome: AssertionOutcome;
  /** Whether the assertion held (after `.not`). */
  pass: boolean;
  /** toBeOnPage / toHaveURL / toHaveTitle / toShowText: the expectation as written (`/thank/i`, `"Thank you"`). */
  expected?: string;
  /** toMatchScreenshot: the baseline name. */
  name?: string;
  /** Page of the last capture. */
  url?: string;
  title?: string;
  /** How many screenshots the matcher took (more than 1 only with `timeout`). */
  captures: number;
  /** From the first capture's start to the verdict, in ms. */
  durationMs: number;
  /** `timeout` option in effect, in ms (0: one capture). */
  timeout: number;
  /** With more than one capture: the last 20 (`captures` says how many in all). */
  trajectory?: CaptureRecord[];
  /** toMatchScreenshot: the baseline compared against, written, or missing. */
  baseline?: string;
  /** The folder baselines live in (`snapshotDir`), for `vitest-agi prune`. */
  snapshotDir?: string;
  /** Actual and diff images, when the assertion left them on disk. */
  actual?: string;
  diff?: string;
  /** Size of the final capture, and of the baseline when they differ. */
  width?: number;
  height?: number;
  baselineWidth?: number;
  baselineHeight?: number;
  diffPixels?: number;
  comparedPixels?: number;
  /** The stricter of `maxDiffPixels` and `maxDiffPixelRatio` × compared pixels. */
  allowedPixels?: number;
  limits?: { threshold: number; maxDiffPixels: number; maxDiffPixelRatio?: number };
  /** toMatchScreenshot, pixels-differ (and baseline-updated): where the pixels changed, at most 5 boxes, most pixels first. */
  regions?: Array<{ x: number; y: number; width: number; height: number; diffPixels: number }>;
  /** toMatchScreenshot with `variants` > 1: the variant matched, written (1 = `<name>.jpg`, 2 = `<name>.2.jpg`, …) or, on a failure, the closest. */
  variant?: number;
  /** toMatchScreenshot with `variants` > 1: every accepted variant file of the name after the assertion (`vitest-agi prune` keeps them). */
  variantFiles?: string[];
  /** toMatchScreenshot with `settle`: whether the compared capture settled, after how many screenshots and ms. */
  settle?: { settled: boolean; captures: number; durationMs: number };
  /** The baseline's provenance sidecar, when it has one that matches its bytes. */
  baselineSource?: BaselineProvenance;
  meta?: Record<string, MetaValue>;
  /** toShowText: the `region` read, when one was given. */
  region?: Region;
  /** toShowText: the capture that was read, kept under the output folder when the assertion failed. */
  capture?: string;
  /** toShowText: where the expected text was read on the last capture (the line or lines holding it), when it was. */
  found?: TextInBox & { lines: { first: number; last: number } };
  /** toMatchScreenshot with `maskText`: the text masked in the last comparison, and its box before padding. */
  maskedText?: TextInBox[];
  /** The failure message without colours, when `pass` is false. */
  message?: string;
  /** For `error`: the error's name and message. */
  error?: string;
  /** Inside `trials()`: the trial (from 1) this assertion ran in; the test's `trials` record holds the verdict. */
  trial?: number;
}

/** One test file the run would have run without filters or sharding. */
export interface TestFileResult {
  file: string;
  /** Whether this run (or, merged, any shard) ran it. */
  ran: boolean;
  state: 'passed' | 'failed' | 'skipped' | 'not-run';
  /** Tests skipped in it (`.skip`, `.only` elsewhere in the file, a line filter, `ctx.skip()`); `.todo` excluded. */
  skippedTests: number;
}

export interface RunResults {
  schema: typeof RESULTS_SCHEMA;
  vitest: string;
  vitestAgi: string;
  startedAt: string;
  durationMs: number;
  /** Vitest's end reason; `failed` also when only an unhandled error failed the run. */
  status: 'passed' | 'failed' | 'interrupted';
  /** Set in a shard's own file (`--shard=2/3`). */
  shard?: { index: number; count: number };
  /** Set by `vitest-agi report` after merging shard files: which of `count` shards it found. */
  shards?: { count: number; merged: number[] };
  /** Why this run was not a run of everything, in words (`-t /checkout/`, `ran 2 of 5 test files`); empty if it was. */
  filters: string[];
  tests: { total: number; passed: number; failed: number; skipped: number; todo: number };
  unhandledErrors: number;
  files: TestFileResult[];
  assertions: AssertionResult[];
  /** One record per `trials()` call (absent in files written before 0.3). */
  trials?: TrialsResult[];
}

export const RESULTS_FILE = '.vitest-agi/results.json';

/** `results.json` → `results.shard-2-of-3.json`, beside it. */
export function shardFileName(resultsFile: string, shard: { index: number; count: number }): string {
  const ext = path.extname(resultsFile);
  return `${resultsFile.slice(0, resultsFile.length - ext.length)}.shard-${shard.index}-of-${shard.count}${ext}`;
}

/** Shard files of a results file that exist beside it. */
export async function findShardFiles(resultsFile: string): Promise<string[]> {
  const dir = path.dirname(resultsFile);
  const ext = path.extname(resultsFile);
  const base = path.basename(resultsFile, ext);
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const pattern = new RegExp(`^${escapeRegExp(base)}\\.shard-\\d+-of-\\d+${escapeRegExp(ext)}$`);
  return entries.filter((entry) => pattern.test(entry)).sort().map((entry) => path.join(dir, entry));
}

export async function readResults(file: string): Promise<RunResults> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ResultsError(`No results at ${file}.`, { cause: error });
    throw error;
  }
  let results: Partial<RunResults>;
  try {
    results = JSON.parse(text) as Partial<RunResults>;
  } catch (error) {
    throw new ResultsError(`${file} is not JSON (${(error as Error).message}).`, { cause: error });
  }
  if (results?.schema !== RESULTS_SCHEMA) {
    throw new ResultsError(`${file} is not a vitest-agi results file (its "schema" is ${JSON.stringify(results?.schema)}, expected "${RESULTS_SCHEMA}").`);
  }
  return results as RunResults;
}

/**
 * Merges the files of a sharded run into one run. Refuses files that cannot belong together: different shard
 * counts, the same shard twice, or shards that saw different test files (a stale shard file from another run).
 */
export function mergeShards(parts: Array<{ file: string; results: RunResults }>): RunResults {
  const sharded = parts.filter((part) => part.results.shard);
  if (sharded.length !== parts.length) {
    const whole = parts.find((part) => !part.results.shard)!;
    throw new ResultsError(`${whole.file} is not a shard's results; merge only the files of one sharded run.`);
  }
  const count = sharded[0]!.results.shard!.count;
  const seen = new Map<number, string>();
  for (const { file, results } of sharded) {
    const shard = results.shard!;
    if (shard.count !== count) throw new ResultsError(`${file} is shard ${shard.index} of ${shard.count}, but ${sharded[0]!.file} is of ${count}.`);
    const other = seen.get(shard.index);
    if (other) throw new ResultsError(`${file} and ${other} are both shard ${shard.index} of ${count}.`);
    seen.set(shard.index, file);
  }
  const fileList = (results: RunResults) => results.files.map((f) => f.file).sort().join('\n');
  for (const { file, results } of sharded.slice(1)) {
    if (fileList(results) !== fileList(sharded[0]!.results)) {
      throw new ResultsError(`${file} and ${sharded[0]!.file} list different test files: they come from different runs.`);
    }
  }
  const all = sharded.map((part) => part.results);
  const files = all[0]!.files.map((first) => {
    const versions = all.map((results) => results.files.find((f) => f.file === first.file)!);
    const ran = versions.find((f) => f.ran);
    return ran ?? first;
  });
  const statuses = all.map((results) => results.status);
  const sum = (pick: (results: RunResults) => number) => all.reduce((total, results) => total + pick(results), 0);
  const starts = all.map((results) => Date.parse(results.startedAt));
  const ends = all.map((results) => Date.parse(results.startedAt) + results.durationMs);
  return {
    schema: RESULTS_SCHEMA,
    vitest: all[0]!.vitest,
    vitestAgi: all[0]!.vitestAgi,
    startedAt: new Date(Math.min(...starts)).toISOString(),
    durationMs: Math.max(...ends) - Math.min(...starts),
    status: statuses.includes('interrupted') ? 'interrupted' : statuses.includes('failed') ? 'failed' : 'passed',
    shards: { count, merged: [...seen.keys()].sort((a, b) => a - b) },
    filters: [...new Set(all.flatMap((results) => results.filters))],
    tests: {
      total: sum((r) => r.tests.total),
      passed: sum((r) => r.tests.passed),
      failed: sum((r) => r.tests.failed),
      skipped: sum((r) => r.tests.skipped),
      todo: sum((r) => r.tests.todo),
    },
    unhandledErrors: sum((r) => r.unhandledErrors),
    files,
    assertions: all.flatMap((results) => results.assertions),
    trials: all.flatMap((results) => results.trials ?? []),
  };
}

/**
 * Why these results do not describe a complete run of every test (so `prune` must not act on them); empty if they do.
 * Each reason is one sentence that says what to do instead.
 */
export function incompleteReasons(results: RunResults): string[] {
  const reasons: string[] = [];
  if (results.shard) {
    reasons.push(`it is shard ${results.shard.index} of ${results.shard.count} only: merge all shards with \`vitest-agi report\` first.`);
  }
  if (results.shards) {
    const missing = range(1, results.shards.count).filter((index) => !results.shards!.merged.includes(index));
    if (missing.length > 0) {
      reasons.push(`shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${results.shards.count} ${missing.length > 1 ? 'are' : 'is'} missing from the merge: download every shard's results and run \`vitest-agi report\` again.`);
    }
  }
  for (const filter of results.filters) reasons.push(`the run was filtered (${filter}): run every test, without filters.`);
  if (results.status === 'interrupted') reasons.push('the run was interrupted before every test finished.');
  const failures = [
    results.tests.failed > 0 ? `${results.tests.failed} failed test${results.tests.failed > 1 ? 's' : ''}` : undefined,
    results.unhandledErrors > 0 ? `${results.unhandledErrors} unhandled error${results.unhandledErrors > 1 ? 's' : ''}` : undefined,
    results.files.some((f) => f.state === 'failed') && results.tests.failed === 0 ? 'a test file that failed to load' : undefined,
  ].filter((text) => text !== undefined);
  if (failures.length > 0) {
    reasons.push(`the run had failures (${failures.join(', ')}): a failed test may stop before its later assertions, so their baselines look unused. Fix the failures and run again.`);
  } else if (results.status === 'failed') {
    reasons.push('the run failed: fix it and run again.');
  }
  if (!results.shard && !results.shards) {
    const notRun = results.files.filter((f) => !f.ran);
    if (notRun.length > 0 && results.filters.length === 0) reasons.push(`${notRun.length} test file${notRun.length > 1 ? 's were' : ' was'} not run (${notRun[0]!.file}${notRun.length > 1 ? ', …' : ''}).`);
  } else if (results.shards && reasons.length === 0) {
    const notRun = results.files.filter((f) => !f.ran);
    if (notRun.length > 0) reasons.push(`no shard ran ${notRun[0]!.file}${notRun.length > 1 ? ` and ${notRun.length - 1} more` : ''}.`);
  }
  return reasons;
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---- trials() ----

/** One trial of a `trials()` call. */
export interface TrialResult {
  /** From 1. */
  trial: number;
  pass: boolean;
  durationMs: number;
  /** A failing trial's first failure, shortened, without colours. */
  error?: string;
  /** The distinct pages of the trial's agent run (consecutive repeats folded), when it had one. */
  path?: string[];
}

/** One `trials(k, { atLeast, concurrency }, body)` call. */
export interface TrialsResult {
  file: string;
  test: string;
  k: number;
  passed: number;
  atLeast: number;
  /** passed >= atLeast: whether the call passed. */
  pass: boolean;
  concurrency: number;
  /** passed / k, 4 decimals. */
  rate: number;
  /** The 95 % Wilson score interval of the rate, 4 decimals. */
  interval: { low: number; high: number; confidence: 0.95 };
  /** From the first trial's start to the last one's end. */
  durationMs: number;
  trials: TrialResult[];
}
