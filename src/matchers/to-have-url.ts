import type { MatcherContext } from '../matcher-context.js';
import type { PageOptions } from '../options.js';
import { checkTextExpectation, matchesText, printExpectation, runPageMatcher, type TextExpectation } from './page-matcher.js';

/** The page URL equals `expected` (string) or matches it (RegExp), as Playwright's toHaveURL. */
export async function toHaveURL(this: MatcherContext, subject: unknown, expected: TextExpectation, options?: PageOptions) {
  checkTextExpectation('toHaveURL', 'URL', expected);
  return runPageMatcher(this, 'toHaveURL', subject, printExpectation(expected), options, (shot, isNot) => ({
    pass: matchesText(expected, shot.url),
    expectation: `URL ${isNot ? 'not ' : ''}${typeof expected === 'string' ? 'to be' : 'to match'} ${printExpectation(expected)}`,
    diff: typeof expected === 'string' ? { expected, actual: shot.url } : undefined,
  }));
}
