import type { TestProject } from 'vitest/node';
import { startEmulator } from 'vitest-agi/emulator';
import { startShopSite } from './shop-site.js';

/**
 * Starts what the example suite needs, once for all test files: the Tiny Shop site and a local AGI emulator
 * (a real headless Chromium behind the AGI API), and hands their URLs to the tests through `inject()`.
 */
export default async function setup(project: TestProject) {
  const shop = await startShopSite();
  const emulator = await startEmulator();
  project.provide('shopUrl', shop.url);
  project.provide('agiBaseUrl', emulator.baseUrl);
  return async () => {
    await emulator.close();
    await shop.close();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Tiny Shop's front page, e.g. http://127.0.0.1:41234/ */
    shopUrl: string;
    /** The emulator's API root, e.g. http://127.0.0.1:41235/v1 */
    agiBaseUrl: string;
  }
}
