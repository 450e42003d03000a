import { createFieldMatcher } from './page-matcher.js';

/** The page URL equals `expected` (string) or matches it (RegExp), as Playwright's toHaveURL. */
export const toHaveURL = createFieldMatcher('toHaveURL', 'URL', (shot) => shot.url);
