import { UsageError } from '../errors.js';
import { describeValue, checkOptionNames } from '../options/options.js';
import { plainMessage, recordingErrors } from '../vitest/assertion-record.js';
import type { AssertionContext } from '../vitest/matcher-context.js';
import { assembleMessage } from './message.js';
import { formatTimeSpan } from '../text/format.js';
import { buildPageCheck, describePageExpectation, type PageExpectation } from './to-be-on-page.js';
import { alignSteps, foldPath, type Alignment, type PageVisit } from './run-path.js';
import { describePathSize, describeRunCaptures, describeVisits } from './run-message.js';
import { finalCapture, requireRun } from './subject.js';

export interface VisitedOptions {
  /**
   * The steps must be visited in the order given (each at or after the page of the step before it).
   * `false`: each must be visited at some point, in any order.
   * @default true
   */
  inOrder?: boolean;
}

/**
 * The run passed through every page in `steps` (each what `toBeOnPage` accepts), in that order unless
 * `inOrder: false`. `.not` holds when the run did not visit them all (in order): with one step, "never visited".
 */
export async function toHaveVisited(this: AssertionContext, subject: unknown, steps: PageExpectation[], options?: VisitedOptions) {
  const isNot = this.isNot;
  return recordingErrors(this, 'toHaveVisited', isNot, async (known) => {
    if (!Array.isArray(steps) || steps.length === 0) {
      throw new UsageError(`toHaveVisited: expected a non-empty array of pages (each what toBeOnPage accepts), but received ${describeValue(steps)}.`);
    }
    const checks = steps.map((step, i) => buildPageCheck(step, `toHaveVisited: step ${i + 1}`));
    const described = steps.map(describePageExpectation);
    const expectedText = `[${described.join(', ')}]`;
    known.expected = expectedText;
    const inOrder = resolveInOrder(options);
    const run = requireRun(subject, 'toHaveVisited');
    const final = finalCapture(run, 'toHaveVisited');
    const visits = foldPath(run.captures);
    const alignment = alignSteps(visits.length, steps.length, (step, visit) => checks[step]!(visits[visit]!, false).pass, inOrder);
    const pass = alignment.missing.length === 0;
    const hint = this.utils.matcherHint('toHaveVisited', 'run', expectedText, { isNot, promise: this.promise });
    const message = () =>
      assembleMessage([
        hint,
        describeVerdict(alignment, described, visits, inOrder, isNot),
        `  Path: ${describePathSize(visits, run)}\n${describeVisits(visits, markVisits(alignment, described), markMissing(alignment, described, visits))}`,
      ]);
    const holds = pass !== isNot;
    await this.record({
      matcher: 'toHaveVisited',
      not: isNot,
      outcome: pass ? 'matched' : 'path-differs',
      pass: holds,
      expected: expectedText,
      url: final.url,
      title: final.title,
      ...describeRunCaptures(run),
      ...(holds ? {} : { message: plainMessage(message()) }),
    });
    return { pass, message };
  });
}

function resolveInOrder(options: VisitedOptions | undefined): boolean {
  if (options === undefined) return true;
  checkOptionNames(options, ['inOrder'], 'toHaveVisited');
  if (options.inOrder !== undefined && typeof options.inOrder !== 'boolean') {
    throw new UsageError(`toHaveVisited: \`inOrder\` must be true or false, but received ${describeValue(options.inOrder)}.`);
  }
  return options.inOrder ?? true;
}

/** The one-sentence reason: which step is missing and why, or (under .not) that every step was visited. */
function describeVerdict(alignment: Alignment, described: string[], visits: PageVisit[], inOrder: boolean, isNot: boolean): string {
  const total = described.length;
  if (isNot) {
    return total === 1
      ? `Expected the run never to visit ${described[0]}, but it did at ${formatTimeSpan(visits[alignment.matchedAt[0]!]!.fromMs)}.`
      : `Expected the run not to visit all ${total} steps${inOrder ? ' in order' : ''}, but it did.`;
  }
  if (!inOrder) {
    const missing = alignment.missing.map((step) => described[step]).join(', ');
    return `${alignment.missing.length} of ${total} steps ${alignment.missing.length === 1 ? 'was' : 'were'} never visited: ${missing}.`;
  }
  const step = alignment.missing[0]!;
  const why = alignment.earlier.has(step) ? `was visited only before step ${step}` : 'was never visited';
  return `Step ${step + 1} of ${total} ${why}: ${described[step]}.`;
}

/** `✓ 1 "checkout"` beside the visit each found step matched. */
function markVisits(alignment: Alignment, described: string[]): Map<number, string> {
  const marks = new Map<number, string>();
  alignment.matchedAt.forEach((visit, step) => {
    if (visit !== undefined) marks.set(visit, [marks.get(visit), `✓ ${step + 1} ${described[step]}`].filter(Boolean).join('  '));
  });
  return marks;
}

/** The missing and unchecked steps, one row each, below the path. */
function markMissing(alignment: Alignment, described: string[], visits: PageVisit[]): string[] {
  const rows = alignment.missing.map((step) => {
    const before = alignment.earlier.get(step);
    if (before !== undefined) return `✗ ${step + 1} ${described[step]}: visited at ${formatTimeSpan(visits[before]!.fromMs)}, before step ${step}`;
    return `✗ ${step + 1} ${described[step]}: never visited`;
  });
  return [...rows, ...alignment.unchecked.map((step) => `· ${step + 1} ${described[step]}: not checked`)];
}
