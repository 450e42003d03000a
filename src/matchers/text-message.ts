import { assembleMessage, describeCaptures, describePage } from './message.js';
import { formatCount, labelledLines, plural } from '../text/format.js';
import { escapeNetworkText, quoteNetworkText } from '../text/network-text.js';
import type { Region } from '../options/options.js';
import type { CaptureRecord } from './poll.js';
import type { TextExpectation } from './page-matcher.js';
import { findClosestLine, type FoundText, type ReadLine } from './text-search.js';

// The failure text of toShowText: hint, what was expected and what OCR read, the capture and page, the trajectory.

/** Lines of the reading shown in a message; the rest are counted. A dense docs page reads as 60+ lines. */
export const LINES_SHOWN = 20;
/** Characters of one read line shown (OCR text is text the page chose: escaped and capped like network text). */
export const LINE_CHARS = 160;

export interface TextMessageInput {
  hint: string;
  isNot: boolean;
  expected: TextExpectation;
  /** What was read on the last capture. */
  lines: readonly ReadLine[];
  /** Where the expected text is on it, when it is there. */
  found: FoundText | undefined;
  region: Region | undefined;
  /** The capture kept under the output folder, relative to the root. */
  capturePath: string;
  url: string;
  title: string;
  captures: CaptureRecord[];
  elapsedMs: number;
}

export function buildTextMessage(input: TextMessageInput): string {
  const { expected, found, lines } = input;
  const what = describeExpected(expected);
  const where = input.region ? 'the region' : 'the screen';
  const paths = labelledLines([
    ['Capture', input.capturePath],
    ['Region', input.region && describeBox(input.region)],
    ['Page', describePage(input.url, input.title)],
  ]);
  const trajectory = describeCaptures(input.captures, input.elapsedMs);
  if (found) {
    const at = found.lines.first === found.lines.last ? `line ${found.lines.first}` : `lines ${found.lines.first}–${found.lines.last}`;
    return assembleMessage([
      input.hint,
      `Expected ${where} not to show ${what}, but ${at} of ${plural(lines.length, 'line')} read shows it:\n${quoteNetworkText(found.text, LINE_CHARS)} at ${describeBox(found.box)}.`,
      paths,
      trajectory,
    ]);
  }
  const closest = typeof expected === 'string' ? findClosestLine(expected, lines) : undefined;
  const closestLine = closest && `Closest: ${quoteNetworkText(closest.part, LINE_CHARS)} on line ${closest.number}, ${plural(closest.distance, 'character')} different.`;
  return assembleMessage([
    input.hint,
    [`Expected ${where} to show ${what}, but ${lines.length === 0 ? 'OCR read no text there' : 'OCR did not read it'}.`, closestLine].filter(Boolean).join('\n'),
    paths,
    describeLines(lines),
    trajectory,
    closest && closest.distance > 0 && closest.distance <= 2
      ? 'If the page is right and OCR misread a character (0/O, 1/l, rn/m), match it with a RegExp that allows both.'
      : undefined,
  ]);
}

/** `"Order #A-20931" (ignoring case and spacing)` or `text matching /#A-\d+/`. */
function describeExpected(expected: TextExpectation): string {
  return typeof expected === 'string' ? `${quoteNetworkText(expected, LINE_CHARS)} (ignoring case and spacing)` : `text matching ${escapeNetworkText(String(expected), LINE_CHARS)}`;
}

/** The lines read, top to bottom, numbered, the first {@link LINES_SHOWN} of them. */
function describeLines(lines: readonly ReadLine[]): string | undefined {
  if (lines.length === 0) return undefined;
  const shown = lines.slice(0, LINES_SHOWN);
  const width = String(shown.length).length;
  const rows = shown.map((line, i) => `  ${String(i + 1).padStart(width)}  ${escapeNetworkText(line.text, LINE_CHARS)}`);
  const rest = lines.length - shown.length;
  return [`Read ${plural(lines.length, 'line')}${rest > 0 ? ` (the first ${shown.length} shown)` : ''}:`, ...rows, ...(rest > 0 ? [`  … ${formatCount(rest)} more`] : [])].join('\n');
}

export function describeBox(box: Region): string {
  return `{x: ${box.x}, y: ${box.y}, width: ${box.width}, height: ${box.height}}`;
}
