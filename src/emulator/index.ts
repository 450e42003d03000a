import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SharedBrowser } from './browser.js';
import { discoverBrowser } from './browser-discovery.js';
import type { DiscoveredBrowser } from './browser-discovery.js';
import { createApiListener, isLoopback } from './server.js';
import { SessionStore } from './session-store.js';

export { BrowserNotFoundError, discoverBrowser } from './browser-discovery.js';
export type { DiscoveredBrowser } from './browser-discovery.js';

// The public types are the emulator's own: playwright-core's need the DOM lib, which a Node project may not have.
/** A session's viewport in CSS px. */
export interface Viewport {
  width: number;
  height: number;
}

export interface EmulatorOptions {
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to bind. Loopback by default: the emulator runs a browser for whoever can reach it. @default '127.0.0.1' */
  host?: string;
  /** Each session's viewport in CSS px, device scale factor 1. @default { width: 1280, height: 720 } */
  viewport?: Viewport;
  /** JPEG quality of GET …/screenshot, 0–100. @default 80 */
  jpegQuality?: number;
  /** Open sessions allowed at once (all tokens together); one more is a 429. @default 8 */
  maxSessions?: number;
  /** The only Bearer token accepted. Unset: any non-empty token, and each token sees only its own sessions. */
  token?: string;
  /**
   * Host names (the `Host` header, without port) accepted besides `localhost`, IP addresses and `host`, e.g. a
   * Docker service name. Any other name is refused with 403: a web page that rebinds its own DNS name to
   * 127.0.0.1 must not reach the emulator's browser. @default []
   */
  allowedHosts?: readonly string[];
  /** Chromium executable; wins over `CHROME_PATH` and discovery. */
  chromePath?: string;
  /** How long one scripted step may wait for its element or page, in ms. @default 15000 */
  stepTimeout?: number;
}

export interface Emulator {
  /** The API root, e.g. `http://127.0.0.1:8931/v1`: pass it as the client's `baseUrl`. */
  baseUrl: string;
  /** The Chromium that sessions use (it starts with the first session), and its `--version`. */
  browser: Pick<DiscoveredBrowser, 'executablePath' | 'source' | 'version' | 'packageVersion'>;
  /** Deletes every session, stops Chromium and the HTTP server. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts a local server that speaks the AGI Agent Sessions API (https://api.agi.tech/v1) and drives a real
 * headless Chromium through playwright-core. The browser is found now (so a missing one fails here, with
 * instructions) and launched with the first session. Messages are scripts, not prompts: see ./script.ts.
 *
 * @example
 * // vitest globalSetup
 * import { startEmulator } from 'vitest-agi/emulator';
 * export default async function ({ provide }) {
 *   const emulator = await startEmulator();
 *   provide('agiBaseUrl', emulator.baseUrl);
 *   return () => emulator.close();
 * }
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  checkOptionNames('startEmulator()', options, EMULATOR_OPTION_NAMES);
  if (options.viewport !== undefined) checkOptionNames('startEmulator() `viewport`', options.viewport, ['width', 'height']);
  const {
    port = 0,
    host = '127.0.0.1',
    viewport = { width: 1280, height: 720 },
    jpegQuality = 80,
    maxSessions = 8,
    token,
    allowedHosts = [],
    chromePath,
    stepTimeout = 15_000,
  } = options;
  checkInteger('port', port, 0, 65_535);
  checkInteger('viewport.width', viewport.width, 1, 7_680);
  checkInteger('viewport.height', viewport.height, 1, 4_320);
  checkInteger('jpegQuality', jpegQuality, 0, 100);
  checkInteger('maxSessions', maxSessions, 1, 1_000);
  checkInteger('stepTimeout', stepTimeout, 1, 600_000);
  if (token !== undefined && (typeof token !== 'string' || token.trim() === '')) {
    throw new TypeError('`token` must be a non-empty string when set.');
  }
  if (!Array.isArray(allowedHosts) || allowedHosts.some((name) => typeof name !== 'string' || name === '')) {
    throw new TypeError('`allowedHosts` must be an array of host names, e.g. ["emulator"].');
  }

  const discovered = await discoverBrowser({ chromePath });
  const browser = new SharedBrowser(discovered);
  const store = new SessionStore(browser, { viewport: { ...viewport }, jpegQuality, stepTimeout }, maxSessions);
  const server = createServer(createApiListener({ store, token, allowedHosts: [host, ...allowedHosts] }));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  if (token === undefined && !isLoopback(address.address)) {
    process.emitWarning(
      `The vitest-agi emulator listens on ${hostPart}:${address.port} without a token: anyone who can reach this ` +
        'address can drive its Chromium (open pages on your network, read what they show). Set a token ' +
        '(token option, AGI_EMULATOR_TOKEN or --token-file) or bind to 127.0.0.1.',
      { code: 'AGI_EMULATOR_EXPOSED' },
    );
  }

  let closing: Promise<void> | undefined;
  return {
    baseUrl: `http://${hostPart}:${address.port}/v1`,
    browser: {
      executablePath: discovered.executablePath,
      source: discovered.source,
      version: discovered.version,
      packageVersion: discovered.packageVersion,
    },
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        // Keep-alive sockets and open SSE streams would hold server.close() open.
        server.closeAllConnections();
        await store.closeAll();
        await browser.close();
        await stopped;
      })();
      return closing;
    },
  };
}

const EMULATOR_OPTION_NAMES: ReadonlyArray<keyof EmulatorOptions> = [
  'port',
  'host',
  'viewport',
  'jpegQuality',
  'maxSessions',
  'token',
  'allowedHosts',
  'chromePath',
  'stepTimeout',
];

/** A misspelt option would otherwise be ignored without a word (`maxSesions: 2` → 8 sessions). */
function checkOptionNames(where: string, options: object, known: readonly string[]): void {
  if (typeof options !== 'object' || options === null) throw new TypeError(`${where} options must be an object.`);
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) {
      throw new TypeError(`${where}: unknown option \`${name}\`. Known options: ${known.map((n) => `\`${n}\``).join(', ')}.`);
    }
  }
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`\`${name}\` must be an integer from ${min} to ${max}, got ${String(value)}.`);
  }
}
