import type { Browser, BrowserContext } from 'playwright-core';
import type { DiscoveredBrowser } from './browser-discovery.js';
import type { Viewport } from './index.js';

/**
 * The flags every emulator Chromium gets, and nothing else: headless without a sandbox (containers run as
 * root), and no background traffic, so a session only ever talks to the pages its script opens.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * One Chromium process shared by all sessions, launched on the first `newContext()` and relaunched if it
 * crashed. Each session gets its own BrowserContext (cookies, storage and cache isolated).
 */
export class SharedBrowser {
  #launching: Promise<Browser> | undefined;
  #closed = false;

  constructor(private readonly discovered: DiscoveredBrowser) {}

  /** A fresh, isolated context. Rendering inputs are fixed so screenshots don't depend on the host. */
  async newContext(viewport: Viewport): Promise<BrowserContext> {
    const browser = await this.#browser();
    return await browser.newContext({
      viewport,
      deviceScaleFactor: 1,
      locale: 'en-US',
      timezoneId: 'UTC',
      colorScheme: 'light',
    });
  }

  /** Closes the browser process (and with it every context); later `newContext()` calls fail. */
  async close(): Promise<void> {
    this.#closed = true;
    const launching = this.#launching;
    this.#launching = undefined;
    if (!launching) return;
    const browser = await launching.catch(() => undefined);
    await browser?.close().catch(() => undefined);
  }

  #browser(): Promise<Browser> {
    if (this.#closed) return Promise.reject(new Error('The emulator is closed.'));
    this.#launching ??= this.#launch();
    return this.#launching;
  }

  async #launch(): Promise<Browser> {
    const { chromium } = await importPlaywright();
    const launching = chromium.launch({
      executablePath: this.discovered.executablePath,
      headless: true,
      args: [...CHROMIUM_ARGS],
      env: { ...browserEnvironment(process.env), ...this.discovered.env },
      // We close the browser ourselves (close(), or the CLI's SIGINT/SIGTERM handler). Playwright's own
      // handlers would keep a SIGTERMed process alive; its exit hook still kills Chromium if Node exits.
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    const browser = await launching.catch((error: unknown) => {
      this.#launching = undefined;
      throw new Error(
        `Chromium at ${this.discovered.executablePath} (${this.discovered.source}) did not start: ${firstLine(error)}`,
        { cause: error },
      );
    });
    browser.on('disconnected', () => {
      // A crashed browser is relaunched by the next new session.
      if (this.#launching && !this.#closed) this.#launching = undefined;
    });
    return browser;
  }
}

/**
 * The emulator's environment minus its secrets. Chromium runs whatever pages a script opens, and a process's
 * environment is readable by its crash reporter, its children and /proc/<pid>/environ: the API key and the
 * emulator's token have no business there.
 */
export function browserEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const kept: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (!SECRET_VARIABLES.includes(name)) kept[name] = value;
  }
  return kept;
}

/** AGI_API_KEY for the real API; AGI_EMULATOR_TOKEN, the emulator's own token (see the CLI). */
const SECRET_VARIABLES: readonly string[] = ['AGI_API_KEY', 'AGI_EMULATOR_TOKEN'];

async function importPlaywright(): Promise<typeof import('playwright-core')> {
  try {
    return await import('playwright-core');
  } catch (error) {
    throw new Error('The vitest-agi emulator needs playwright-core: npm i -D playwright-core', { cause: error });
  }
}

export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.trim();
}
