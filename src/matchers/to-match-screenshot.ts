import { compareImages } from '../compare.js';
import { InvalidScreenshotError } from '../errors.js';
import { decodeImage, encodePng, readImageSize, sniffImageType, type DecodedImage } from '../image.js';
import { nextDefaultName, testInfo, type MatcherContext } from '../matcher-context.js';
import {
  assembleMessage,
  describeCaptures,
  describePage,
  formatCount,
  formatPercent,
  labelledLines,
  relativePath,
} from '../message.js';
import { resolveOptions, SCREENSHOT_OPTION_NAMES, type ResolvedOptions, type ScreenshotOptions } from '../options.js';
import {
  allowedDiffPixels,
  assertionHolds,
  decideOutcome,
  isMatch,
  type Comparison,
  type MatchOutcome,
} from '../outcome.js';
import { pollCaptures, type CaptureRecord } from '../poll.js';
import type { Screenshot } from '../screenshot.js';
import { readBaseline, removeFiles, resolveScreenshotPaths, writeFileAtomically, type ScreenshotPaths } from '../baseline.js';
import { toCapture } from '../subject.js';

interface Baseline {
  path: string;
  bytes: Buffer;
  pixels?: DecodedImage;
}

/**
 * Compares what the session shows with the stored baseline `snapshots/<test file>/<name>.jpg`.
 * Identical bytes pass without decoding; otherwise both images are decoded and compared with pixelmatch.
 */
export async function toMatchScreenshot(
  this: MatcherContext,
  subject: unknown,
  nameOrOptions?: string | ScreenshotOptions,
  maybeOptions?: ScreenshotOptions,
) {
  const [givenName, callOptions] = typeof nameOrOptions === 'object' ? [undefined, nameOrOptions] : [nameOrOptions, maybeOptions];
  if (givenName !== undefined && typeof givenName !== 'string') {
    throw new TypeError(`toMatchScreenshot: the name must be a string, but received ${typeof givenName}.`);
  }
  const options = resolveOptions(callOptions, SCREENSHOT_OPTION_NAMES, 'toMatchScreenshot');
  const isNot = Boolean(this.isNot); // Vitest leaves the flag undefined without .not
  const { capture, label } = toCapture(subject, 'toMatchScreenshot');
  const info = testInfo(this);
  const name = givenName ?? nextDefaultName(this, info.testName);

  let paths: ScreenshotPaths | undefined;
  let baseline: Baseline | undefined;
  const evaluate = async (shot: Screenshot): Promise<Comparison> => {
    if (!paths) {
      paths = resolveScreenshotPaths({ ...info, name, mimeType: shot.mimeType, snapshotDir: options.snapshotDir, outputDir: options.outputDir });
      baseline = await readBaseline(paths);
    }
    return compareWithBaseline(shot, baseline, options);
  };

  const polled = await pollCaptures(capture, evaluate, (c) => c.kind === 'no-baseline' || isMatch(c) !== isNot, {
    timeout: options.timeout,
    interval: options.interval,
    diffPixelsOf: (c) => ('diffPixels' in c ? c.diffPixels : c.kind === 'bytes-equal' ? 0 : undefined),
  });
  const outcome = decideOutcome(polled.result, info.updateMode, isNot);
  await performSideEffects(outcome, isNot, paths!, baseline, polled.shot, options);

  const pass = assertionHolds(outcome, isNot) !== isNot;
  const hint = this.utils.matcherHint('toMatchScreenshot', label, givenName === undefined ? '' : JSON.stringify(givenName), {
    isNot,
    promise: this.promise,
  });
  return {
    pass,
    message: () =>
      buildMessage(outcome, {
        hint,
        isNot,
        root: info.root,
        paths: paths!,
        baselinePath: baseline?.path ?? paths!.baseline,
        shot: polled.shot,
        options,
        captures: polled.captures,
        elapsedMs: polled.elapsedMs,
      }),
  };
}

/** Bytes first (an unchanged page gives identical JPEGs), then pixels with the same decoder on both sides. */
function compareWithBaseline(shot: Screenshot, baseline: Baseline | undefined, options: ResolvedOptions): Comparison {
  if (!baseline) return { kind: 'no-baseline' };
  if (shot.bytes.equals(baseline.bytes)) return { kind: 'bytes-equal' };
  baseline.pixels ??= decodeBaseline(baseline);
  const actual = shot.pixels;
  const result = compareImages(baseline.pixels, actual, { threshold: options.threshold, mask: options.mask, clip: options.clip, withDiff: false });
  if (!result.sameSize) {
    return { kind: 'size-mismatch', baseline: { width: baseline.pixels.width, height: baseline.pixels.height }, actual: { width: actual.width, height: actual.height } };
  }
  const allowedPixels = allowedDiffPixels(result.comparedPixels, options);
  const kind = result.diffPixels <= allowedPixels ? 'within-limits' : 'pixels-differ';
  return { kind, diffPixels: result.diffPixels, comparedPixels: result.comparedPixels, allowedPixels };
}

function decodeBaseline(baseline: Baseline): DecodedImage {
  const type = sniffImageType(baseline.bytes);
  if (!type) throw new InvalidScreenshotError(`baseline ${baseline.path} is not a JPEG or PNG; delete it, or run \`vitest -u\` to replace it.`);
  try {
    readImageSize(baseline.bytes, type);
    return decodeImage(baseline.bytes, type);
  } catch (error) {
    throw new InvalidScreenshotError(`baseline ${baseline.path} is unreadable (${(error as Error).message}); delete it, or run \`vitest -u\` to replace it.`, { cause: error });
  }
}

/** The only place that writes files. A failing comparison never touches the baseline. */
async function performSideEffects(
  outcome: MatchOutcome,
  isNot: boolean,
  paths: ScreenshotPaths,
  baseline: Baseline | undefined,
  shot: Screenshot,
  options: ResolvedOptions,
): Promise<void> {
  switch (outcome.kind) {
    case 'baseline-written':
    case 'baseline-updated':
      await writeFileAtomically(paths.baseline, shot.bytes);
      // The API switched formats: the old-format baseline would otherwise be found first next time.
      if (baseline && baseline.path !== paths.baseline) await removeFiles(baseline.path);
      await removeFiles(paths.actual, paths.diff);
      return;
    case 'matched':
      await removeFiles(paths.actual, paths.diff);
      return;
    case 'baseline-missing':
      if (outcome.reason === 'ci') await writeFileAtomically(paths.actual, shot.bytes);
      return;
    case 'pixels-differ':
    case 'size-mismatch': {
      if (isNot) {
        await removeFiles(paths.actual, paths.diff);
        return;
      }
      // The diff image is drawn only now, for the final capture: polling captures count pixels only.
      const diff = compareImages(baseline!.pixels!, shot.pixels, { threshold: options.threshold, mask: options.mask, clip: options.clip, withDiff: true }).diff!;
      await Promise.all([writeFileAtomically(paths.actual, shot.bytes), writeFileAtomically(paths.diff, encodePng(diff))]);
      return;
    }
    default:
      return outcome satisfies never;
  }
}

interface MessageInput {
  hint: string;
  isNot: boolean;
  root: string;
  paths: ScreenshotPaths;
  baselinePath: string;
  shot: Screenshot;
  options: ResolvedOptions;
  captures: CaptureRecord[];
  elapsedMs: number;
}

function buildMessage(outcome: MatchOutcome, input: MessageInput): string {
  const { root, paths, shot, options } = input;
  const rel = (file: string) => relativePath(root, file);
  const page = describePage(shot.url, shot.title);
  const trajectory = describeCaptures(input.captures, input.elapsedMs);
  switch (outcome.kind) {
    case 'pixels-differ':
    case 'size-mismatch': {
      if (input.isNot) {
        return assembleMessage([input.hint, 'Expected the screenshot to differ from the baseline, and it does.']);
      }
      const reason =
        outcome.kind === 'size-mismatch'
          ? `Screenshot is ${outcome.actual.width}×${outcome.actual.height} but baseline is ${outcome.baseline.width}×${outcome.baseline.height}.`
          : `Screenshot differs from baseline: ${formatCount(outcome.diffPixels)} pixels differ (${formatPercent(outcome.diffPixels / outcome.comparedPixels)} of ${describeArea(shot, options)});\n${describeLimits(options, outcome.allowedPixels)}.`;
      const next =
        outcome.kind === 'size-mismatch'
          ? "The session's viewport changed, or the baseline belongs to another viewport. If the new size is intended, run `vitest -u` to update the baseline."
          : 'If the change is intended, run `vitest -u` to update the baseline.';
      return assembleMessage([
        input.hint,
        reason,
        labelledLines([
          ['Baseline', rel(input.baselinePath)],
          ['Actual', rel(paths.actual)],
          ['Diff', rel(paths.diff)],
          ['Page', page],
        ]),
        trajectory,
        next,
      ]);
    }
    case 'matched': {
      const how =
        outcome.comparison.kind === 'bytes-equal'
          ? 'its bytes are identical'
          : `only ${formatCount(outcome.comparison.diffPixels)} pixels differ (${describeLimits(options, outcome.comparison.allowedPixels)})`;
      return assembleMessage([
        input.hint,
        `Expected the screenshot to differ from the baseline, but it matches: ${how}.`,
        labelledLines([['Baseline', rel(input.baselinePath)], ['Page', page]]),
        trajectory,
      ]);
    }
    case 'baseline-missing':
      if (outcome.reason === 'not') {
        return assembleMessage([
          input.hint,
          `No baseline at ${rel(paths.baseline)}: .not.toMatchScreenshot() needs a baseline to differ from, and never writes one.`,
          labelledLines([['Page', page]]),
          'Record the baseline first with toMatchScreenshot() (without .not).',
        ]);
      }
      return assembleMessage([
        input.hint,
        `No baseline at ${rel(paths.baseline)}, and baselines are not written in CI (update mode "none").`,
        labelledLines([['Actual', rel(paths.actual)], ['Page', page]]),
        'Run `vitest -u` locally and commit the file.',
      ]);
    case 'baseline-written':
      return assembleMessage([input.hint, `Baseline written to ${rel(paths.baseline)}.`]);
    case 'baseline-updated':
      return assembleMessage([input.hint, `Baseline updated at ${rel(paths.baseline)}.`]);
    default:
      return outcome satisfies never;
  }
}

function describeArea(shot: Screenshot, options: ResolvedOptions): string {
  const clip = options.clip ? `the ${options.clip.width}×${options.clip.height} clip` : `${shot.width}×${shot.height}`;
  return options.mask.length > 0 ? `${clip}, masked regions left out` : clip;
}

function describeLimits(options: ResolvedOptions, allowedPixels: number): string {
  const ratio = options.maxDiffPixelRatio === undefined ? '' : `, maxDiffPixelRatio ${options.maxDiffPixelRatio}`;
  return `allowed: ${formatCount(allowedPixels)} pixels (maxDiffPixels ${formatCount(options.maxDiffPixels)}${ratio}), threshold ${options.threshold}`;
}
