import path from 'node:path';
import { describePolling, plainMessage, recordingErrors, type KnownSoFar } from '../vitest/assertion-record.js';
import { compareImages } from '../image/compare.js';
import { outlineChangedRegions, type ChangedRegion } from '../image/regions.js';
import { UnreadableBaselineError, UsageError } from '../errors.js';
import { decodeImage, encodePng, readImageSize, sniffImageType, type DecodedImage } from '../image/image.js';
import type { AssertionContext } from '../vitest/matcher-context.js';
import { checkRegionsInside, resolveOptions, SCREENSHOT_OPTION_NAMES, type ResolvedOptions, type ScreenshotOptions } from '../options/options.js';
import {
  allowedDiffPixels,
  assertionHolds,
  decideOutcome,
  isMatch,
  type Comparison,
  type MatchOutcome,
} from './outcome.js';
import { pollCaptures } from './poll.js';
import { settleCaptures } from './settle.js';
import { decideVariant, type VariantDecision } from './variant-outcome.js';
import { readVariants, variantPath } from '../baselines/variants.js';
import { provenancePath, readProvenance, writeProvenance } from '../baselines/provenance.js';
import type { Screenshot } from '../image/screenshot.js';
import { readBaseline, removeFiles, resolveScreenshotPaths, writeFileAtomically, writeNewFileAtomically, type ScreenshotPaths, type StoredBaseline } from '../baselines/baseline.js';
import { relativePath } from '../text/format.js';
import { toCapture } from './subject.js';
import { buildMessage } from './screenshot-message.js';
import { describeFiles, describeNumbers, reviewImages, reviewMessage } from './screenshot-review.js';
import { withTextMask } from './text-mask.js';
import type { TextInBox } from '../results/results.js';

export interface Baseline extends StoredBaseline {
  pixels?: DecodedImage;
  /** Which accepted variant this is (1: `<name>.jpg`, 2: `<name>.2.jpg`, …). */
  variant: number;
}

/** One accepted variant and how the capture compared with it. */
export interface VariantComparison {
  baseline: Baseline;
  comparison: Comparison;
}

/**
 * One capture against the accepted variants: the comparison with the one that matched (or, if none did, the closest:
 * `chosen`), and each variant compared on the way. `settled` under -u when it shows the same page as the capture before.
 */
interface Evaluation {
  comparison: Comparison;
  chosen: Baseline | undefined;
  compared: VariantComparison[];
  settled: boolean;
  /** The options it was compared with: the call's, plus the `maskText` regions read on this capture and the variants. */
  masked: ResolvedOptions;
  /** With `maskText`, when OCR ran (the bytes differed): the text masked. */
  maskedText?: TextInBox[];
}

/**
 * Compares what the session shows with the stored baseline `snapshots/<test file>/<name>.jpg`.
 * Identical bytes pass without decoding; otherwise both images are decoded and compared with pixelmatch.
 */
export async function toMatchScreenshot(
  this: AssertionContext,
  subject: unknown,
  nameOrOptions?: string | ScreenshotOptions,
  maybeOptions?: ScreenshotOptions,
) {
  return recordingErrors(this, 'toMatchScreenshot', this.isNot, (known) => matchScreenshot(this, subject, nameOrOptions, maybeOptions, known));
}

async function matchScreenshot(
  context: AssertionContext,
  subject: unknown,
  nameOrOptions: string | ScreenshotOptions | undefined,
  maybeOptions: ScreenshotOptions | undefined,
  known: KnownSoFar,
) {
  const [givenName, callOptions] = typeof nameOrOptions === 'object' ? [undefined, nameOrOptions] : [nameOrOptions, maybeOptions];
  if (givenName !== undefined && typeof givenName !== 'string') {
    throw new UsageError(`toMatchScreenshot: the name must be a string, but received ${typeof givenName}.`);
  }
  known.name = givenName;
  const options = resolveOptions(callOptions, SCREENSHOT_OPTION_NAMES, 'toMatchScreenshot');
  known.timeout = options.timeout;
  const isNot = context.isNot;
  const { capture, label } = toCapture(subject, 'toMatchScreenshot');
  const info = context.test('toMatchScreenshot');
  const name = givenName ?? context.nextDefaultName(info.testName);
  known.name = name;

  const rel = (file: string) => relativePath(info.root, file);
  // Under -u a failing baseline is rewritten: polling then waits for the page to settle, not for the timeout to end.
  const rewrites = info.updateMode === 'all' && !isNot;
  let paths: ScreenshotPaths | undefined;
  let accepted: Baseline[] = [];
  let unreadable: Baseline | undefined;
  let previous: Screenshot | undefined;
  /** This name's baseline (variant 1, in either format, or its old file) and, with `variants`, the others that exist. */
  const readAccepted = async (at: ScreenshotPaths): Promise<Baseline[]> => {
    const first = await readBaseline(at, name, rel);
    const others = options.variants > 1 ? await readVariants(at.baseline, options.variants) : [];
    return [...(first ? [{ ...first, variant: 1 }] : []), ...others];
  };
  const evaluate = async (shot: Screenshot): Promise<Evaluation> => {
    checkRegionsInside(options, shot, 'toMatchScreenshot');
    if (!paths) {
      paths = resolveScreenshotPaths({ ...info, name, mimeType: shot.mimeType, snapshotDir: options.snapshotDir, outputDir: options.outputDir });
      accepted = await readAccepted(paths);
    }
    const { masked, maskedText } = await withTextMaskOfVariants(shot, accepted, options);
    let found: Pick<Evaluation, 'comparison' | 'chosen' | 'compared'>;
    try {
      found = compareWithVariants(shot, accepted, masked, rel);
    } catch (error) {
      if (!(error instanceof UnreadableBaselineError) || !rewrites || accepted.length !== 1) throw error;
      // -u replaces an unreadable baseline, as its error message promises.
      [unreadable, accepted] = [accepted[0], []];
      found = { comparison: { kind: 'no-baseline' }, chosen: undefined, compared: [] };
    }
    const settled = rewrites && previous !== undefined && showsSamePage(previous, shot, masked);
    previous = shot;
    return { ...found, settled, masked, ...(maskedText ? { maskedText } : {}) };
  };

  const settling = settleCaptures(capture, options.settle, (before, after) => showsSamePage(before, after, options));
  const polled = await pollCaptures(settling.capture, evaluate, (e) => e.comparison.kind === 'no-baseline' || isMatch(e.comparison) !== isNot || e.settled, {
    timeout: options.timeout,
    interval: options.interval,
    diffPixelsOf: ({ comparison: c }) => ('diffPixels' in c ? c.diffPixels : c.kind === 'bytes-equal' ? 0 : undefined),
  });
  const settle = settling.reportFor(polled.shot);
  const decide = async (evaluation: Omit<Evaluation, 'settled'>) => {
    const baseline = evaluation.chosen;
    const { outcome, decision } = decideVariant(
      decideOutcome(evaluation.comparison, info.updateMode, isNot, settle?.settled ?? true),
      accepted.map((b) => b.variant),
      options.variants,
    );
    // A new variant is written to its own file: every path below (message, review, results) names that file.
    const target: ScreenshotPaths = decision.action === 'add' ? { ...paths!, baseline: variantPath(paths!.baseline, decision.variant) } : paths!;
    const holds = assertionHolds(outcome, isNot);
    // Only a failure message shows where the baseline came from: a passing assertion reads no sidecar (fast path).
    // Read before the side effects: an update replaces the baseline and its sidecar.
    const source = baseline && !holds && showsBaseline(outcome) ? await readProvenance(baseline.path, baseline.bytes) : undefined;
    // A new variant replaces nothing, so no old baseline is handed over (it is created exclusively, like a missing baseline).
    const replaced = decision.action === 'add' ? undefined : baseline ?? unreadable;
    const effects = await performSideEffects(outcome, isNot, target, replaced, polled.shot, evaluation.masked, { migrate: rewrites, rel, root: info.root });
    return { evaluation, baseline, outcome, decision, target, holds, source, effects };
  };
  let decided = await decide(polled.result);
  if (decided.effects.lostRace) {
    // Another trial or Vitest process wrote that file first: compare against every variant now there, as if it had been.
    accepted = await readAccepted(paths!);
    const { masked, maskedText } = await withTextMaskOfVariants(polled.shot, accepted, options);
    decided = await decide({ ...compareWithVariants(polled.shot, accepted, masked, rel), masked, ...(maskedText ? { maskedText } : {}) });
  }
  const { evaluation, baseline, outcome, decision, target, holds, source, effects } = decided;
  const { masked, maskedText } = evaluation;

  const hint = context.utils.matcherHint('toMatchScreenshot', label, givenName === undefined ? '' : JSON.stringify(givenName), {
    isNot,
    promise: context.promise,
  });
  const message = () =>
    buildMessage(outcome, {
      hint,
      isNot,
      root: info.root,
      paths: target,
      baselinePath: baseline?.path ?? target.baseline,
      source,
      shot: polled.shot,
      options: masked,
      captures: polled.captures,
      elapsedMs: polled.elapsedMs,
      regions: effects.regions,
      settle,
      updateMode: info.updateMode,
      variants: options.variants > 1 ? { compared: evaluation.compared, chosen: baseline?.variant, limit: options.variants, refused: decision.action === 'refuse' } : undefined,
    });
  await context.attachImages(reviewMessage(outcome, info.root, target), reviewImages(outcome, isNot, target, baseline, polled.shot, effects));
  await context.record({
    matcher: 'toMatchScreenshot',
    not: isNot,
    outcome: outcome.kind,
    pass: holds,
    name,
    url: polled.shot.url,
    title: polled.shot.title,
    ...describePolling(polled.captures, polled.elapsedMs, options.timeout),
    ...describeFiles(outcome, isNot, target, effects.migratedTo ? { ...baseline!, path: effects.migratedTo } : baseline, path.resolve(info.root, options.snapshotDir)),
    ...describeNumbers(outcome, polled.shot, options),
    ...(maskedText ? { maskedText } : {}),
    ...(effects.regions ? { regions: effects.regions } : {}),
    ...(options.variants > 1 ? describeVariants(outcome, decision, baseline, accepted, target) : {}),
    ...(settle ? { settle: { settled: settle.settled, captures: settle.captures, durationMs: settle.durationMs } } : {}),
    ...(source ? { baselineSource: source } : {}),
    ...(Object.keys(options.meta).length > 0 ? { meta: options.meta } : {}),
    ...(holds ? {} : { message: plainMessage(message()) }),
  });
  return { pass: holds !== isNot, message };
}

/** `maskText` against every accepted variant (each is read once per process): the union of their masks; none when the bytes equal one. */
async function withTextMaskOfVariants(shot: Screenshot, accepted: Baseline[], options: ResolvedOptions): Promise<{ masked: ResolvedOptions; maskedText?: TextInBox[] }> {
  if (accepted.some((b) => shot.bytes.equals(b.bytes))) return { masked: options };
  const read = (await Promise.all(accepted.map((b) => withTextMask(shot, b.bytes, options)))).filter((m) => m.maskedText !== undefined);
  if (read.length === 0) return { masked: options };
  const regions = read.flatMap((m) => m.compared.mask.slice(options.mask.length));
  return { masked: { ...options, mask: [...options.mask, ...regions] }, maskedText: read.flatMap((m) => m.maskedText!) };
}

/** Outcomes whose message names an existing baseline (so its provenance is worth reading). */
function showsBaseline(outcome: MatchOutcome): boolean {
  return outcome.kind === 'pixels-differ' || outcome.kind === 'size-mismatch' || outcome.kind === 'matched';
}

/**
 * The capture against every accepted variant: identical bytes with any of them first (no decoding), then pixels,
 * variant by variant until one matches; if none does, the closest (fewest differing pixels; a size mismatch last).
 */
function compareWithVariants(shot: Screenshot, accepted: Baseline[], options: ResolvedOptions, rel: (file: string) => string): Pick<Evaluation, 'comparison' | 'chosen' | 'compared'> {
  if (accepted.length === 0) return { comparison: { kind: 'no-baseline' }, chosen: undefined, compared: [] };
  const equal = accepted.find((b) => shot.bytes.equals(b.bytes));
  if (equal) return { comparison: { kind: 'bytes-equal' }, chosen: equal, compared: [] };
  const compared: VariantComparison[] = [];
  for (const baseline of accepted) {
    const comparison = compareWithBaseline(shot, baseline, options, rel);
    compared.push({ baseline, comparison });
    if (isMatch(comparison)) return { comparison, chosen: baseline, compared };
  }
  const distance = (c: Comparison) => ('diffPixels' in c ? c.diffPixels : Infinity);
  const closest = compared.reduce((best, next) => (distance(next.comparison) < distance(best.comparison) ? next : best));
  return { comparison: closest.comparison, chosen: closest.baseline, compared };
}

/** For results.json, with `variants` > 1: the variant matched, written or closest, and every accepted variant file (prune keeps them). */
function describeVariants(outcome: MatchOutcome, decision: VariantDecision, baseline: Baseline | undefined, accepted: Baseline[], target: ScreenshotPaths) {
  const variant = decision.action === 'add' ? decision.variant : outcome.kind === 'baseline-written' || outcome.kind === 'baseline-updated' ? 1 : baseline?.variant;
  const files = [...accepted.map((b) => b.path), ...(outcome.kind === 'baseline-written' ? [target.baseline] : [])];
  return { ...(variant === undefined ? {} : { variant }), variantFiles: [...new Set(files)].sort() };
}

/** Bytes first (an unchanged page gives identical JPEGs), then pixels with the same decoder on both sides. */
function compareWithBaseline(shot: Screenshot, baseline: Baseline | undefined, options: ResolvedOptions, rel: (file: string) => string): Comparison {
  if (!baseline) return { kind: 'no-baseline' };
  if (shot.bytes.equals(baseline.bytes)) return { kind: 'bytes-equal' };
  baseline.pixels ??= decodeBaseline(baseline, rel);
  const actual = shot.pixels;
  const result = compareImages(baseline.pixels, actual, { threshold: options.threshold, mask: options.mask, clip: options.clip, withDiff: false });
  if (!result.sameSize) {
    return { kind: 'size-mismatch', baseline: { width: baseline.pixels.width, height: baseline.pixels.height }, actual: { width: actual.width, height: actual.height } };
  }
  const allowedPixels = allowedDiffPixels(result.comparedPixels, options);
  const kind = result.diffPixels <= allowedPixels ? 'within-limits' : 'pixels-differ';
  return { kind, diffPixels: result.diffPixels, comparedPixels: result.comparedPixels, allowedPixels };
}

/** Two consecutive captures show the same page: identical bytes, or a difference within the assertion's own limits. */
function showsSamePage(before: Screenshot, after: Screenshot, options: ResolvedOptions): boolean {
  if (before.bytes.equals(after.bytes)) return true;
  const result = compareImages(before.pixels, after.pixels, { threshold: options.threshold, mask: options.mask, clip: options.clip, withDiff: false });
  return result.sameSize && result.diffPixels <= allowedDiffPixels(result.comparedPixels, options);
}

function decodeBaseline(baseline: Baseline, rel: (file: string) => string): DecodedImage {
  const type = sniffImageType(baseline.bytes);
  const next = 'run `vitest -u` to replace it (or delete it).';
  if (!type) throw new UnreadableBaselineError(`baseline ${rel(baseline.path)} is not a JPEG or PNG; ${next}`);
  try {
    readImageSize(baseline.bytes, type);
    return decodeImage(baseline.bytes, type);
  } catch (error) {
    throw new UnreadableBaselineError(`baseline ${rel(baseline.path)} is unreadable (${(error as Error).message}); ${next}`, { cause: error });
  }
}

/** What the side effects produced that the report needs: the diff image drawn (a file, or only bytes after -u). */
export interface SideEffects {
  diff?: { png: Buffer; width: number; height: number };
  /** Where the pixels changed (outlined on the diff), for a same-size diff. */
  regions?: ChangedRegion[];
  /** Under -u, the file a matching 0.1-named baseline was copied to (this name's own). */
  migratedTo?: string;
  /** The missing baseline was written meanwhile by someone else; nothing was written. */
  lostRace?: boolean;
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
  how: { migrate: boolean; rel: (file: string) => string; root: string },
): Promise<SideEffects> {
  const writeBaseline = (file: string, bytes: Uint8Array) => writeFileAtomically(file, bytes, `the baseline ${how.rel(file)}`);
  const drawDiff = () => {
    // The diff image is drawn only now, for the final capture: polling captures count pixels only.
    const diff = compareImages(baseline!.pixels!, shot.pixels, { threshold: options.threshold, mask: options.mask, clip: options.clip, withDiff: true }).diff!;
    // Same-size diffs only: a padded diff of two sizes has no change to place.
    const sameSize = (outcome.kind === 'baseline-updated' ? outcome.comparison : outcome).kind === 'pixels-differ';
    const regions = sameSize ? outlineChangedRegions(diff, options.clip ?? { x: 0, y: 0 }) : undefined;
    return { png: encodePng(diff), width: diff.width, height: diff.height, regions };
  };
  switch (outcome.kind) {
    case 'baseline-written':
    case 'baseline-updated': {
      // Drawn for the report before the old baseline is replaced; kept in memory, never written.
      const drawn = outcome.kind === 'baseline-updated' ? drawDiff() : undefined;
      // A missing baseline is created exclusively: of concurrent writers (trials, processes) one wins, the others compare.
      if (baseline === undefined) {
        if (!(await writeNewFileAtomically(paths.baseline, shot.bytes, `the baseline ${how.rel(paths.baseline)}`))) return { lostRace: true };
      } else await writeBaseline(paths.baseline, shot.bytes);
      await writeProvenance(paths.baseline, shot, options.meta);
      // The API switched formats: the old-format baseline would otherwise be found first next time. A 0.1-named file
      // stays: another name may still read it, and `vitest-agi prune` deletes it once no assertion does.
      if (baseline && !baseline.legacy && baseline.path !== paths.baseline) await removeFiles(baseline.path, provenancePath(baseline.path));
      await removeFiles(paths.actual, paths.diff);
      return drawn ? { diff: drawn, regions: drawn.regions } : {};
    }
    case 'matched':
      await removeFiles(paths.actual, paths.diff);
      if (baseline?.legacy && how.migrate) {
        // -u copies a matching 0.1 baseline to this name's file, bytes, format and sidecar unchanged (no churn in git).
        const target = path.extname(baseline.path) === path.extname(paths.baseline) ? paths.baseline : paths.otherBaseline;
        await writeBaseline(target, baseline.bytes);
        await copyProvenance(baseline, target, shot, options, how.root);
        return { migratedTo: target };
      }
      return {};
    case 'baseline-missing':
      if (outcome.reason !== 'not') await writeFileAtomically(paths.actual, shot.bytes, `the actual image ${how.rel(paths.actual)}`);
      return {};
    case 'pixels-differ':
    case 'size-mismatch': {
      if (isNot) {
        await removeFiles(paths.actual, paths.diff);
        return {};
      }
      const diff = drawDiff();
      await Promise.all([
        writeFileAtomically(paths.actual, shot.bytes, `the actual image ${how.rel(paths.actual)}`),
        writeFileAtomically(paths.diff, diff.png, `the diff image ${how.rel(paths.diff)}`),
      ]);
      return { diff, regions: diff.regions };
    }
    default:
      return outcome satisfies never;
  }
}

/** The 0.1 baseline's sidecar goes with it when it describes these bytes; otherwise one is written from this capture. */
async function copyProvenance(from: Baseline, to: string, shot: Screenshot, options: ResolvedOptions, root: string): Promise<void> {
  const record = await readProvenance(from.path, from.bytes);
  if (record) await writeFileAtomically(provenancePath(to), Buffer.from(`${JSON.stringify(record, null, 2)}\n`), `the provenance sidecar of ${relativePath(root, to)}`);
  else await writeProvenance(to, { bytes: from.bytes, url: shot.url, title: shot.title, width: shot.width, height: shot.height }, options.meta);
}
