import path from 'node:path';
import { escapeNetworkText, quoteNetworkText } from './network-text.js';
import { describeCaptureFailures, type CaptureRecord } from './poll.js';

/** The colour helpers and hint builder Vitest hands every matcher in `this.utils`. */
export interface MatcherUtils {
  matcherHint(name: string, received?: string, expected?: string, options?: { isNot?: boolean; promise?: string }): string;
  EXPECTED_COLOR(text: string): string;
  RECEIVED_COLOR(text: string): string;
  DIM_COLOR(text: string): string;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** A share as a percentage, rounded up to 2 decimals so 0.1004 % never reads as within a 0.10 % limit. */
export function formatPercent(ratio: number): string {
  return `${(Math.ceil(ratio * 10_000) / 100).toFixed(2)}%`;
}

/** Aligned "  Label: value" lines; a row with the label '' continues the row above, aligned with its value. */
export function labelledLines(rows: Array<[string, string | undefined]>): string {
  const present = rows.filter((row): row is [string, string] => row[1] !== undefined);
  const width = Math.max(...present.map(([label]) => label.length)) + 1;
  return present.map(([label, value]) => `  ${(label === '' ? '' : `${label}:`).padEnd(width)} ${value}`).join('\n');
}

/** A path as people (and results.json) see it: relative to the Vitest root with `/`, or absolute if outside it. */
export function relativePath(root: string, file: string): string {
  const relative = path.relative(root, path.resolve(root, file));
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative.split(path.sep).join('/');
}

/** "1 baseline", "1,204 baselines". */
export function plural(n: number, word: string): string {
  return `${formatCount(n)} ${word}${n === 1 ? '' : 's'}`;
}

/** The page a capture showed, as the API named it: escaped and capped, since both come from the network. */
export function describePage(url: string, title: string): string {
  return `${escapeNetworkText(url)}  ${quoteNetworkText(title)}`;
}

/**
 * The polling trajectory: how many captures over how long, and the last few distinct states, with runs of
 * identical captures folded into one line ("still on /checkout/payment from +0.0 to +8.0 s").
 */
export function describeCaptures(captures: CaptureRecord[], elapsedMs: number, shown = 5): string | undefined {
  if (captures.length <= 1) return undefined;
  const runs: Array<{ first: CaptureRecord; lastAtMs: number; count: number }> = [];
  for (const capture of captures) {
    const run = runs.at(-1);
    if (run && run.first.url === capture.url && run.first.title === capture.title && run.first.diffPixels === capture.diffPixels && run.first.error === capture.error) {
      run.lastAtMs = capture.atMs;
      run.count++;
    } else {
      runs.push({ first: capture, lastAtMs: capture.atMs, count: 1 });
    }
  }
  const seconds = (ms: number) => (ms / 1000).toFixed(1);
  // Columns (time, URL, title, pixels, count), padded to line up, so a long stay on one page stands out.
  // A failed capture's row is its time and its error, which sets no column's width.
  const shownRuns = runs.slice(-shown);
  const rows = shownRuns.map(({ first, lastAtMs, count }) => [
    count === 1 ? `+${seconds(first.atMs)} s` : `+${seconds(first.atMs)}–${seconds(lastAtMs)} s`,
    first.error === undefined ? escapeNetworkText(first.url ?? '') : `failed: ${escapeNetworkText(first.error)}${count === 1 ? '' : `  (${count} captures)`}`,
    first.error === undefined ? quoteNetworkText(first.title ?? '') : '',
    first.diffPixels === undefined ? '' : `${formatCount(first.diffPixels)} px differ`,
    count === 1 || first.error !== undefined ? '' : `(${count} captures)`,
  ]);
  const paced = rows.filter((_, i) => shownRuns[i]!.first.error === undefined);
  const columns = rows[0]!.map((_, column) => column).filter((column) => rows.some((row) => row[column] !== ''));
  const widths = columns.map((column) => Math.max(...(column === 0 ? rows : paced).map((row) => row[column]!.length), 0));
  const lines = rows.map((row) => {
    const cells = columns.map((column) => row[column]!);
    const last = cells.findLastIndex((cell) => cell !== '');
    return `    ${cells.slice(0, last + 1).map((cell, i) => (i === last ? cell : cell.padEnd(widths[i]!))).join('  ')}`;
  });
  const omitted = runs.length > shown ? ` (last ${shown} states shown)` : '';
  const failures = describeCaptureFailures(captures);
  return `${failures ? `${failures}\n` : ''}Captured ${captures.length} times over ${seconds(elapsedMs)} s${omitted}:\n${lines.join('\n')}`;
}

/** hint line → blank → reason → blank → labelled block → blank → one hint (STYLE B4). */
export function assembleMessage(parts: Array<string | undefined>): string {
  return parts.filter((part): part is string => part !== undefined && part !== '').join('\n\n');
}
