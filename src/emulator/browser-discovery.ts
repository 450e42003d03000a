import { execFile } from 'node:child_process';
import { access, constants, mkdir, readFile, rm, rmdir, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { browserEnvironment } from './browser.js';

/** A Chromium the emulator can launch, and how it was found. */
export interface DiscoveredBrowser {
  executablePath: string;
  /** Where it came from, for the startup line and error messages. */
  source: 'chromePath option' | 'CHROME_PATH' | '@sparticuz/chromium' | 'system';
  /** Extra environment for the browser process only (the pinned Chromium brings its own fonts and NSS). */
  env: Record<string, string>;
  /** What `<executable> --version` printed, e.g. `Chromium 153.0.8010.0`; undefined if it printed nothing. */
  version?: string | undefined;
  /** The version of `@sparticuz/chromium` the binary came from, when it did. */
  packageVersion?: string | undefined;
}

export interface DiscoverBrowserOptions {
  /** An explicit executable; wins over everything else. */
  chromePath?: string | undefined;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Imports the pinned Chromium package; returns undefined when it is not installed. */
  importPinned?: () => Promise<PinnedChromium | undefined>;
  /** @default the Debian/Ubuntu/Google Chrome paths below */
  systemPaths?: readonly string[];
}

/** The part of `@sparticuz/chromium` we use. */
export interface PinnedChromium {
  /** Extracts the binary (first use only) and returns its path. */
  executablePath(): Promise<string>;
  /** Extracts a `.tar.br` from the package's bin/ folder into tmpdir(). */
  inflate?(file: string): Promise<string>;
  /** The package's bin/ folder. */
  binDir?: string;
  /** The package's version, e.g. `153.0.0`: its major is the Chromium major it ships. */
  version?: string;
}

export const SYSTEM_BROWSER_PATHS: readonly string[] = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

const PINNED_PACKAGE = '@sparticuz/chromium';

/** Raised when no Chromium is found; the message says how to get one. */
export class BrowserNotFoundError extends Error {
  override name = 'BrowserNotFoundError';
  readonly code = 'AGI_EMULATOR_NO_BROWSER';
}

/**
 * Finds a Chromium without downloading anything, in this order:
 * 1. the `chromePath` option, then the `CHROME_PATH` environment variable (an error if it points nowhere);
 * 2. `@sparticuz/chromium`, if installed: a Chromium pinned in the lockfile, shipped inside its npm package
 *    with its own fonts, so it renders identically on every machine (extracted into tmpdir() on first use);
 * 3. the usual system paths (`/usr/bin/chromium`, Google Chrome).
 */
export async function discoverBrowser({
  chromePath,
  env = process.env,
  importPinned = importPinnedChromium,
  systemPaths = SYSTEM_BROWSER_PATHS,
}: DiscoverBrowserOptions = {}): Promise<DiscoveredBrowser> {
  for (const [source, path] of [
    ['chromePath option', chromePath],
    ['CHROME_PATH', env.CHROME_PATH],
  ] as const) {
    if (path === undefined || path === '') continue;
    if (!(await isExecutable(path))) {
      throw new BrowserNotFoundError(`${source} is set to ${JSON.stringify(path)}, but no executable file is there.`);
    }
    return { executablePath: path, source, env: {}, version: await readBrowserVersion(path, {}) };
  }

  const pinned = await importPinned();
  if (pinned !== undefined) return await preparePinned(pinned);

  for (const path of systemPaths) {
    if (await isExecutable(path)) return { executablePath: path, source: 'system', env: {}, version: await readBrowserVersion(path, {}) };
  }

  throw new BrowserNotFoundError(
    'No Chromium found for the vitest-agi emulator. Get one of:\n' +
      '  - Debian/Ubuntu:   apt-get install chromium\n' +
      `  - from npm:        npm i -D ${PINNED_PACKAGE}   (a pinned Chromium with fonts, ~67 MB, nothing downloaded at run time)\n` +
      '  - your own build:  set CHROME_PATH=/path/to/chrome\n' +
      `Looked in: CHROME_PATH (unset), ${PINNED_PACKAGE} (not installed), ${systemPaths.join(', ')}.`,
  );
}

/** `import('@sparticuz/chromium')`, or undefined when the package is not installed. */
async function importPinnedChromium(): Promise<PinnedChromium | undefined> {
  let module: { default: { executablePath(): Promise<string> }; inflate?: (file: string) => Promise<string> };
  try {
    // A variable specifier: the package is optional, so TypeScript must not need its types.
    const specifier: string = PINNED_PACKAGE;
    module = (await import(specifier)) as typeof module;
  } catch (error) {
    // Only the package itself missing means "not installed"; a broken install must still be reported.
    if (isModuleNotFound(error) && String((error as Error).message).includes(`'${PINNED_PACKAGE}'`)) return undefined;
    throw error;
  }
  const entry = createRequire(import.meta.url).resolve(PINNED_PACKAGE);
  const manifest = JSON.parse(await readFile(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version?: unknown };
  return {
    executablePath: () => module.default.executablePath(),
    ...(module.inflate ? { inflate: module.inflate } : {}),
    binDir: join(dirname(entry), '..', 'bin'),
    ...(typeof manifest.version === 'string' ? { version: manifest.version } : {}),
  };
}

/**
 * Extracts the pinned Chromium under a cross-process lock (two Vitest workers starting at once on a fresh
 * machine would otherwise launch a half-written binary), plus its NSS libraries for machines without them.
 * We take only the binary from the package, never its `args`: they include `--single-process`, which
 * crashed Chromium when a context was closed.
 */
async function preparePinned(pinned: PinnedChromium): Promise<DiscoveredBrowser> {
  return await withExtractionLock(async () => {
    const env: Record<string, string> = {};
    if (pinned.inflate && pinned.binDir !== undefined && (await exists(join(pinned.binDir, 'al2023.tar.br')))) {
      const libDir = join(await pinned.inflate(join(pinned.binDir, 'al2023.tar.br')), 'lib');
      env.LD_LIBRARY_PATH = [libDir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
    }
    let executablePath = await pinned.executablePath();
    let version = await readBrowserVersion(executablePath, env);
    if (pinned.version !== undefined && !sameMajor(version, pinned.version)) {
      // The package reuses any $TMPDIR/chromium, whatever its version (one left by another project, or by an
      // older lockfile): the Chromium that ran was not the pinned one. Extract ours again (≈ 3 s).
      await rm(join(tmpdir(), 'chromium'), { force: true });
      await rm(join(tmpdir(), 'fonts'), { recursive: true, force: true });
      executablePath = await pinned.executablePath();
      version = await readBrowserVersion(executablePath, env);
      if (!sameMajor(version, pinned.version)) {
        throw new BrowserNotFoundError(
          `${PINNED_PACKAGE} ${pinned.version} extracted ${executablePath}, but it reports ${JSON.stringify(version ?? '(no version)')}. ` +
            `Delete ${executablePath} and try again, or set CHROME_PATH.`,
        );
      }
    }
    // Its fonts.conf lists only the fonts extracted next to it: identical text rendering on every machine.
    const fontsDir = join(tmpdir(), 'fonts');
    if (await exists(join(fontsDir, 'fonts.conf'))) env.FONTCONFIG_PATH = fontsDir;
    return { executablePath, source: '@sparticuz/chromium', env, version, packageVersion: pinned.version };
  });
}

/** `<executable> --version` (≈ 25 ms), e.g. `Chromium 153.0.8010.0`; undefined when it fails or prints nothing. */
export async function readBrowserVersion(executablePath: string, env: Record<string, string>): Promise<string | undefined> {
  return await new Promise((resolve) => {
    execFile(executablePath, ['--version'], { timeout: 10_000, env: { ...browserEnvironment(process.env), ...env } }, (error, stdout) => {
      const line = error ? '' : String(stdout).trim().split('\n')[0]!.trim();
      resolve(line === '' ? undefined : line.slice(0, 200));
    });
  });
}

/** `Chromium 153.0.8010.0` and package `153.0.0` agree: @sparticuz/chromium's major is its Chromium's major. */
function sameMajor(browserVersion: string | undefined, packageVersion: string): boolean {
  const major = /(\d+)\.\d+\.\d+\.\d+/.exec(browserVersion ?? '')?.[1];
  return major !== undefined && major === packageVersion.split('.')[0];
}

async function withExtractionLock<T>(work: () => Promise<T>): Promise<T> {
  const lock = join(tmpdir(), 'vitest-agi-chromium-extract.lock');
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock older than 2 minutes belongs to a process that died mid-extraction.
      const age = Date.now() - (await stat(lock).then((s) => s.mtimeMs, () => Date.now()));
      if (age > 120_000 || Date.now() > deadline) await rmdir(lock).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  try {
    return await work();
  } finally {
    await rmdir(lock).catch(() => undefined);
  }
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  return await access(path).then(
    () => true,
    () => false,
  );
}

function isModuleNotFound(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}
