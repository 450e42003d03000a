import path from 'node:path';
import { recordReviewImages, type ReviewImage } from '../artifacts.js';
import { describePolling, plainMessage, recordAssertion, recordingErrors, type AssertionRecord } from '../assertion-record.js';
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
import { describeProvenance, provenancePath, readProvenance, writeProvenance, type BaselineProvenance } from '../provenance.js';
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
  return recordingErrors(this.task, 'toMatchScreenshot', Boolean(this.isNot), () => matchScreenshot(this, subject, nameOrOptions, maybeOptions));
}

async function matchScreenshot(
  context: MatcherContext,
  subject: unknown,
  nameOrOptions: string | ScreenshotOptions | undefined,
  maybeOptions: ScreenshotOptions | undefined,
) {
  const [givenName, callOptions] = typeof nameOrOptions === 'object' ? [undefined, nameOrOptions] : [nameOrOptions, maybeOptions];
  if (givenName !== undefined && typeof givenName !== 'string') {
    throw new TypeError(`toMatchScreenshot: the name must be a string, but received ${typeof givenName}.`);
  }
  const options = resolveOptions(callOptions, SCREENSHOT_OPTION_NAMES, 'toMatchScreenshot');
  const isNot = Boolean(context.isNot); // Vitest leaves the flag undefined without .not
  const { capture, label } = toCapture(subject, 'toMatchScreenshot');
  const info = testInfo(context);
  const name = givenName ?? nextDefaultName(context, info.testName);

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
  const holds = assertionHolds(outcome, isNot);
  // Only a failure message shows where the baseline came from: a passing assertion reads no sidecar (fast path).
  // Read before the side effects: an update replaces the baseline and its sidecar.
  const source = baseline && !holds && showsBaseline(outcome) ? await readProvenance(baseline.path, baseline.bytes) : undefined;
  const effects = await performSideEffects(outcome, isNot, paths!, baseline, polled.shot, options);

  const hint = context.utils.matcherHint('toMatchScreenshot', label, givenName === undefined ? '' : JSON.stringify(givenName), {
    isNot,
    promise: context.promise,
  });
  const message = () =>
    buildMessage(outcome, {
      hint,
      isNot,
      root: info.root,
      paths: paths!,
      baselinePath: baseline?.path ?? paths!.baseline,
      source,
      shot: polled.shot,
      options,
      captures: polled.captures,
      elapsedMs: polled.elapsedMs,
    });
  await recordReviewImages(context.task, reviewMessage(outcome, info.root, paths!), reviewImages(outcome, isNot, paths!, baseline, polled.shot, effects));
  recordAssertion(context.task, {
    matcher: 'toMatchScreenshot',
    not: isNot,
    outcome: outcome.kind,
    pass: holds,
    name,
    url: polled.shot.url,
    title: polled.shot.title,
    ...describePolling(polled.captures, polled.elapsedMs, options.timeout),
    ...describeFiles(outcome, isNot, paths!, baseline, path.resolve(info.root, options.snapshotDir)),
    ...describeNumbers(outcome, polled.shot, options),
    ...(source ? { baselineSource: source } : {}),
    ...(Object.keys(options.meta).length > 0 ? { meta: options.meta } : {}),
    ...(holds ? {} : { message: plainMessage(message()) }),
  });
  return { pass: holds !== isNot, message };
}

/** Outcomes whose message names an existing baseline (so its provenance is worth reading). */
function showsBaseline(outcome: MatchOutcome): boolean {
  return outcome.kind === 'pixels-differ' || outcome.kind === 'size-mismatch' || outcome.kind === 'matched';
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

/** What the side effects produced that the report needs: the diff image drawn (a file, or only bytes after -u). */
interface SideEffects {
  diff?: { png: Buffer; width: number; height: number };
}

/**
 * The only place that writes files. A failing comparison never touches the baseline. A baseline is written with
 * its provenance sidecar, and only then: an unchanged baseline keeps an unchanged sidecar.
 */
async function performSideEffects(
  outcome: MatchOutcome,
  isNot: boolean,
  paths: ScreenshotPaths,
  baseline: Baseline | undefined,
  shot: Screenshot,
  options: ResolvedOptions,
): Promise<SideEffects> {
  const drawDiff = () => {
    // The diff image is drawn only now, for the final capture: polling captures count pixels only.
    const diff = compareImages(baseline!.pixels!, shot.pixels, { threshold: options.threshold, mask: options.mask, clip: options.clip, withDiff: true }).diff!;
    return { png: encodePng(diff), width: diff.width, height: diff.height };
  };
  switch (outcome.kind) {
    case 'baseline-written':
    case 'baseline-updated': {
      // Drawn for the report before the old baseline is replaced; kept in memory, never written.
      const diff = outcome.kind === 'baseline-updated' ? drawDiff() : undefined;
      await writeFileAtomically(paths.baseline, shot.bytes);
      await writeProvenance(paths.baseline, shot, options.meta);
      // The API switched formats: the old-format baseline would otherwise be found first next time.
      if (baseline && baseline.path !== paths.baseline) await removeFiles(baseline.path, provenancePath(baseline.path));
      await removeFiles(paths.actual, paths.diff);
      return { diff };
    }
    case 'matched':
      await removeFiles(paths.actual, paths.diff);
      return {};
    case 'baseline-missing':
      if (outcome.reason === 'ci') await writeFileAtomically(paths.actual, shot.bytes);
      return {};
    case 'pixels-differ':
    case 'size-mismatch': {
      if (isNot) {
        await removeFiles(paths.actual, paths.diff);
        return {};
      }
      const diff = drawDiff();
      await Promise.all([writeFileAtomically(paths.actual, shot.bytes), writeFileAtomically(paths.diff, diff.png)]);
      return { diff };
    }
    default:
      return outcome satisfies never;
  }
}

/**
 * The images for Vitest's report: on a failure baseline, actual and diff; for a new baseline the image stored;
 * after `-u` the old baseline, the new one and their diff; under CI without a baseline, the actual capture.
 * `.not` outcomes show none: there is no difference to look at.
 */
function reviewImages(
  outcome: MatchOutcome,
  isNot: boolean,
  paths: ScreenshotPaths,
  baseline: Baseline | undefined,
  shot: Screenshot,
  effects: SideEffects,
): ReviewImage[] {
  if (isNot) return [];
  const captured: Omit<ReviewImage, 'name'> = { path: undefined, contentType: shot.mimeType, width: shot.width, height: shot.height };
  const diffImage = (): ReviewImage[] =>
    effects.diff ? [{ name: 'diff', contentType: 'image/png', width: effects.diff.width, height: effects.diff.height, ...(outcome.kind === 'baseline-updated' ? { body: effects.diff.png } : { path: paths.diff }) }] : [];
  const baselineImage = (where: { path: string } | { body: Uint8Array }): ReviewImage => {
    const type = sniffImageType(baseline!.bytes)!;
    const size = baseline!.pixels ?? readImageSize(baseline!.bytes, type);
    return { name: 'reference', contentType: type, width: size.width, height: size.height, ...where };
  };
  switch (outcome.kind) {
    case 'pixels-differ':
    case 'size-mismatch':
      return [baselineImage({ path: baseline!.path }), { name: 'actual', ...captured, path: paths.actual }, ...diffImage()];
    case 'baseline-updated':
      return [baselineImage({ body: baseline!.bytes }), { name: 'actual', ...captured, path: paths.baseline }, ...diffImage()];
    case 'baseline-written':
      return [{ name: 'reference', ...captured, path: paths.baseline }];
    case 'baseline-missing':
      return outcome.reason === 'ci' ? [{ name: 'actual', ...captured, path: paths.actual }] : [];
    case 'matched':
      return [];
    default:
      return outcome satisfies never;
  }
}

/** One line above the images in the report. */
function reviewMessage(outcome: MatchOutcome, root: string, paths: ScreenshotPaths): string {
  const rel = (file: string) => relativePath(root, file);
  switch (outcome.kind) {
    case 'pixels-differ':
      return `Screenshot differs from baseline: ${formatCount(outcome.diffPixels)} pixels differ (${formatPercent(outcome.diffPixels / outcome.comparedPixels)}), ${formatCount(outcome.allowedPixels)} allowed.`;
    case 'size-mismatch':
      return `Screenshot is ${outcome.actual.width}×${outcome.actual.height} but baseline is ${outcome.baseline.width}×${outcome.baseline.height}.`;
    case 'baseline-updated':
      return `Baseline updated at ${rel(paths.baseline)} (Reference: the previous baseline).`;
    case 'baseline-written':
      return `Baseline written to ${rel(paths.baseline)}.`;
    case 'baseline-missing':
      return `No baseline at ${rel(paths.baseline)}, and baselines are not written in CI.`;
    case 'matched':
      return 'Screenshot matches the baseline.';
    default:
      return outcome satisfies never;
  }
}

/** Paths for results.json: the baseline in use, and the actual/diff images the assertion left on disk. */
function describeFiles(
  outcome: MatchOutcome,
  isNot: boolean,
  paths: ScreenshotPaths,
  baseline: Baseline | undefined,
  snapshotDir: string,
): Pick<AssertionRecord, 'baseline' | 'actual' | 'diff' | 'snapshotDir'> {
  const written = outcome.kind === 'baseline-written' || outcome.kind === 'baseline-updated';
  const failed = (outcome.kind === 'pixels-differ' || outcome.kind === 'size-mismatch') && !isNot;
  const ciMissing = outcome.kind === 'baseline-missing' && outcome.reason === 'ci';
  return {
    baseline: written ? paths.baseline : baseline?.path ?? paths.baseline,
    snapshotDir,
    ...(failed || ciMissing ? { actual: paths.actual } : {}),
    ...(failed ? { diff: paths.diff } : {}),
  };
}

/** Sizes, counts and limits for results.json. */
function describeNumbers(
  outcome: MatchOutcome,
  shot: Screenshot,
  options: ResolvedOptions,
): Pick<AssertionRecord, 'width' | 'height' | 'baselineWidth' | 'baselineHeight' | 'diffPixels' | 'comparedPixels' | 'allowedPixels' | 'limits'> {
  const comparison = outcome.kind === 'matched' || outcome.kind === 'baseline-updated' ? outcome.comparison : outcome;
  const counts =
    comparison.kind === 'pixels-differ' || comparison.kind === 'within-limits'
      ? { diffPixels: comparison.diffPixels, comparedPixels: comparison.comparedPixels, allowedPixels: comparison.allowedPixels }
      : comparison.kind === 'bytes-equal'
        ? { diffPixels: 0 }
        : {};
  const sizes = comparison.kind === 'size-mismatch' ? { baselineWidth: comparison.baseline.width, baselineHeight: comparison.baseline.height } : {};
  return {
    width: shot.width,
    height: shot.height,
    ...sizes,
    ...counts,
    limits: {
      threshold: options.threshold,
      maxDiffPixels: options.maxDiffPixels,
      ...(options.maxDiffPixelRatio === undefined ? {} : { maxDiffPixelRatio: options.maxDiffPixelRatio }),
    },
  };
}

interface MessageInput {
  hint: string;
  isNot: boolean;
  root: string;
  paths: ScreenshotPaths;
  baselinePath: string;
  /** The baseline's provenance sidecar, shown under its path ("captured from … on …"). */
  source: BaselineProvenance | undefined;
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
          ['', input.source && describeProvenance(input.source)],
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
        labelledLines([['Baseline', rel(input.baselinePath)], ['', input.source && describeProvenance(input.source)], ['Page', page]]),
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
