import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../src/emulator/browser.js';
import { discoverBrowser, type DiscoveredBrowser } from '../../src/emulator/browser-discovery.js';

/**
 * Starts the Chromium the emulator would use (its discovery: `CHROME_PATH`, else the pinned `@sparticuz/chromium`,
 * else a system Chromium) headless, with the environment discovery asks for (the pinned one's fonts and NSS).
 * The caller closes it; `source` says which Chromium it is.
 */
export async function launchChromium(): Promise<{ browser: Browser; source: DiscoveredBrowser['source'] }> {
  const found = await discoverBrowser();
  // No --user-data-dir: Playwright already gives each launch a fresh temp profile and deletes it on close.
  const browser = await chromium.launch({
    executablePath: found.executablePath,
    headless: true,
    args: [...CHROMIUM_ARGS],
    env: { ...process.env, ...found.env },
  });
  return { browser, source: found.source };
}
