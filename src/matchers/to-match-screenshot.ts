import path from 'node:path';
import { recordReviewImages } from '../artifacts.js';
import { describePolling, plainMessage, recordAssertion, recordingErrors } from '../assertion-record.js';
import { compareImages } from '../compare.js';
import { InvalidScreenshotError } from '../errors.js';
import { decodeImage, encodePng, readImageSize, sniffImageType, type DecodedImage } from '../image.js';
import { nextDefaultName, testInfo, type MatcherContext } from '../matcher-context.js';
import { resolveOptions, SCREENSHOT_OPTION_NAMES, type ResolvedOptions, type ScreenshotOptions } from '../options.js';
import {
  allowedDiffPixels,
  assertionHolds,
  decideOutcome,
  isMatch,
  type Comparison,
  type MatchOutcome,
} from '../outcome.js';
import { pollCaptures } from '../poll.js';
import { provenancePath, readProvenance, writeProvenance } from '../provenance.js';
import type { Screenshot } from '../screenshot.js';
import { readBaseline, removeFiles, resolveScreenshotPaths, writeFileAtomically, type ScreenshotPaths } from '../baseline.js';
import { toCapture } from '../subject.js';
import { buildMessage } from './screenshot-message.js';
import { describeFiles, describeNumbers, reviewImages, reviewMessage } from './screenshot-review.js';

export interface Baseline {
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
export interface SideEffects {
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
