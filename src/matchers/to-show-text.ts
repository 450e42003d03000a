import { createHash } from 'node:crypto';
import path from 'node:path';
import { describePolling, plainMessage, recordingErrors } from '../vitest/assertion-record.js';
import type { AssertionContext, TestInfo } from '../vitest/matcher-context.js';
import { checkRegionOption, resolveOptions, TEXT_OPTION_NAMES, type TextOptions } from '../options/options.js';
import { baselineFileStem, resolveScreenshotPaths, writeFileAtomically } from '../baselines/baseline.js';
import { relativePath } from '../text/format.js';
import { recognizeText } from '../ocr/recognize.js';
import type { Screenshot } from '../image/screenshot.js';
import { checkTextToFind, printExpectation, type TextExpectation } from './page-matcher.js';
import { pollCaptures } from './poll.js';
import { describeUnsettled, settleCaptures } from './settle.js';
import { toCapture } from './subject.js';
import { buildTextMessage } from './text-message.js';
import { locateText, type FoundText, type ReadLine } from './text-search.js';

/** One capture read: its lines, and where the expected text is on it (undefined: not there). */
interface TextCheck {
  lines: readonly ReadLine[];
  found: FoundText | undefined;
}

/**
 * The screen shows `expected`, as offline OCR reads the screenshot: a string is a case-insensitive part of the text
 * read (whitespace normalised), a RegExp is tested against it. Polls like the page matchers while `timeout` allows;
 * an unchanged capture is read once (readings are cached by the image's bytes).
 */
export async function toShowText(this: AssertionContext, subject: unknown, expected: TextExpectation, options?: TextOptions) {
  const isNot = this.isNot;
  return recordingErrors(this, 'toShowText', isNot, async (known) => {
    checkTextToFind('toShowText', expected);
    const expectedText = printExpectation(expected);
    known.expected = expectedText;
    const { capture, label, finished } = toCapture(subject, 'toShowText', options);
    const resolved = { ...resolveOptions(options, TEXT_OPTION_NAMES, 'toShowText'), ...(finished ? { timeout: 0, settle: 0 } : {}) };
    known.timeout = resolved.timeout;
    const region = options?.region;
    const info = this.test('toShowText');

    const read = async (shot: Screenshot): Promise<TextCheck> => {
      if (region !== undefined) checkRegionOption('toShowText', 'region', region, shot);
      const reading = await recognizeText(shot, { region });
      // The screen's text is its lines joined by one space (as `reading.text` is): searched there, a match has lines.
      return { lines: reading.lines, found: locateText(expected, reading.lines) };
    };
    const settling = settleCaptures(capture, resolved.settle);
    const polled = await pollCaptures(settling.capture, read, (check) => (check.found !== undefined) !== isNot, resolved);
    const { result, shot } = polled;
    const settle = settling.reportFor(shot);
    const unsettled = settle && !settle.settled ? describeUnsettled(settle, 'the last one was read') : undefined;
    const holds = (result.found !== undefined) !== isNot;
    // The capture that was read is kept beside toMatchScreenshot's actual images, so a failure can be looked at.
    const captureFile = holds ? undefined : await keepCapture(shot, info, resolved.outputDir);
    const hint = this.utils.matcherHint('toShowText', label, expectedText, { isNot, promise: this.promise });
    const message = () =>
      [buildTextMessage({
        hint,
        isNot,
        expected,
        lines: result.lines,
        found: result.found,
        region,
        capturePath: captureFile ? relativePath(info.root, captureFile) : '(not kept: the assertion held)',
        url: shot.url,
        title: shot.title,
        captures: polled.captures,
        elapsedMs: polled.elapsedMs,
      }), ...(unsettled ? [unsettled] : [])].join('\n\n');
    await this.record({
      matcher: 'toShowText',
      not: isNot,
      outcome: result.found ? 'matched' : 'text-missing',
      pass: holds,
      expected: expectedText,
      url: shot.url,
      title: shot.title,
      ...(region ? { region } : {}),
      ...(captureFile ? { capture: captureFile } : {}),
      ...(result.found ? { found: { text: result.found.text, box: result.found.box, lines: result.found.lines } } : {}),
      ...describePolling(polled.captures, polled.elapsedMs, resolved.timeout),
      ...(settle ? { settle: { settled: settle.settled, captures: settle.captures, durationMs: settle.durationMs } } : {}),
      ...(holds ? {} : { message: plainMessage(message()) }),
    });
    return { pass: result.found !== undefined, message };
  });
}

/**
 * `<outputDir>/<test file>/<test name>-text-<8 hex of the image's SHA-256>.jpg`: one file per test and capture, so
 * two assertions never share a file, and a capture read again is the same file.
 */
async function keepCapture(shot: Screenshot, info: TestInfo, outputDir: string): Promise<string> {
  const { actual } = resolveScreenshotPaths({ ...info, name: info.testName || 'toShowText', mimeType: shot.mimeType, snapshotDir: '.', outputDir });
  const hash = createHash('sha256').update(shot.bytes).digest('hex').slice(0, 8);
  const file = path.join(path.dirname(actual), `${baselineFileStem(info.testName || 'toShowText')}-text-${hash}${path.extname(actual)}`);
  await writeFileAtomically(file, shot.bytes, `the capture ${relativePath(info.root, file)}`);
  return file;
}
