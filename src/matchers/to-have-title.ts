import type { MatcherContext } from '../matcher-context.js';
import type { PageOptions } from '../options.js';
import { checkTextExpectation, matchesText, printExpectation, runPageMatcher, type TextExpectation } from './page-matcher.js';

/** The page title equals `expected` (string) or matches it (RegExp), as Playwright's toHaveTitle. */
export async function toHaveTitle(this: MatcherContext, subject: unknown, expected: TextExpectation, options?: PageOptions) {
  checkTextExpectation('toHaveTitle', 'title', expected);
  return runPageMatcher(this, 'toHaveTitle', subject, printExpectation(expected), options, (shot, isNot) => ({
    pass: matchesText(expected, shot.title),
    expectation: `title ${isNot ? 'not ' : ''}${typeof expected === 'string' ? 'to be' : 'to match'} ${printExpectation(expected)}`,
    diff: typeof expected === 'string' ? { expected, actual: shot.title } : undefined,
  }));
}
