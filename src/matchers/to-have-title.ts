import { createFieldMatcher } from './page-matcher.js';

/** The page title equals `expected` (string) or matches it (RegExp), as Playwright's toHaveTitle. */
export const toHaveTitle = createFieldMatcher('toHaveTitle', 'title', (shot) => shot.title);
