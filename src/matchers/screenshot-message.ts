import { assembleMessage, describeCaptures, describePage } from './message.js';
import { formatCount, formatPercent, labelledLines, relativePath } from '../text/format.js';
import { escapeNetworkText } from '../text/network-text.js';
import type { ResolvedOptions } from '../options/options.js';
import type { MatchOutcome } from './outcome.js';
import type { CaptureRecord } from './poll.js';
import { describeProvenance, type BaselineProvenance } from '../baselines/provenance.js';
import type { Screenshot } from '../image/screenshot.js';
import type { ScreenshotPaths } from '../baselines/baseline.js';
import type { ChangedRegion } from '../image/regions.js';
import { describeUnsettled, type SettleReport } from './settle.js';
import type { UpdateMode } from '../vitest/update-mode.js';
import type { VariantComparison } from './to-match-screenshot.js';

// The failure text of toMatchScreenshot: hint, one reason with numbers, labelled paths, one next step.

export interface MessageInput {
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
  /** Where the pixels changed, for a same-size difference (drawn with the diff). */
  regions?: ChangedRegion[];
  /** How the `settle` capture of the compared screenshot went (with `settle` only). */
  settle?: SettleReport;
  updateMode?: UpdateMode;
  /** With `variants` > 1: each variant compared, the one chosen (matched or closest), the limit, and whether -u refused to add one. */
  variants?: { compared: VariantComparison[]; chosen: number | undefined; limit: number; refused: boolean };
}

export function buildMessage(outcome: MatchOutcome, input: MessageInput): string {
  const { root, paths, shot, options } = input;
  const rel = (file: string) => relativePath(root, file);
  const page = describePage(shot.url, shot.title);
  const trajectory = describeCaptures(input.captures, input.elapsedMs);
  const unsettled = input.settle && !input.settle.settled ? describeUnsettled(input.settle) : undefined;
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
        unsettled && input.updateMode === 'all'
          ? 'The baseline was not updated: a page that never settled must not become the baseline. Mask what moves, or raise `settle`.'
          : input.variants
            ? describeVariantNextStep(input.variants, rel)
          : outcome.kind === 'size-mismatch'
            ? "The session's viewport changed, or the baseline belongs to another viewport. If the new size is intended, run `vitest -u` to update the baseline."
            : 'If the change is intended, run `vitest -u` to update the baseline.';
      return assembleMessage([
        input.hint,
        reason,
        input.variants && describeVariantComparisons(input.variants, rel),
        input.regions && describeRegions(input.regions),
        labelledLines([
          ['Baseline', rel(input.baselinePath)],
          ['', input.source && escapeNetworkText(describeProvenance(input.source))],
          ['Actual', rel(paths.actual)],
          ['Diff', rel(paths.diff)],
          ['Page', page],
        ]),
        unsettled,
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
        labelledLines([['Baseline', rel(input.baselinePath)], ['', input.source && escapeNetworkText(describeProvenance(input.source))], ['Page', page]]),
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
      if (outcome.reason === 'unsettled') {
        return assembleMessage([
          input.hint,
          `No baseline written to ${rel(paths.baseline)}: the page never settled, and a moving page must not become the baseline.`,
          labelledLines([['Actual', rel(paths.actual)], ['Page', page]]),
          describeUnsettled(input.settle!, 'the last one is the actual image'),
          trajectory,
          'Mask what moves (`mask`), or raise `settle` if the page needs longer to load.',
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

/** "2 changed regions: 212×38 at (120, 340), 1,204 px; 40×12 at (8, 600), 96 px." (outlined in blue on the diff). */
export function describeRegions(regions: readonly ChangedRegion[]): string {
  if (regions.length === 0) return 'No changed region: the differing pixels are isolated specks.';
  const list = regions.map((r) => `${r.width}×${r.height} at (${r.x}, ${r.y}), ${formatCount(r.diffPixels)} px`).join('; ');
  return `${regions.length === 1 ? '1 changed region' : `${regions.length} changed regions`}: ${list}.`;
}

/**
 * "None of the 2 accepted variants matches; the closest is variant 2." and one line per variant with its differing
 * pixels (or sizes). The reason above, the Baseline path and the diff are the closest's.
 */
function describeVariantComparisons(variants: NonNullable<MessageInput['variants']>, rel: (file: string) => string): string {
  const count = variants.compared.length;
  const head = count === 1 ? 'The only accepted variant does not match:' : `None of the ${count} accepted variants matches; the closest is variant ${variants.chosen}:`;
  const width = Math.max(...variants.compared.map(({ baseline }) => rel(baseline.path).length));
  return `${head}\n${labelledLines(
    variants.compared.map(({ baseline, comparison }): [string, string] => {
      const how = 'diffPixels' in comparison ? `${formatCount(comparison.diffPixels)} pixels differ` : comparison.kind === 'size-mismatch' ? `is ${comparison.baseline.width}×${comparison.baseline.height}` : comparison.kind;
      return [`Variant ${baseline.variant}`, `${rel(baseline.path).padEnd(width)}  ${how}${baseline.variant === variants.chosen ? ' (closest)' : ''}`];
    }),
  )}`;
}

/** What to do about a screenshot that matches no variant: `-u` adds it while a slot is free; at the limit, delete one. */
function describeVariantNextStep(variants: NonNullable<MessageInput['variants']>, rel: (file: string) => string): string {
  const files = variants.compared.map(({ baseline }) => rel(baseline.path)).join(', ');
  if (variants.compared.length < variants.limit) {
    return `If this look is right too, run \`vitest -u\` to add it as another accepted variant (\`variants: ${variants.limit}\` allows ${variants.limit}).`;
  }
  const said = variants.refused ? `\`vitest -u\` added no variant: all ${variants.limit} (\`variants: ${variants.limit}\`) exist, and none is replaced silently. ` : `All ${variants.limit} accepted variants (\`variants: ${variants.limit}\`) exist. `;
  return `${said}If this look is right, delete the variant files no longer wanted (${files}) and run \`vitest -u\` again, or raise \`variants\`.`;
}
