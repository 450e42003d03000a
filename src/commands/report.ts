import { appendFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeFileAtomically } from '../baselines/baseline.js';
import { ResultsError } from '../errors.js';
import { formatCount, formatPercent, plural, relativePath } from '../text/format.js';
import { escapeNetworkText, quoteNetworkText } from '../text/network-text.js';
import { mergeTrials } from '../results/pass-rate.js';
import {
  incompleteReasons,
  mergeShards,
  readResults,
  RESULTS_FILE,
  type AssertionOutcome,
  type AssertionResult,
  type RunResults,
} from '../results/results.js';

export const REPORT_USAGE = `Usage: vitest-agi report [file or folder …] [--out FILE] [--root DIR]

Merges the results of a sharded run (results.shard-<i>-of-<n>.json, one per \`vitest --shard\`) into one
results.json, and prints a Markdown summary of the run's vitest-agi assertions. When $GITHUB_STEP_SUMMARY is set,
the summary is appended to it too. Exits with 1 when any assertion failed or errored.
  file or folder  results files, or folders holding them (default: .vitest-agi)
  --out FILE      where the merged results go (default: .vitest-agi/results.json)
  --root DIR      the Vitest root the paths are relative to (default: the current folder)`;

const SHARD_FILE = /^results\.shard-\d+-of-\d+\.json$/;

/** `vitest-agi report …`. Resolves with the exit code. */
export async function runReportCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { out: { type: 'string' }, root: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${REPORT_USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${REPORT_USAGE}\n`);
    return 0;
  }
  const root = path.resolve(values.root ?? '.');
  const out = path.resolve(root, values.out ?? RESULTS_FILE);
  const inputs = positionals.length > 0 ? positionals.map((p) => path.resolve(root, p)) : [path.dirname(out)];
  try {
    const { results, merged } = await loadRun(await listResultsFiles(inputs));
    if (merged) await writeFileAtomically(out, Buffer.from(`${JSON.stringify(results, null, 2)}\n`));
    const summary = summarizeResults(results, merged ? `Merged ${merged} shard files into ${relativePath(root, out)}.` : undefined);
    process.stdout.write(summary);
    if (process.env.GITHUB_STEP_SUMMARY) await appendFile(process.env.GITHUB_STEP_SUMMARY, summary);
    // A CI step running only the report (after merging shards) must fail when the run's assertions did.
    return failedAssertions(results).length > 0 || (results.trials ?? []).some((t) => !t.pass) ? 1 : 0;
  } catch (error) {
    if (!(error instanceof ResultsError)) throw error;
    process.stderr.write(`vitest-agi report: ${error.message}\n`);
    return 1;
  }
}

/** The results files among the inputs: files as given, and from folders `results.json` and the shard files. */
async function listResultsFiles(inputs: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    const info = await stat(input).catch(() => undefined);
    if (!info) throw new ResultsError(`No results at ${input}. Add 'vitest-agi/reporter' to Vitest's reporters and run the tests first.`);
    if (!info.isDirectory()) {
      files.push(input);
      continue;
    }
    const entries = (await readdir(input)).filter((entry) => entry === 'results.json' || SHARD_FILE.test(entry));
    files.push(...entries.sort().map((entry) => path.join(input, entry)));
  }
  if (files.length === 0) throw new ResultsError(`No results.json or results.shard-*.json in ${inputs.join(', ')}.`);
  return files;
}

/**
 * One run from the files: shard files are merged (any results.json beside them is an earlier merge or a stale
 * unsharded run, and is replaced); a single unsharded results file is taken as it is.
 */
async function loadRun(files: string[]): Promise<{ results: RunResults; merged?: number }> {
  const parts = await Promise.all(files.map(async (file) => ({ file, results: await readResults(file) })));
  const shards = parts.filter((part) => part.results.shard);
  if (shards.length > 0) return { results: mergeShards(shards), merged: shards.length };
  if (parts.length > 1) throw new ResultsError(`${parts.length} unsharded results files given (${files.join(', ')}); give one, or the shard files of one run.`);
  return { results: parts[0]!.results };
}

const FAILED_FIRST: AssertionOutcome[] = [
  'pixels-differ', 'size-mismatch', 'baseline-missing', 'page-differs', 'text-missing', 'error', 'baseline-updated', 'baseline-written', 'matched',
];

/** The Markdown summary: counts by outcome, every failed assertion with what it saw, baselines written, and caveats. */
export function summarizeResults(results: RunResults, note?: string): string {
  const { assertions } = results;
  const failed = assertions.filter((a) => !a.pass);
  const inTrials = failed.filter((a) => a.trial !== undefined).length;
  const trialsCalls = results.trials ?? [];
  const failedCalls = trialsCalls.filter((t) => !t.pass).length;
  const lines: string[] = [];
  lines.push(
    [
      failed.length > 0
        ? `## vitest-agi: ${failed.length} of ${plural(assertions.length, 'assertion')} failed`
        : `## vitest-agi: ${assertions.length === 0 ? 'no assertions' : `all ${plural(assertions.length, 'assertion')} passed`}`,
      inTrials === 0 ? '' : ` (${inTrials} in ${inTrials === 1 ? 'a trial' : 'trials'})`,
      trialsCalls.length === 0 ? '' : failedCalls > 0 ? `, ${failedCalls} of ${plural(trialsCalls.length, 'trials call')} failed` : `, ${trialsCalls.length === 1 ? 'the trials call' : `all ${plural(trialsCalls.length, 'trials call')}`} passed`,
    ].join(''),
    '',
    [
      `${plural(results.tests.total, 'test')} (${results.tests.passed} passed, ${results.tests.failed} failed, ${results.tests.skipped} skipped)`,
      results.shards ? `${results.shards.merged.length} of ${results.shards.count} shards merged` : results.shard ? `shard ${results.shard.index} of ${results.shard.count}` : undefined,
      `Vitest ${results.vitest}`,
      `${(results.durationMs / 1000).toFixed(1)} s`,
    ].filter(Boolean).join(' · '),
    '',
  );
  if (assertions.length > 0) {
    // An outcome says what was seen, not whether the assertion held: `.not.toBeOnPage(…)` passes on page-differs.
    // So each row counts both, and `.not` assertions get rows of their own.
    const rows = new Map<string, { passed: number; failed: number }>();
    for (const outcome of FAILED_FIRST) {
      for (const not of [false, true]) {
        const matching = assertions.filter((a) => a.outcome === outcome && a.not === not);
        if (matching.length === 0) continue;
        const passed = matching.filter((a) => a.pass).length;
        rows.set(not ? `${outcome} (.not)` : outcome, { passed, failed: matching.length - passed });
      }
    }
    lines.push('| Outcome | Passed | Failed |', '| --- | ---: | ---: |');
    for (const [outcome, { passed, failed: failing }] of rows) lines.push(`| ${outcome} | ${passed} | ${failing} |`);
    lines.push('');
  }
  if (failed.length > 0) {
    lines.push('### Failed', '', '| Test | Assertion | Outcome | Seen |', '| --- | --- | --- | --- |');
    for (const a of failed) lines.push(`| ${cell(`${a.file} › ${a.test}${a.trial === undefined ? '' : ` (trial ${a.trial})`}`)} | ${cell(code(describeCall(a)))} | ${a.outcome} | ${cell(describeSeen(a))} |`);
    lines.push('');
  }
  if (trialsCalls.length > 0) lines.push(...describeTrials(results));
  const written = assertions.filter((a) => a.outcome === 'baseline-written' || a.outcome === 'baseline-updated');
  if (written.length > 0) {
    lines.push('### Baselines written or updated', '', 'Review them before committing:', '');
    for (const a of written) lines.push(`- ${code(a.baseline ?? a.name ?? '')} (${a.outcome === 'baseline-written' ? 'new' : 'updated'}) from ${a.url === undefined ? 'an unknown page' : escapeNetworkText(a.url)}`);
    lines.push('');
  }
  const reasons = incompleteReasons(results);
  if (reasons.length > 0) lines.push(`Not a complete run, so \`vitest-agi prune\` will refuse it: ${reasons[0]}`, '');
  if (note) lines.push(note, '');
  return `${lines.join('\n')}`;
}

/**
 * Failed assertions that fail the run: one inside `trials()` failed its trial only, and its call's verdict
 * (passed when enough other trials passed) decides instead.
 */
function failedAssertions(results: RunResults): AssertionResult[] {
  return results.assertions.filter((a) => !a.pass && a.trial === undefined);
}

/** The pass rate per test, its calls (shards, repeats) merged: passes and k summed, the interval recomputed. */
function describeTrials(results: RunResults): string[] {
  const percent = (ratio: number) => `${Math.round(ratio * 100)} %`;
  const lines = ['### Trials', '', '| Test | Passed | Rate | 95 % interval | Required | Verdict |', '| --- | ---: | ---: | --- | --- | --- |'];
  for (const row of mergeTrials(results.trials ?? [])) {
    const verdict = row.failedCalls > 0 ? (row.calls === 1 ? 'failed' : `${row.failedCalls} of ${row.calls} calls failed`) : row.passed < row.k ? 'passed, not unanimous' : 'passed';
    lines.push(
      `| ${cell(`${row.file} › ${row.test}`)} | ${row.passed} of ${row.k} | ${percent(row.rate)} | ${Math.round(row.interval.low * 100)}–${percent(row.interval.high)} | at least ${row.required.join(', ')} | ${verdict} |`,
    );
  }
  lines.push('');
  return lines;
}

function describeCall(a: AssertionResult): string {
  const argument = a.matcher === 'toMatchScreenshot' ? (a.name === undefined ? '' : JSON.stringify(a.name)) : (a.expected ?? '');
  return `${a.not ? '.not.' : ''}${a.matcher}(${argument})`;
}

function describeSeen(a: AssertionResult): string {
  // results.json may come from anywhere (an older version, another machine): its network text is escaped again.
  const page = a.url === undefined ? undefined : `${escapeNetworkText(a.url)} ${quoteNetworkText(a.title ?? '')}`;
  const polled = a.captures > 1 ? `${a.captures} captures over ${(a.durationMs / 1000).toFixed(1)} s` : undefined;
  let seen: string | undefined;
  switch (a.outcome) {
    case 'pixels-differ':
      seen = `${formatCount(a.diffPixels ?? 0)} px differ (${formatPercent((a.diffPixels ?? 0) / (a.comparedPixels || 1))}), ${formatCount(a.allowedPixels ?? 0)} allowed; diff ${code(a.diff ?? '')}`;
      break;
    case 'size-mismatch':
      seen = `${a.width}×${a.height}, baseline ${a.baselineWidth}×${a.baselineHeight}`;
      break;
    case 'baseline-missing':
      seen = `no baseline at ${code(a.baseline ?? '')}`;
      break;
    case 'matched':
      seen = a.matcher === 'toMatchScreenshot' ? 'matches the baseline' : a.found ? `read ${quoteNetworkText(a.found.text, 160)}` : 'the page matched';
      break;
    case 'text-missing':
      seen = `not read${a.capture ? ` in ${code(a.capture)}` : ''}`;
      break;
    case 'error':
      seen = a.error === undefined ? undefined : escapeNetworkText(a.error.split('\n')[0]!);
      break;
    default:
      seen = undefined;
  }
  return [seen, a.outcome === 'error' ? undefined : `on ${page}`, polled].filter(Boolean).join('; ');
}


function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

/** A table cell: pipes escaped, on one line. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
}

