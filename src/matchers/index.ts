export { toBeOnPage } from './to-be-on-page.js';
export { toHaveTitle } from './to-have-title.js';
export { toHaveURL } from './to-have-url.js';
export { toMatchScreenshot } from './to-match-screenshot.js';
export { toShowText } from './to-show-text.js';
