import { describePolling } from '../vitest/assertion-record.js';
import type { AgentRun } from '../api/agent-run.js';
import type { AssertionRecord } from '../results/records.js';
import { alignColumns, formatTimeSpan, plural } from '../text/format.js';
import { escapeNetworkText, quoteNetworkText } from '../text/network-text.js';
import type { PageVisit } from './run-path.js';

/** Most visits a message lists; a longer path shows its first and last ones around a "… N more" line. */
const VISITS_SHOWN = 40;

/** "3 pages, 7 captures over 2.4 s" */
export function describePathSize(visits: readonly PageVisit[], run: AgentRun): string {
  const screenshots = visits.reduce((sum, visit) => sum + visit.captures, 0);
  return `${plural(visits.length, 'page')}, ${plural(screenshots, 'capture')} over ${(run.durationMs / 1000).toFixed(1)} s`;
}

/**
 * The path as aligned rows (time, URL, title, capture count, then `marks` for that visit), followed by `after`:
 * rows with only a mark (a step missing from the path), so their marks line up with the visits' ones.
 */
export function describeVisits(visits: readonly PageVisit[], marks: ReadonlyMap<number, string> = new Map(), after: readonly string[] = []): string {
  const rows = visits.map((visit, i) => [
    formatTimeSpan(visit.fromMs, visit.toMs),
    escapeNetworkText(visit.url),
    quoteNetworkText(visit.title),
    visit.captures === 1 ? '' : `(${visit.captures} captures)`,
    marks.get(i) ?? '',
  ]);
  const shown = rows.length <= VISITS_SHOWN ? rows : [...rows.slice(0, VISITS_SHOWN / 2), ['', `… ${rows.length - VISITS_SHOWN} more pages`], ...rows.slice(-VISITS_SHOWN / 2)];
  return alignColumns([...shown, ...after.map((mark) => ['', '', '', '', mark])]).join('\n');
}

/** The run's side of a results.json record: its captures (the last 20 as the trajectory), its duration, no timeout. */
export function describeRunCaptures(run: AgentRun): Pick<AssertionRecord, 'captures' | 'durationMs' | 'timeout' | 'trajectory'> {
  return describePolling(run.captures.map(({ atMs, url, title }) => ({ atMs, url, title })), run.durationMs, 0);
}
