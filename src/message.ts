import path from 'node:path';
import type { CaptureRecord } from './poll.js';

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

/** Aligned "  Label: value" lines. */
export function labelledLines(rows: Array<[string, string | undefined]>): string {
  const present = rows.filter((row): row is [string, string] => row[1] !== undefined);
  const width = Math.max(...present.map(([label]) => label.length)) + 1;
  return present.map(([label, value]) => `  ${`${label}:`.padEnd(width)} ${value}`).join('\n');
}

export function relativePath(root: string, file: string): string {
  const relative = path.relative(root, file);
  return relative.startsWith('..') ? file : relative.split(path.sep).join('/');
}

export function describePage(url: string, title: string): string {
  return `${url}  ${JSON.stringify(title)}`;
}

/** The polling trajectory: how many captures, over how long, and the last few. */
export function describeCaptures(captures: CaptureRecord[], elapsedMs: number, shown = 5): string | undefined {
  if (captures.length <= 1) return undefined;
  const lines = captures.slice(-shown).map((c) => {
    const pixels = c.diffPixels === undefined ? '' : `  ${formatCount(c.diffPixels)} px differ`;
    return `    +${(c.atMs / 1000).toFixed(1)} s  ${describePage(c.url, c.title)}${pixels}`;
  });
  const omitted = captures.length > shown ? ` (last ${shown} shown)` : '';
  return `Captured ${captures.length} times over ${(elapsedMs / 1000).toFixed(1)} s${omitted}:\n${lines.join('\n')}`;
}

/** hint line → blank → reason → blank → labelled block → blank → one hint (STYLE B4). */
export function assembleMessage(parts: Array<string | undefined>): string {
  return parts.filter((part): part is string => part !== undefined && part !== '').join('\n\n');
}
