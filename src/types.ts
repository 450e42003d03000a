import type { PageExpectation } from './matchers/to-be-on-page.js';
import type { TextExpectation } from './matchers/page-matcher.js';
import type { PageOptions, ScreenshotOptions, TextOptions } from './options/options.js';

/** The matchers `vitest-agi/setup` adds to `expect(…)`. Every one is async: `await expect(session).…`. */
export interface AgiMatchers {
  /**
   * The agent's browser is on the expected page: a string is a case-insensitive part of the URL or the title,
   * a RegExp is tested against both, and `{ url?, title? }` requires each given part (string = exact).
   * @example await expect(session).toBeOnPage(/thank/i)
   * @example await expect(session).toBeOnPage({ url: /\/checkout\/done$/, title: 'Order complete' }, { timeout: 30_000 })
   */
  toBeOnPage(expected: PageExpectation, options?: PageOptions): Promise<void>;
  /**
   * The page URL equals `expected` (string) or matches it (RegExp), as Playwright's `toHaveURL`.
   * @example await expect(session).toHaveURL(/\/thanks$/)
   */
  toHaveURL(expected: TextExpectation, options?: PageOptions): Promise<void>;
  /**
   * The page title equals `expected` (string) or matches it (RegExp), as Playwright's `toHaveTitle`.
   * @example await expect(session).toHaveTitle('Thank you — Shop')
   */
  toHaveTitle(expected: TextExpectation, options?: PageOptions): Promise<void>;
  /**
   * The screenshot matches the baseline `snapshots/<test file>/<name>.jpg`. A missing baseline is written (but not
   * in CI); `vitest -u` rewrites failing ones (or, with `variants`, adds them). A failure names the changed regions.
   * The name defaults to the test's name plus a counter.
   * @example await expect(session).toMatchScreenshot('checkout-done')
   * @example await expect(session).toMatchScreenshot('home', { mask: [{ x: 0, y: 0, width: 200, height: 40 }] })
   * @example await expect(session).toMatchScreenshot('home', { variants: 2, settle: 3_000 }) // a two-state banner; wait for a still page
   */
  toMatchScreenshot(name?: string, options?: ScreenshotOptions): Promise<void>;
  toMatchScreenshot(options: ScreenshotOptions): Promise<void>;
  /**
   * The screen shows `expected`, as offline OCR (tesseract.js) reads the screenshot: a string is found when it is a
   * case-insensitive part of the text read, any run of spaces and line breaks counting as one space; a RegExp is
   * tested against that text. `region` reads only that part of the screenshot. With `timeout` it polls like
   * `toBeOnPage`. Needs the optional peers: `npm i -D tesseract.js @tesseract.js-data/eng`.
   * @example await expect(session).toShowText('Order confirmed')
   * @example await expect(session).toShowText(/order #[A-Z]-\d{5}/i, { timeout: 10_000 })
   * @example await expect(session).not.toShowText('error', { region: { x: 0, y: 0, width: 1280, height: 120 } })
   */
  toShowText(expected: TextExpectation, options?: TextOptions): Promise<void>;
}

// One declaration for Vitest 4 and 5. Their own `Matchers`/`Assertion` interfaces take different type parameters
// (`<T>` vs `<R, T>`), so augmenting either one breaks the other major (jest-dom#738). Both majors build
// `Assertion` by mapping every member of `Chai.Assertion`, keeping functions as they are: members added here
// appear on `expect(x)`, `expect(x).not`, `expect.soft(x)` in both, as the type tests in test/types prove.
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Chai {
    interface Assertion extends AgiMatchers {}
  }
}
