import { UnreadableBaselineError, UsageError } from '../errors.js';
import { checkOptionNames, describeValue, resolveOptions } from '../options/options.js';
import { plainMessage, recordingErrors, type KnownSoFar } from '../vitest/assertion-record.js';
import type { AssertionContext } from '../vitest/matcher-context.js';
import type { UpdateMode } from '../vitest/update-mode.js';
import { writeFileAtomically } from '../baselines/baseline.js';
import { describeProvenance, readProvenance, writeProvenance } from '../baselines/provenance.js';
import { readTrajectory, resolveTrajectoryPath, serializeTrajectory, toTrajectoryStep, type IgnoreQuery, type StoredTrajectory, type TrajectoryStep } from '../baselines/trajectory.js';
import { diffLines } from '../text/line-diff.js';
import { labelledLines, plural, relativePath } from '../text/format.js';
import { escapeNetworkText, quoteNetworkText } from '../text/network-text.js';
import type { AgentRun } from '../api/agent-run.js';
import { assembleMessage } from './message.js';
import { assertionHolds, decideMissingBaseline, rewritesFailingBaseline } from './outcome.js';
import { foldPath, isSubsequence } from './run-path.js';
import { describeRunCaptures } from './run-message.js';
import { finalCapture, requireRun } from './subject.js';

export type { IgnoreQuery };

export interface TrajectoryOptions {
  /**
   * Query parameters left out of the URLs: `true` drops the whole query, a list drops those parameters
   * (`['session', 'utm_source']`). The stored path is compared with the same ones left out.
   * @default false
   */
  ignoreQuery?: IgnoreQuery;
  /**
   * Pass when the stored path appears, in order, within the observed one, with other pages between or around its
   * pages (an extra search step, a consent page): for runs whose detours are allowed but whose key pages are not.
   * @default false
   */
  allowExtraSteps?: boolean;
}

/** What the observed path is against the stored one. */
type TrajectoryComparison = 'no-baseline' | 'matched' | 'path-differs';

/** The verdict, in the outcome vocabulary of screenshot baselines (and `path-differs`). */
type TrajectoryOutcome =
  | { kind: 'matched' | 'baseline-written' | 'path-differs' }
  | { kind: 'baseline-updated' }
  | { kind: 'baseline-missing'; reason: 'ci' | 'not' };

/**
 * The run's path (its distinct pages: normalised URL and title, consecutive repeats folded) matches the snapshot
 * `snapshots/<test file>/<name>.trajectory.json`, stored and updated by the rules of screenshot baselines.
 */
export async function toMatchTrajectory(this: AssertionContext, subject: unknown, nameOrOptions?: string | TrajectoryOptions, maybeOptions?: TrajectoryOptions) {
  return recordingErrors(this, 'toMatchTrajectory', this.isNot, (known) => matchTrajectory(this, subject, nameOrOptions, maybeOptions, known));
}

async function matchTrajectory(context: AssertionContext, subject: unknown, nameOrOptions: string | TrajectoryOptions | undefined, maybeOptions: TrajectoryOptions | undefined, known: KnownSoFar) {
  const [givenName, callOptions] = typeof nameOrOptions === 'object' && nameOrOptions !== null ? [undefined, nameOrOptions] : [nameOrOptions, maybeOptions];
  if (givenName !== undefined && typeof givenName !== 'string') {
    throw new UsageError(`toMatchTrajectory: the name must be a string, but received ${describeValue(givenName)}.`);
  }
  known.name = givenName;
  const { ignoreQuery, allowExtraSteps } = resolveTrajectoryOptions(callOptions);
  const isNot = context.isNot;
  const run = requireRun(subject, 'toMatchTrajectory');
  const final = finalCapture(run, 'toMatchTrajectory');
  const info = context.test('toMatchTrajectory');
  const name = givenName ?? context.nextDefaultName(info.testName, 'trajectory');
  known.name = name;
  // Project-wide settings from configure(): where baselines live, and the notes stored in their provenance.
  const { snapshotDir, meta } = resolveOptions(undefined, [], 'toMatchTrajectory');
  const file = resolveTrajectoryPath({ ...info, name, snapshotDir });
  const rel = (target: string) => relativePath(info.root, target);

  const observed = withoutBlankStart(foldPath(run.captures, (capture) => toTrajectoryStep(capture, ignoreQuery)).map(({ url, title }) => ({ url, title })));
  let stored: StoredTrajectory | undefined;
  try {
    stored = await readTrajectory(file, rel(file));
  } catch (error) {
    // -u replaces an unreadable trajectory, as its error message promises; otherwise it is the news.
    if (!(error instanceof UnreadableBaselineError) || !rewritesFailingBaseline(info.updateMode, isNot)) throw error;
  }
  // The stored path is normalised with today's options too: adding `ignoreQuery` needs no re-recording.
  const expected = stored ? foldSteps(stored.steps.map((step) => toTrajectoryStep(step, ignoreQuery))) : undefined;
  const comparison = compareTrajectories(expected, observed, allowExtraSteps);
  const outcome = decideTrajectoryOutcome(comparison, info.updateMode, isNot);
  const holds = assertionHolds(outcome, isNot);
  const source = stored && !holds ? await readProvenance(stored.path, stored.bytes) : undefined;
  if (outcome.kind === 'baseline-written' || outcome.kind === 'baseline-updated') {
    const bytes = Buffer.from(serializeTrajectory(observed));
    await writeFileAtomically(file, bytes, `the trajectory ${rel(file)}`);
    await writeProvenance(file, { bytes, url: final.url, title: final.title, width: final.screenshot.width, height: final.screenshot.height }, meta);
  }

  const hint = context.utils.matcherHint('toMatchTrajectory', 'run', givenName === undefined ? '' : JSON.stringify(givenName), { isNot, promise: context.promise });
  const message = () => buildTrajectoryMessage(outcome, { hint, shown: rel(file), source: source && describeProvenance(source), run, expected, observed, allowExtraSteps });
  await context.record({
    matcher: 'toMatchTrajectory',
    not: isNot,
    outcome: outcome.kind,
    pass: holds,
    name,
    url: final.url,
    title: final.title,
    baseline: file,
    snapshotDir,
    ...describeRunCaptures(run),
    ...(source ? { baselineSource: source } : {}),
    ...(holds ? {} : { message: plainMessage(message()) }),
  });
  return { pass: holds !== isNot, message };
}

function resolveTrajectoryOptions(options: TrajectoryOptions | undefined): { ignoreQuery: IgnoreQuery; allowExtraSteps: boolean } {
  if (options === undefined) return { ignoreQuery: false, allowExtraSteps: false };
  checkOptionNames(options, ['ignoreQuery', 'allowExtraSteps'], 'toMatchTrajectory');
  const { ignoreQuery = false, allowExtraSteps = false } = options;
  const isNameList = Array.isArray(ignoreQuery) && ignoreQuery.every((name) => typeof name === 'string');
  if (typeof ignoreQuery !== 'boolean' && !isNameList) {
    throw new UsageError(`toMatchTrajectory: \`ignoreQuery\` must be true, false or an array of query parameter names, but received ${describeValue(ignoreQuery)}.`);
  }
  if (typeof allowExtraSteps !== 'boolean') {
    throw new UsageError(`toMatchTrajectory: \`allowExtraSteps\` must be true or false, but received ${describeValue(allowExtraSteps)}.`);
  }
  return { ignoreQuery, allowExtraSteps };
}

/**
 * The path without the browser's empty page before the first navigation: whether the first capture lands before the
 * first page loads is a race (a capture follows the agent's THOUGHT, posted before the step runs), not the agent's way.
 */
function withoutBlankStart(steps: TrajectoryStep[]): TrajectoryStep[] {
  const first = steps.findIndex((step) => step.url !== 'about:blank');
  return first === -1 ? steps : steps.slice(first);
}

/** Consecutive equal steps as one (a stored path normalised with more ignored parameters may repeat a page). */
function foldSteps(steps: TrajectoryStep[]): TrajectoryStep[] {
  return steps.filter((step, i) => i === 0 || !sameStep(step, steps[i - 1]!));
}

function sameStep(a: TrajectoryStep, b: TrajectoryStep): boolean {
  return a.url === b.url && a.title === b.title;
}

function compareTrajectories(expected: TrajectoryStep[] | undefined, observed: TrajectoryStep[], allowExtraSteps: boolean): TrajectoryComparison {
  if (!expected) return 'no-baseline';
  const matches = allowExtraSteps ? isSubsequence(expected, observed, sameStep) : expected.length === observed.length && expected.every((step, i) => sameStep(step, observed[i]!));
  return matches ? 'matched' : 'path-differs';
}

/** The update rules of screenshot baselines, applied to a trajectory. */
function decideTrajectoryOutcome(comparison: TrajectoryComparison, updateMode: UpdateMode, isNot: boolean): TrajectoryOutcome {
  switch (comparison) {
    case 'no-baseline':
      return decideMissingBaseline(updateMode, isNot);
    case 'matched':
      return { kind: 'matched' };
    case 'path-differs':
      return rewritesFailingBaseline(updateMode, isNot) ? { kind: 'baseline-updated' } : { kind: 'path-differs' };
    default:
      return comparison satisfies never;
  }
}

interface MessageInput {
  hint: string;
  /** The trajectory file, relative to the root. */
  shown: string;
  source: string | undefined;
  run: AgentRun;
  expected: TrajectoryStep[] | undefined;
  observed: TrajectoryStep[];
  allowExtraSteps: boolean;
}

/** One line per page, as the diff shows it. */
function describeStep(step: TrajectoryStep): string {
  return `${escapeNetworkText(step.url)}  ${quoteNetworkText(step.title)}`;
}

function buildTrajectoryMessage(outcome: TrajectoryOutcome, input: MessageInput): string {
  const { hint, shown, run, observed } = input;
  const files = labelledLines([
    ['Trajectory', shown],
    ['', input.source && escapeNetworkText(input.source)],
    ['Run', `${escapeNetworkText(run.status)}, ${plural(run.captures.length, 'capture')} over ${(run.durationMs / 1000).toFixed(1)} s`],
  ]);
  const observedLines = `  Observed:\n${observed.map((step) => `    ${describeStep(step)}`).join('\n')}`;
  switch (outcome.kind) {
    case 'path-differs': {
      const expected = input.expected!;
      const reason = input.allowExtraSteps
        ? `Trajectory differs from ${shown}: its ${plural(expected.length, 'page')} do not appear in order among the ${plural(observed.length, 'page')} observed (allowExtraSteps).`
        : `Trajectory differs from ${shown}: ${plural(observed.length, 'page')} observed, ${expected.length} stored.`;
      return assembleMessage([hint, reason, files, diffLines(expected.map(describeStep), observed.map(describeStep)), 'If the change is intended, run `vitest -u` to update the trajectory.']);
    }
    case 'matched':
      return assembleMessage([hint, `Expected the trajectory to differ from ${shown}, but it matches.`, files, observedLines]);
    case 'baseline-missing':
      return outcome.reason === 'ci'
        ? assembleMessage([hint, `No trajectory at ${shown}, and baselines are not written in CI (update mode "none").`, files, observedLines, 'Run `vitest -u` locally and commit the file.'])
        : assembleMessage([hint, `No trajectory at ${shown} to differ from (under .not none is written).`, files, 'Run the assertion without .not once to write it.']);
    case 'baseline-written':
    case 'baseline-updated':
      return assembleMessage([hint, `Trajectory ${outcome.kind === 'baseline-written' ? 'written' : 'updated'}: ${shown}.`]);
    default:
      return outcome satisfies never;
  }
}
