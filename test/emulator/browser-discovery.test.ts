import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { BrowserNotFoundError, discoverBrowser } from '../../src/emulator/index.js';
import { startEmulator } from '../../src/emulator/index.js';

// Browser discovery order (issue #4): chromePath option, CHROME_PATH, @sparticuz/chromium, system paths; and
// a clear error with three ways out when there is none. Fake executables in a temp dir; nothing is launched.

const dir = mkdtempSync(join(tmpdir(), 'vitest-agi-discovery-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function fakeExecutable(name: string): string {
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
  return path;
}

const notInstalled = async () => undefined;
const a = fakeExecutable('chrome-a');
const b = fakeExecutable('chrome-b');
const pinnedBinary = fakeExecutable('pinned-chromium');
const pinned = async () => ({ executablePath: async () => pinnedBinary });

describe('discoverBrowser', () => {
  test('the chromePath option wins over CHROME_PATH and everything else', async () => {
    const found = await discoverBrowser({ chromePath: a, env: { CHROME_PATH: b }, importPinned: pinned, systemPaths: [b] });
    expect(found).toEqual({ executablePath: a, source: 'chromePath option', env: {} });
  });

  test('CHROME_PATH wins over the pinned package and the system paths', async () => {
    const found = await discoverBrowser({ env: { CHROME_PATH: b }, importPinned: pinned, systemPaths: [a] });
    expect(found).toMatchObject({ executablePath: b, source: 'CHROME_PATH' });
  });

  test('CHROME_PATH pointing at nothing is an error, not a silent fallback', async () => {
    const error = await discoverBrowser({ env: { CHROME_PATH: join(dir, 'missing') }, systemPaths: [a] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrowserNotFoundError);
    expect((error as Error).message.replace(dir, 'DIR')).toMatchInlineSnapshot(`"CHROME_PATH is set to "DIR/missing", but no executable file is there."`);
  });

  test('an installed @sparticuz/chromium wins over the system paths', async () => {
    const found = await discoverBrowser({ env: {}, importPinned: pinned, systemPaths: [a] });
    expect(found).toMatchObject({ executablePath: pinnedBinary, source: '@sparticuz/chromium' });
  });

  test('the first executable system path is used when nothing else is set', async () => {
    const found = await discoverBrowser({ env: {}, importPinned: notInstalled, systemPaths: [join(dir, 'nope'), dir, b, a] });
    expect(found).toEqual({ executablePath: b, source: 'system', env: {} });
  });

  test('no browser anywhere is an error that says how to get one', async () => {
    const error = await discoverBrowser({ env: {}, importPinned: notInstalled, systemPaths: ['/usr/bin/chromium-x'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrowserNotFoundError);
    expect((error as BrowserNotFoundError).code).toBe('AGI_EMULATOR_NO_BROWSER');
    expect((error as Error).message).toMatchInlineSnapshot(`
      "No Chromium found for the vitest-agi emulator. Get one of:
        - Debian/Ubuntu:   apt-get install chromium
        - from npm:        npm i -D @sparticuz/chromium   (a pinned Chromium with fonts, ~67 MB, nothing downloaded at run time)
        - your own build:  set CHROME_PATH=/path/to/chrome
      Looked in: CHROME_PATH (unset), @sparticuz/chromium (not installed), /usr/bin/chromium-x."
    `);
  });

  test('startEmulator fails at start, not at the first session, when chromePath is wrong', async () => {
    await expect(startEmulator({ chromePath: join(dir, 'missing') })).rejects.toBeInstanceOf(BrowserNotFoundError);
  });

  test('startEmulator validates its options and names the one that is wrong', async () => {
    await expect(startEmulator({ jpegQuality: 101 })).rejects.toThrow('`jpegQuality` must be an integer from 0 to 100, got 101.');
    await expect(startEmulator({ maxSessions: 0 })).rejects.toThrow('`maxSessions` must be an integer from 1 to 1000, got 0.');
    await expect(startEmulator({ viewport: { width: 1280.5, height: 720 } })).rejects.toThrow('`viewport.width` must be an integer');
  });
});

const pinnedInstalled = (() => {
  try {
    createRequire(import.meta.url).resolve('@sparticuz/chromium');
    return true;
  } catch {
    return false;
  }
})();

// Runs where the pinned browser is installed (this repo's devDependencies): the real package, extracted and
// launched with our flags, renders a page.
test.runIf(pinnedInstalled)('the real @sparticuz/chromium is found, extracted, and renders a screenshot', async () => {
  const found = await discoverBrowser({ env: {} });
  expect(found.source).toBe('@sparticuz/chromium');
  expect(found.env.FONTCONFIG_PATH).toBe(join(tmpdir(), 'fonts'));
  const emulator = await startEmulator({ chromePath: undefined });
  try {
    const headers = { authorization: 'Bearer k', 'content-type': 'application/json' };
    const created = await fetch(`${emulator.baseUrl}/sessions`, { method: 'POST', headers, body: '{}' });
    const { session_id: id } = (await created.json()) as { session_id: string };
    const shot = (await (await fetch(`${emulator.baseUrl}/sessions/${id}/screenshot`, { headers })).json()) as { screenshot: string };
    expect(shot.screenshot.startsWith('data:image/jpeg;base64,/9j/')).toBe(true);
  } finally {
    await emulator.close();
  }
});

// @sparticuz/chromium reuses any $TMPDIR/chromium, whatever its version. Here $TMPDIR is a fresh temp dir
// holding a "Chromium 147" left behind (as by an older lockfile): discovery must notice and extract its own.
test.runIf(pinnedInstalled)('a $TMPDIR/chromium of another version is replaced by the pinned package’s own', async () => {
  const manifest = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('@sparticuz/chromium').replace(/build\/.*$/, 'package.json'), 'utf8'));
  const major = String(manifest.version).split('.')[0];
  const tmp = mkdtempSync(join(tmpdir(), 'vitest-agi-pin-'));
  const stale = join(tmp, 'chromium');
  writeFileSync(stale, '#!/bin/sh\necho "Chromium 147.0.7727.0"\n');
  chmodSync(stale, 0o755);
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = tmp;
  try {
    const started = performance.now();
    const found = await discoverBrowser({ env: {} });
    const extractMs = performance.now() - started;
    expect(found).toMatchObject({ executablePath: stale, source: '@sparticuz/chromium', packageVersion: manifest.version });
    expect(found.version).toMatch(new RegExp(`^Chromium ${major}\\.\\d+\\.\\d+\\.\\d+$`));
    expect(execFileSync(stale, ['--version'], { encoding: 'utf8' })).toContain(`Chromium ${major}.`);

    // The right version is kept as it is: no second extraction.
    const extracted = statSync(stale).mtimeMs;
    const again = performance.now();
    expect((await discoverBrowser({ env: {} })).version).toBe(found.version);
    const checkMs = performance.now() - again;
    expect(statSync(stale).mtimeMs).toBe(extracted);
    console.log(`re-extraction of a stale $TMPDIR/chromium: ${Math.round(extractMs)} ms; version check when it matches: ${Math.round(checkMs)} ms`);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
    rmSync(tmp, { recursive: true, force: true });
  }
});
