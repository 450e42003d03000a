import { UsageError } from '../errors.js';
import type { AssertionContext } from '../vitest/matcher-context.js';
import type { PageOptions } from '../options/options.js';
import type { Screenshot } from '../image/screenshot.js';
import { checkTextExpectation, matchesText, printExpectation, runPageMatcher, type PageCheck, type TextExpectation } from './page-matcher.js';

/** `string`: case-insensitive part of the URL or title; `RegExp`: matches URL or title; object: every given part matches. */
export type PageExpectation = TextExpectation | { url?: TextExpectation; title?: TextExpectation };

/** The agent's browser is on the expected page. */
export async function toBeOnPage(this: AssertionContext, subject: unknown, expected: PageExpectation, options?: PageOptions) {
  return runPageMatcher(this, 'toBeOnPage', subject, options, () => {
    const check = buildCheck(expected); // validates first, so describeExpected only sees a valid expectation
    return { expectedText: describeExpected(expected), check };
  });
}

function buildCheck(expected: PageExpectation): (shot: Screenshot, isNot: boolean) => PageCheck {
  if (typeof expected === 'string') {
    const needle = expected.toLowerCase();
    return (shot, isNot) => ({
      pass: shot.url.toLowerCase().includes(needle) || shot.title.toLowerCase().includes(needle),
      expectation: `URL or title ${isNot ? 'not ' : ''}to contain ${JSON.stringify(expected)} (ignoring case)`,
    });
  }
  if (expected instanceof RegExp) {
    return (shot, isNot) => ({
      pass: matchesText(expected, shot.url) || matchesText(expected, shot.title),
      expectation: isNot ? `URL and title not to match ${expected}` : `URL or title to match ${expected}`,
    });
  }
  if (typeof expected === 'object' && expected !== null && (expected.url !== undefined || expected.title !== undefined)) {
    const { url, title } = expected;
    if (url !== undefined) checkTextExpectation('toBeOnPage', 'url', url);
    if (title !== undefined) checkTextExpectation('toBeOnPage', 'title', title);
    const parts = [url !== undefined ? `URL ${printExpectation(url)}` : undefined, title !== undefined ? `title ${printExpectation(title)}` : undefined]
      .filter(Boolean)
      .join(' and ');
    return (shot, isNot) => ({
      pass: (url === undefined || matchesText(url, shot.url)) && (title === undefined || matchesText(title, shot.title)),
      expectation: `${isNot ? 'not ' : ''}${parts}`,
    });
  }
  throw new UsageError(
    'toBeOnPage: expected a string (part of the URL or title), a RegExp, or { url?, title? } with at least one part, ' +
      `but received ${expected === null ? 'null' : typeof expected === 'object' ? 'an object with neither url nor title' : typeof expected}.`,
  );
}

function describeExpected(expected: PageExpectation): string {
  if (typeof expected === 'string' || expected instanceof RegExp) return printExpectation(expected);
  return `{ ${Object.entries(expected)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${printExpectation(v as TextExpectation)}`)
    .join(', ')} }`;
}
