import { escapeNetworkText, quoteNetworkText } from '../text/network-text.js';
import { describeCaptureFailures, type CaptureRecord } from './poll.js';
import { formatCount } from '../text/format.js';

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
  // A failed capture's row is its time and its error (escaped once, when poll recorded it), which sets no column's width.
  const shownRuns = runs.slice(-shown);
  const rows = shownRuns.map(({ first, lastAtMs, count }) => [
    count === 1 ? `+${seconds(first.atMs)} s` : `+${seconds(first.atMs)}–${seconds(lastAtMs)} s`,
    first.error === undefined ? escapeNetworkText(first.url ?? '') : `failed: ${first.error}${count === 1 ? '' : `  (${count} captures)`}`,
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

/** hint line → blank → reason → blank → labelled block → blank → one hint. */
export function assembleMessage(parts: Array<string | undefined>): string {
  return parts.filter((part): part is string => part !== undefined && part !== '').join('\n\n');
}
