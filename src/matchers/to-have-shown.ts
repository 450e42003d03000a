import { UsageError } from '../errors.js';
import { checkOptionNames, checkRegionOption, describeValue, type Region } from '../options/options.js';
import { plainMessage, recordingErrors } from '../vitest/assertion-record.js';
import type { AssertionContext } from '../vitest/matcher-context.js';
import { recognizeText } from '../ocr/recognize.js';
import type { RunCapture } from '../api/agent-run.js';
import { alignColumns, formatTimeSpan, plural } from '../text/format.js';
import { escapeNetworkText, quoteNetworkText } from '../text/network-text.js';
import { assembleMessage } from './message.js';
import { checkTextToFind, printExpectation, type TextExpectation } from './page-matcher.js';
import { describeRunCaptures } from './run-message.js';
import { finalCapture, requireRun } from './subject.js';
import { LINE_CHARS } from './text-message.js';
import { locateText, type FoundText } from './text-search.js';

export interface ShownOptions {
  /** Read only this part of each capture, in screenshot pixels. @default the whole screenshot */
  region?: Region;
}

/** What one capture showed, as OCR read it. */
interface CaptureReading {
  capture: RunCapture;
  text: string;
  found: FoundText | undefined;
}

/** Characters of a capture's text shown per row: enough to recognise the page, short enough for one line. */
const SHOWN_CHARS = 80;

/**
 * Some capture of the run shows `expected` (toShowText's rule: a string is a case-insensitive part of the text OCR
 * read, whitespace normalised; a RegExp is tested), though the final page may no longer: a toast, a flash of an
 * error. Captures are read oldest first, and reading stops at the first that shows it. `.not`: none shows it.
 */
export async function toHaveShown(this: AssertionContext, subject: unknown, expected: TextExpectation, options?: ShownOptions) {
  const isNot = this.isNot;
  return recordingErrors(this, 'toHaveShown', isNot, async (known) => {
    checkTextToFind('toHaveShown', expected);
    const expectedText = printExpectation(expected);
    known.expected = expectedText;
    const region = resolveRegion(options);
    const run = requireRun(subject, 'toHaveShown');
    const final = finalCapture(run, 'toHaveShown');
    const readings: CaptureReading[] = [];
    for (const capture of run.captures) {
      if (region !== undefined) checkRegionOption('toHaveShown', 'region', region, capture.screenshot);
      const reading = await recognizeText(capture.screenshot, { region });
      const found = locateText(expected, reading.lines);
      readings.push({ capture, text: reading.text, found });
      if (found) break;
    }
    const shown = readings.at(-1)!.found ? readings.at(-1)! : undefined;
    const hint = this.utils.matcherHint('toHaveShown', 'run', expectedText, { isNot, promise: this.promise });
    const message = () => buildShownMessage(hint, expected, readings, run.captures.length, shown, region);
    const holds = (shown !== undefined) !== isNot;
    const page = shown?.capture ?? final;
    await this.record({
      matcher: 'toHaveShown',
      not: isNot,
      outcome: shown ? 'matched' : 'text-missing',
      pass: holds,
      expected: expectedText,
      url: page.url,
      title: page.title,
      ...(region ? { region } : {}),
      ...(shown?.found ? { found: { text: shown.found.text, box: shown.found.box, lines: shown.found.lines } } : {}),
      ...describeRunCaptures(run),
      ...(holds ? {} : { message: plainMessage(message()) }),
    });
    return { pass: shown !== undefined, message };
  });
}

function resolveRegion(options: ShownOptions | undefined): Region | undefined {
  if (options === undefined) return undefined;
  checkOptionNames(options, ['region'], 'toHaveShown');
  if (options.region === undefined) return undefined;
  if (typeof options.region !== 'object' || options.region === null) {
    throw new UsageError(`toHaveShown: \`region\` must be {x, y, width, height} in whole pixels, but received ${describeValue(options.region)}.`);
  }
  return options.region;
}

/** The captures read, one row each: time, page, and the start of what OCR read there. */
function describeReadings(readings: CaptureReading[], shown: CaptureReading | undefined): string {
  const rows = readings.map(({ capture, text }) => [
    formatTimeSpan(capture.atMs),
    escapeNetworkText(capture.url),
    quoteNetworkText(capture.title),
    text === '' ? 'read no text' : `read ${quoteNetworkText(text, SHOWN_CHARS)}`,
    capture === shown?.capture ? '✓' : '',
  ]);
  return alignColumns(rows).join('\n');
}

function buildShownMessage(hint: string, expected: TextExpectation, readings: CaptureReading[], total: number, shown: CaptureReading | undefined, region: Region | undefined): string {
  const what = typeof expected === 'string' ? `${quoteNetworkText(expected, LINE_CHARS)} (ignoring case and spacing)` : `text matching ${escapeNetworkText(String(expected), LINE_CHARS)}`;
  const where = region ? ` in {x: ${region.x}, y: ${region.y}, width: ${region.width}, height: ${region.height}}` : '';
  const read = `  Read ${readings.length} of ${plural(total, 'capture')} (OCR)${where}:\n${describeReadings(readings, shown)}`;
  if (shown) {
    return assembleMessage([
      hint,
      `Expected no capture of the run to show ${what}, but the one at ${formatTimeSpan(shown.capture.atMs)} does: ${quoteNetworkText(shown.found!.text, LINE_CHARS)}.`,
      read,
    ]);
  }
  return assembleMessage([hint, `Expected some capture of the run to show ${what}, but OCR read it in none of the ${plural(total, 'capture')}.`, read]);
}
