import { UsageError } from '../errors.js';
import { describePolling, plainMessage, recordingErrors } from '../vitest/assertion-record.js';
import type { AssertionContext } from '../vitest/matcher-context.js';
import { assembleMessage, describeCaptures } from './message.js';
import { labelledLines } from '../text/format.js';
import { escapeNetworkText, quoteNetworkText } from '../text/network-text.js';
import { PAGE_OPTION_NAMES, resolveOptions, type PageOptions } from '../options/options.js';
import { pollCaptures } from './poll.js';
import type { Screenshot } from '../image/screenshot.js';
import { toCapture } from './subject.js';
import type { MatcherName } from '../results/results.js';

export type TextExpectation = string | RegExp;

export interface PageCheck {
  pass: boolean;
  /** "Expected …" sentence for the failure (with `.not` wording when negated). */
  expectation: string;
  /** Set for an exact string expectation on one field, so Vitest prints its - Expected / + Received diff. */
  diff?: { expected: string; actual: string };
}

/** A page matcher's validated expectation: how to print it, and how to check one capture against it. */
export interface PageExpectationCheck {
  expectedText: string;
  check: (shot: Screenshot, isNot: boolean) => PageCheck;
}

/**
 * Shared body of toBeOnPage / toHaveURL / toHaveTitle: validate, capture (polling while `timeout` allows), check,
 * report. `prepare` validates the expectation inside the recording, so a bad one shows in results.json as `error`.
 * Screenshots are the only API call that returns the page's URL and title, so these matchers fetch one too.
 */
export async function runPageMatcher(
  context: AssertionContext,
  matcherName: MatcherName,
  subject: unknown,
  options: PageOptions | undefined,
  prepare: () => PageExpectationCheck,
) {
  const isNot = context.isNot;
  return recordingErrors(context, matcherName, isNot, async (known) => {
    const { expectedText, check } = prepare();
    known.expected = expectedText;
    const resolved = resolveOptions(options, PAGE_OPTION_NAMES, matcherName);
    known.timeout = resolved.timeout;
    const { capture, label } = toCapture(subject, matcherName);
    const polled = await pollCaptures(capture, (shot) => check(shot, isNot), (r) => r.pass !== isNot, resolved);
    const { result, shot } = polled;
    const hint = context.utils.matcherHint(matcherName, label, expectedText, { isNot, promise: context.promise });
    const message = () =>
      assembleMessage([
        hint,
        labelledLines([
          ['Expected', result.expectation],
          ['Received URL', context.utils.RECEIVED_COLOR(quoteNetworkText(shot.url))],
          ['Received title', context.utils.RECEIVED_COLOR(quoteNetworkText(shot.title))],
        ]),
        describeCaptures(polled.captures, polled.elapsedMs),
      ]);
    const holds = result.pass !== isNot;
    await context.record({
      matcher: matcherName,
      not: isNot,
      outcome: result.pass ? 'matched' : 'page-differs',
      pass: holds,
      expected: expectedText,
      url: shot.url,
      title: shot.title,
      ...describePolling(polled.captures, polled.elapsedMs, resolved.timeout),
      ...(holds ? {} : { message: plainMessage(message()) }),
    });
    return {
      pass: result.pass,
      message,
      ...(result.diff ? { expected: result.diff.expected, actual: result.diff.actual } : {}),
    };
  });
}

/** Validates the expected value: a string or a RegExp. */
export function checkTextExpectation(matcherName: string, what: string, value: unknown): asserts value is TextExpectation {
  if (typeof value !== 'string' && !(value instanceof RegExp)) {
    throw new UsageError(`${matcherName}: the expected ${what} must be a string or a RegExp, but received ${value === null ? 'null' : typeof value}.`);
  }
}

/** Exact for strings, `test()` for RegExps (lastIndex reset, so a /g pattern behaves the same every capture). */
export function matchesText(expected: TextExpectation, actual: string): boolean {
  if (typeof expected === 'string') return actual === expected;
  expected.lastIndex = 0;
  return expected.test(actual);
}

export function printExpectation(expected: TextExpectation): string {
  return typeof expected === 'string' ? JSON.stringify(expected) : String(expected);
}

/** toHaveURL / toHaveTitle: one field of the page, exact for a string, `test()` for a RegExp (as Playwright's). */
export function createFieldMatcher(matcherName: MatcherName, field: 'URL' | 'title', pick: (shot: Screenshot) => string) {
  return async function (this: AssertionContext, subject: unknown, expected: TextExpectation, options?: PageOptions) {
    return runPageMatcher(this, matcherName, subject, options, () => {
      checkTextExpectation(matcherName, field, expected);
      return {
        expectedText: printExpectation(expected),
        check: (shot, isNot) => ({
          pass: matchesText(expected, pick(shot)),
          expectation: `${field} ${isNot ? 'not ' : ''}${typeof expected === 'string' ? 'to be' : 'to match'} ${printExpectation(expected)}`,
          // Vitest prints `actual` in its diff as it is: escaped and capped like every other received value.
          diff: typeof expected === 'string' ? { expected, actual: escapeNetworkText(pick(shot)) } : undefined,
        }),
      };
    });
  };
}
