import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../src/emulator/browser.js';

/** What to shoot: an HTML string (set as the page content) or a URL to navigate to. */
export type PageSource = string | { url: string };

export interface CaptureOptions {
  /** Viewport width in CSS px (device scale factor 1). */
  width: number;
  /** Viewport height in CSS px. */
  height: number;
  /** JPEG quality 0–100; ignored by `capturePng`. @default 80 */
  quality?: number;
  /** Element to focus before the shot, e.g. an input, so the caret is in the frame. */
  focusSelector?: string;
}

/**
 * Starts the system Chromium (`CHROME_PATH`, else Debian's /usr/bin/chromium) headless.
 * The caller closes it.
 */
export async function launchChromium(): Promise<Browser> {
  // No --user-data-dir: Playwright already gives each launch a fresh temp profile and deletes it on close.
  return chromium.launch({
    executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
}

// Playwright hides the caret by default (`caret: 'hide'`); the AGI API's CDP capture does not, so neither do we.
const AS_IS = { caret: 'initial', animations: 'allow' } as const;

/**
 * Shoots `source` as a JPEG the way a remote browser API does (`Page.captureScreenshot`):
 * caret and animations are left as they are, because the AGI API does not hide them either.
 */
export async function captureJpeg(browser: Browser, source: PageSource, options: CaptureOptions): Promise<Buffer> {
  const { quality = 80 } = options;
  return withPage(browser, source, options, (page) => page.screenshot({ type: 'jpeg', quality, ...AS_IS }));
}

/** Same as `captureJpeg`, lossless. */
export async function capturePng(browser: Browser, source: PageSource, options: CaptureOptions): Promise<Buffer> {
  return withPage(browser, source, options, (page) => page.screenshot({ type: 'png', ...AS_IS }));
}

async function withPage(
  browser: Browser,
  source: PageSource,
  { width, height, focusSelector }: CaptureOptions,
  shoot: (page: Page) => Promise<Buffer>,
): Promise<Buffer> {
  const context = await browser.newContext({ viewport: { width, height }, deviceScaleFactor: 1 });
  try {
    const page = await context.newPage();
    if (typeof source === 'string') await page.setContent(source, { waitUntil: 'load' });
    else await page.goto(source.url, { waitUntil: 'load' });
    // System fonts load asynchronously even for local pages; shoot only once text is laid out.
    await page.evaluate('document.fonts.ready.then(() => undefined)'); // a string: tsconfig has no DOM lib
    if (focusSelector !== undefined) await page.focus(focusSelector);
    return await shoot(page);
  } finally {
    await context.close();
  }
}
