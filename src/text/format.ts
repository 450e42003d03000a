import path from 'node:path';

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

/**
 * Rows of cells as lines of padded columns, two spaces apart: each column as wide as its widest cell, a column empty
 * in every row left out, and nothing after a row's last non-empty cell (no trailing spaces).
 */
export function alignColumns(rows: readonly string[][], indent = '    '): string[] {
  const count = Math.max(0, ...rows.map((row) => row.length));
  const columns = Array.from({ length: count }, (_, column) => column).filter((column) => rows.some((row) => (row[column] ?? '') !== ''));
  const widths = columns.map((column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => {
    const cells = columns.map((column) => row[column] ?? '');
    const last = cells.findLastIndex((cell) => cell !== '');
    return `${indent}${cells.slice(0, last + 1).map((cell, i) => (i === last ? cell : cell.padEnd(widths[i]!))).join('  ')}`;
  });
}

/** "+1.2 s", or "+1.2–3.4 s" for a stretch of time. */
export function formatTimeSpan(fromMs: number, toMs = fromMs): string {
  const [from, to] = [fromMs, toMs].map((ms) => (ms / 1000).toFixed(1));
  return from === to ? `+${from} s` : `+${from}–${to} s`;
}
