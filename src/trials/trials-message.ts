import { stripVTControlCharacters } from 'node:util';
import type { AgentRun } from '../api/agent-run.js';
import { HttpStatusError } from '../errors.js';
import { labelledLines } from '../text/format.js';
import { escapeNetworkText } from '../text/network-text.js';

/** What the words need of one trial. */
export interface TrialOutcome {
  trial: number;
  pass: boolean;
  error?: Error;
  path?: string[];
}

/** What the words need of one call. */
export interface TrialsTally {
  k: number;
  passed: number;
  atLeast: number;
  interval: { low: number; high: number };
  trials: TrialOutcome[];
}

const FIRST_FAILURE_MAX = 240;
const PAGE_MAX = 120;
const PATH_SHOWN = 8;

/** The distinct pages a run passed through, consecutive repeats folded, escaped and capped (they come from the network). */
export function runPath(run: AgentRun): string[] {
  const pages: string[] = [];
  for (const capture of run.captures) {
    const url = escapeNetworkText(String(capture.url), PAGE_MAX);
    if (pages.at(-1) !== url) pages.push(url);
  }
  return pages;
}

/** "https://shop.test/ → /checkout → /payment-failed": later pages on the same origin lose it; a long path keeps its ends. */
export function formatPath(path: readonly string[]): string {
  const shown = path.map((page, i) => (i === 0 ? page : sameOriginTail(path[i - 1]!, page)));
  if (shown.length <= PATH_SHOWN) return shown.join(' → ');
  const head = shown.slice(0, PATH_SHOWN - 3);
  const tail = shown.slice(-2);
  return [...head, `… ${shown.length - head.length - tail.length} more`, ...tail].join(' → ');
}

function sameOriginTail(previous: string, page: string): string {
  try {
    const [before, now] = [new URL(previous), new URL(page)];
    return before.origin === now.origin ? `${now.pathname}${now.search}${now.hash}` : page;
  } catch {
    return page;
  }
}

/**
 * A trial's first failure in one line: the assertion's reason without its `expect(…)` hint line, lines joined with
 * "; " (a space after one that ends a sentence) and the padding that aligned them dropped, capped. Errors other than assertion failures keep their name ("TimeoutError: …").
 */
export function shortenFailure(error: Error): string {
  const lines = stripVTControlCharacters(String(error.message ?? error)).split('\n').map((line) => line.trim().replace(/\s{2,}/g, ' ')).filter((line) => line !== '');
  if (lines.length > 1 && /^expect[.(]/.test(lines[0]!)) lines.shift();
  const named = ['Error', 'AssertionError', 'JestExtendError'].includes(error.name) ? '' : `${error.name}: `;
  // A line that ends a sentence (or a clause, with ';') needs no separator of its own.
  const joined = lines.reduce((text, line) => (text === '' ? line : `${text}${/[.;:!?]$/.test(text) ? ' ' : '; '}${line}`), '');
  const text = `${named}${joined}`;
  return text.length > FIRST_FAILURE_MAX ? `${text.slice(0, FIRST_FAILURE_MAX - 1)}…` : text;
}

/** "80 % (95 % interval 38–96 %)". */
export function describeRate(tally: TrialsTally): string {
  const percent = (ratio: number) => Math.round(ratio * 100);
  return `${percent(tally.passed / tally.k)} % (95 % interval ${percent(tally.interval.low)}–${percent(tally.interval.high)} %)`;
}

/**
 * The rejection's message: the count against the requirement, then each failing trial's first failure and the path
 * its run took, then the rate; a hint when the API refused sessions.
 */
export function describeFailure(tally: TrialsTally): string {
  const failing = tally.trials.filter((trial) => !trial.pass);
  const rows: Array<[string, string | undefined]> = failing.flatMap(({ trial, error, path }): Array<[string, string | undefined]> => [
    [`Trial ${trial}`, error === undefined ? 'failed' : shortenFailure(error)],
    ['', path && path.length > 0 ? `path: ${formatPath(path)}` : undefined],
  ]);
  const refused = failing.some(({ error }) => error instanceof HttpStatusError && error.status === 429);
  return [
    `${tally.passed} of ${tally.k} trials passed; at least ${tally.atLeast} required.`,
    '',
    labelledLines(rows),
    '',
    `Pass rate ${describeRate(tally)}.`,
    ...(refused ? ['The API refused a request with 429 (too many sessions or requests): lower `concurrency`, or run fewer test files at once.'] : []),
  ].join('\n');
}

/** The annotation of a pass that was not unanimous: a flaky task shows up before it fails CI. */
export function describeFlakyPass(tally: TrialsTally): string {
  const failed = tally.trials.filter((trial) => !trial.pass).map((trial) => trial.trial);
  return `${tally.passed} of ${tally.k} trials passed (at least ${tally.atLeast} required); failed: trial ${failed.join(', ')}. Pass rate ${describeRate(tally)}.`;
}
