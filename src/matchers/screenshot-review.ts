import type { ReviewImage } from '../vitest/artifacts.js';
import type { AssertionRecord } from '../results/records.js';
import { readImageSize, sniffImageType } from '../image/image.js';
import { formatCount, formatPercent, relativePath } from '../text/format.js';
import type { ResolvedOptions } from '../options/options.js';
import type { MatchOutcome } from './outcome.js';
import type { Screenshot } from '../image/screenshot.js';
import type { ScreenshotPaths } from '../baselines/baseline.js';
import type { Baseline, SideEffects } from './to-match-screenshot.js';

// What toMatchScreenshot hands to the review tools: images for Vitest's report, and the numbers and paths for
// results.json. Pure: no files are read or written here.

/**
 * The images for Vitest's report: on a failure baseline, actual and diff; for a new baseline the image stored;
 * after `-u` the old baseline, the new one and their diff; under CI without a baseline, the actual capture.
 * `.not` outcomes show none: there is no difference to look at.
 */
export function reviewImages(
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
      return outcome.reason !== 'not' ? [{ name: 'actual', ...captured, path: paths.actual }] : [];
    case 'matched':
      return [];
    default:
      return outcome satisfies never;
  }
}

/** One line above the images in the report. */
export function reviewMessage(outcome: MatchOutcome, root: string, paths: ScreenshotPaths): string {
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
      if (outcome.reason === 'unsettled') return `No baseline written to ${rel(paths.baseline)}: the page never settled.`;
      return `No baseline at ${rel(paths.baseline)}, and baselines are not written in CI.`;
    case 'matched':
      return 'Screenshot matches the baseline.';
    default:
      return outcome satisfies never;
  }
}

/** Paths for results.json: the baseline in use, and the actual/diff images the assertion left on disk. */
export function describeFiles(
  outcome: MatchOutcome,
  isNot: boolean,
  paths: ScreenshotPaths,
  baseline: Baseline | undefined,
  snapshotDir: string,
): Pick<AssertionRecord, 'baseline' | 'actual' | 'diff' | 'snapshotDir'> {
  const written = outcome.kind === 'baseline-written' || outcome.kind === 'baseline-updated';
  const failed = (outcome.kind === 'pixels-differ' || outcome.kind === 'size-mismatch') && !isNot;
  const ciMissing = outcome.kind === 'baseline-missing' && outcome.reason !== 'not';
  return {
    baseline: written ? paths.baseline : baseline?.path ?? paths.baseline,
    snapshotDir,
    ...(failed || ciMissing ? { actual: paths.actual } : {}),
    ...(failed ? { diff: paths.diff } : {}),
  };
}

/** Sizes, counts and limits for results.json. */
export function describeNumbers(
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
