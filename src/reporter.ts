import { rm } from 'node:fs/promises';
import path from 'node:path';
import { recordedAssertions, recordedTrials } from './results/records.js';
import { writeFileAtomically } from './baselines/baseline.js';
import { planPrune } from './commands/prune.js';
import { checkOptionNames, checkPathOption } from './options/options.js';
import { plural, relativePath } from './text/format.js';
import { packageVersion } from './baselines/provenance.js';
import {
  findShardFiles,
  incompleteReasons,
  RESULTS_FILE,
  RESULTS_SCHEMA,
  shardFileName,
  type AssertionResult,
  type RunResults,
  type TestFileResult,
  type TrialsResult,
} from './results/results.js';

export type { BaselineProvenance } from './baselines/provenance.js';
export type { AssertionOutcome, AssertionResult, MatcherName, RunResults, TestFileResult, TrialResult, TrialsResult } from './results/results.js';

export interface AgiReporterOptions {
  /**
   * Where to write the results, relative to the Vitest root. A shard writes `results.shard-<i>-of-<n>.json` beside it.
   * @default '.vitest-agi/results.json'
   */
  outputFile?: string;
}

// The parts of Vitest's reporter API we use, typed structurally: Vitest 4 and 5 both match them.
interface VitestLike {
  version: string;
  logger?: { log(message: string): void };
  config: {
    root: string;
    shard?: { index: number; count: number };
    testNamePattern?: RegExp;
    tagsFilter?: string[];
    project?: string[];
  };
  globTestSpecifications?: () => Promise<ReadonlyArray<{ moduleId: string }>>;
}

interface TestCaseLike {
  fullName: string;
  options: { mode: string };
  result(): { state: string };
  meta(): object;
  /** Vitest ≥ 4.0.11. */
  artifacts?(): readonly unknown[];
}

interface TestModuleLike {
  moduleId: string;
  state(): string;
  children: { allTests(): Iterable<TestCaseLike> };
}

/**
 * `vitest-agi/reporter`: writes `.vitest-agi/results.json`, one record per vitest-agi assertion, plus what prune
 * needs to trust the run (filters, shard, failures, which test files ran). It prints only what the run did to
 * baselines (written, updated, failed, unused), as Vitest does for snapshots, so it sits beside any other
 * reporter: `reporters: ['default', 'vitest-agi/reporter']`.
 */
export default class AgiReporter {
  readonly #outputFile: string;
  #vitest: VitestLike | undefined;
  #selectedFiles: string[] | undefined;
  #startedAt = Date.now();

  constructor(options: AgiReporterOptions = {}) {
    checkReporterOptions(options);
    this.#outputFile = options.outputFile ?? RESULTS_FILE;
  }

  onInit(vitest: VitestLike): void {
    this.#vitest = vitest;
  }

  onTestRunStart(specifications: ReadonlyArray<{ moduleId: string }>): void {
    this.#startedAt = Date.now();
    // After file filters (`vitest run checkout`, --changed, a watch-mode rerun): fewer than all means filtered.
    this.#selectedFiles = specifications.map((spec) => spec.moduleId);
  }

  async onTestRunEnd(testModules: ReadonlyArray<TestModuleLike>, unhandledErrors: ReadonlyArray<unknown>, reason: string): Promise<void> {
    const vitest = this.#vitest;
    if (!vitest) return;
    const results = await this.#collect(vitest, testModules, unhandledErrors.length, reason);
    const file = path.resolve(vitest.config.root, this.#outputFile);
    const shard = vitest.config.shard;
    const target = shard ? shardFileName(file, shard) : file;
    // Files from earlier runs beside ours would be merged or pruned as if they were this run's.
    const stale = shard
      ? [file, ...(await findShardFiles(file)).filter((other) => !other.endsWith(`-of-${shard.count}${path.extname(file)}`))]
      : await findShardFiles(file);
    await Promise.all(stale.map((other) => rm(other, { force: true })));
    await writeFileAtomically(target, Buffer.from(`${JSON.stringify(results, null, 2)}\n`));
    // Unused baselines are known only after a complete run, the one prune would trust.
    const unused = incompleteReasons(results).length === 0 ? (await planPrune(vitest.config.root, results, [])).unused : [];
    const summary = summarizeBaselines(results.assertions, unused.filter((file) => IMAGE.test(file)).length);
    if (summary) (vitest.logger ?? { log: (text: string) => process.stdout.write(`${text}\n`) }).log(summary);
  }

  async #collect(vitest: VitestLike, testModules: ReadonlyArray<TestModuleLike>, unhandledErrors: number, reason: string): Promise<RunResults> {
    const root = vitest.config.root;
    const relative = (file: string) => relativePath(root, file);
    const tests = { total: 0, passed: 0, failed: 0, skipped: 0, todo: 0 };
    const assertions: AssertionResult[] = [];
    const trials: TrialsResult[] = [];
    const ranFiles = new Map<string, TestFileResult>();
    for (const testModule of testModules) {
      const file = relative(testModule.moduleId);
      let skippedTests = 0;
      for (const testCase of testModule.children.allTests()) {
        tests.total++;
        const state = testCase.result().state;
        if (testCase.options.mode === 'todo') tests.todo++;
        else if (state === 'passed') tests.passed++;
        else if (state === 'failed') tests.failed++;
        else {
          tests.skipped++;
          skippedTests++;
        }
        for (const record of recordedAssertions({ artifacts: testCase.artifacts?.(), meta: testCase.meta() })) {
          assertions.push({
            file,
            test: testCase.fullName,
            ...record,
            ...relativePaths(record, relative),
          });
        }
        for (const record of recordedTrials({ artifacts: testCase.artifacts?.(), meta: testCase.meta() })) trials.push({ file, test: testCase.fullName, ...record });
      }
      const state = testModule.state();
      ranFiles.set(file, {
        file,
        ran: true,
        state: state === 'passed' || state === 'failed' || state === 'skipped' ? state : 'not-run',
        skippedTests,
      });
    }
    const allFiles = await this.#allTestFiles(vitest);
    const files = [...new Set([...(allFiles ?? []), ...ranFiles.keys()])]
      .sort()
      .map((file) => ranFiles.get(file) ?? { file, ran: false, state: 'not-run' as const, skippedTests: 0 });
    return {
      schema: RESULTS_SCHEMA,
      vitest: vitest.version,
      vitestAgi: packageVersion(),
      startedAt: new Date(this.#startedAt).toISOString(),
      durationMs: Date.now() - this.#startedAt,
      status: reason === 'passed' || reason === 'interrupted' ? reason : 'failed',
      ...(vitest.config.shard ? { shard: { index: vitest.config.shard.index, count: vitest.config.shard.count } } : {}),
      filters: this.#filters(vitest, allFiles),
      tests,
      unhandledErrors,
      files,
      assertions,
      trials,
    };
  }

  /** Every test file the run would have had without filters, relative to the root (undefined if Vitest can't say). */
  async #allTestFiles(vitest: VitestLike): Promise<string[] | undefined> {
    if (typeof vitest.globTestSpecifications !== 'function') return undefined;
    const specifications = await vitest.globTestSpecifications();
    return [...new Set(specifications.map((spec) => relativePath(vitest.config.root, spec.moduleId)))];
  }

  #filters(vitest: VitestLike, allFiles: string[] | undefined): string[] {
    const { testNamePattern, tagsFilter, project } = vitest.config;
    const filters: string[] = [];
    if (testNamePattern) filters.push(`-t ${String(testNamePattern)}`);
    if (tagsFilter && tagsFilter.length > 0) filters.push(`--tags-filter ${tagsFilter.join(' ')}`);
    if (project && project.length > 0) filters.push(`--project ${project.join(' ')}`);
    // A shard runs a subset by design (and Vitest 5 hands reporters the shard's files, 4 all of them): whether the
    // shards together ran every file is checked when they are merged (`files[].ran`).
    if (allFiles && this.#selectedFiles && !vitest.config.shard) {
      const selected = new Set(this.#selectedFiles.map((file) => relativePath(vitest.config.root, file)));
      if (selected.size < allFiles.length) filters.push(`ran ${selected.size} of ${allFiles.length} test files`);
    }
    return filters;
  }
}

function relativePaths(record: Partial<AssertionResult>, relative: (file: string) => string): Partial<AssertionResult> {
  const paths: Partial<AssertionResult> = {};
  for (const key of ['baseline', 'snapshotDir', 'actual', 'diff', 'capture'] as const) {
    const value = record[key];
    if (value !== undefined) paths[key] = relative(value);
  }
  if (record.variantFiles) paths.variantFiles = record.variantFiles.map(relative);
  return paths;
}


const IMAGE = /\.(jpe?g|png)$/i;
const LISTED = 10;

/**
 * "vitest-agi: 2 baselines written, 1 updated", then the written and updated files to review before committing;
 * '' when the run only compared. Failed are toMatchScreenshot assertions that did not hold (their messages are above);
 * errors are not counted, as no baseline was compared.
 */
export function summarizeBaselines(assertions: readonly AssertionResult[], unused: number): string {
  const screenshots = assertions.filter((a) => a.matcher === 'toMatchScreenshot');
  const written = screenshots.filter((a) => a.outcome === 'baseline-written');
  const updated = screenshots.filter((a) => a.outcome === 'baseline-updated');
  const failed = screenshots.filter((a) => !a.pass && a.outcome !== 'error');
  const counts = [
    [written.length, 'written'],
    [updated.length, 'updated'],
    [failed.length, 'failed'],
    [unused, 'unused'],
  ] as const;
  const said = counts.filter(([count]) => count > 0).map(([count, what], i) => (i === 0 ? `${plural(count, 'baseline')} ${what}` : `${count} ${what}`));
  if (said.length === 0) return '';
  const lines = [`vitest-agi: ${said.join(', ')}`];
  const listed = [
    ...written.map((a) => ['written', a, ''] as const),
    ...updated.map((a) => ['updated', a, ''] as const),
    ...failed.map((a) => ['failed ', a, ` (${a.not ? '.not, ' : ''}${a.outcome})`] as const),
  ];
  for (const [what, a, why] of listed.slice(0, LISTED)) lines.push(`  ${what}  ${a.baseline ?? a.name ?? ''}${why}`);
  if (listed.length > LISTED) lines.push(`  … and ${listed.length - LISTED} more (all in .vitest-agi/results.json)`);
  if (unused > 0) lines.push(`  unused: \`npx vitest-agi prune\` lists them, \`--delete\` deletes them`);
  return lines.join('\n');
}

const REPORTER_OPTIONS = ['outputFile'] as const;

/** A misspelt option would silently write results elsewhere (or nowhere a CI step looks): refuse it by name. */
function checkReporterOptions(options: unknown): void {
  const where = 'vitest-agi/reporter';
  checkOptionNames(options, REPORTER_OPTIONS, where);
  for (const [name, value] of Object.entries(options)) {
    if (value !== undefined) checkPathOption(where, name, value);
  }
}
