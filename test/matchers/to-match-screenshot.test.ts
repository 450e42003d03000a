import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { RegionError, UsageError } from '../../src/errors.js';
import { decodeImage } from '../../src/image/image.js';
import { configure, resetConfiguration } from '../../src/options/options.js';
import { Screenshot } from '../../src/image/screenshot.js';
import { shot } from '../helpers/fixtures.js';
import { failureOf } from '../helpers/messages.js';
import { engineStats } from '../../src/ocr/engine.js';
import { fakePollClock, type FakePollClock } from '../helpers/poll-clock.js';
import { useLocalUpdateMode } from '../helpers/local-update-mode.js';

// In-process runs of the matcher, with baselines placed by the test itself (the update-mode behaviour,
// which depends on how Vitest was started, is covered by the real Vitest runs in test/e2e).
let dir: string;
let clock: FakePollClock; // waits between captures take no time
const here = 'test/matchers/to-match-screenshot.test.ts';
const page = { url: 'http://shop.test/docs', title: 'Docs — Shop' };
const docs = () => new Screenshot({ bytes: shot('docs.jpg'), ...page });
const edited = () => new Screenshot({ bytes: shot('docs-edited.jpg'), ...page });
const baselineFile = (name: string) => path.join(dir, 'snapshots', here, `${name}.jpg`);
const outputFile = (name: string) => path.join(dir, 'out', here, name);

async function placeBaseline(name: string, bytes: Buffer) {
  await mkdir(path.dirname(baselineFile(name)), { recursive: true });
  await writeFile(baselineFile(name), bytes);
}

beforeEach(async () => {
  clock = fakePollClock();
  dir = await mkdtemp(path.join(tmpdir(), 'agi-match-'));
  configure({ snapshotDir: path.join(dir, 'snapshots'), outputDir: path.join(dir, 'out'), interval: 20 });
});
afterEach(async () => {
  clock.restore();
  resetConfiguration();
  await rm(dir, { recursive: true, force: true });
});

describe('toMatchScreenshot', () => {
  test('passes on identical bytes without decoding either image', async () => {
    await placeBaseline('docs', shot('docs.jpg'));
    const actual = docs();
    await expect(actual).toMatchScreenshot('docs');
    expect(actual.isDecoded).toBe(false);
  });

  test('fails on a one-word edit with the defaults, writes actual and diff, and leaves the baseline untouched', async () => {
    await placeBaseline('docs', shot('docs.jpg'));
    const message = await failureOf(expect(edited()).toMatchScreenshot('docs'), { [dir]: '<tmp>' });
    expect(message).toMatchInlineSnapshot(`
      "expect(screenshot).toMatchScreenshot("docs")

      Screenshot differs from baseline: 1,845 pixels differ (0.21% of 1280×720);
      allowed: 32 pixels (maxDiffPixels 32), threshold 0.1.

      1 changed region: 463×15 at (607, 172), 1,845 px.

        Baseline: <tmp>/snapshots/test/matchers/to-match-screenshot.test.ts/docs.jpg
        Actual:   <tmp>/out/test/matchers/to-match-screenshot.test.ts/docs-actual.jpg
        Diff:     <tmp>/out/test/matchers/to-match-screenshot.test.ts/docs-diff.png
        Page:     http://shop.test/docs  "Docs — Shop"

      If the change is intended, run \`vitest -u\` to update the baseline."
    `);
    expect((await readFile(baselineFile('docs'))).equals(shot('docs.jpg'))).toBe(true);
    expect((await readFile(outputFile('docs-actual.jpg'))).equals(shot('docs-edited.jpg'))).toBe(true);
    const diff = decodeImage(await readFile(outputFile('docs-diff.png')), 'image/png');
    expect([diff.width, diff.height]).toEqual([1280, 720]);
  });

  // The decoders differ by a few pixels on a change (mozjpeg and jpeg-js round differently), never on the verdict.
  test.each([
    ['wasm', 1845],
    ['js', 1832],
  ] as const)('with the defaults and the %s decoder, an unchanged page and a blinking caret pass, and a one-word edit fails', async (decoder, flagged) => {
    configure({ decoder });
    await placeBaseline('docs', shot('docs.jpg'));
    await placeBaseline('form', shot('form-caret-a.jpg'));
    await expect(docs()).toMatchScreenshot('docs');
    const caret = new Screenshot({ bytes: shot('form-caret-b.jpg'), ...page });
    expect(caret.bytes.equals(shot('form-caret-a.jpg'))).toBe(false);
    await expect(caret).toMatchScreenshot('form');
    await expect(expect(edited()).toMatchScreenshot('docs')).rejects.toThrow(`${flagged.toLocaleString('en-US')} pixels differ`);
  });

  test('deletes stale actual and diff images once the name passes again', async () => {
    await placeBaseline('docs', shot('docs.jpg'));
    await expect(edited()).toMatchScreenshot('docs').catch(() => {});
    expect(existsSync(outputFile('docs-diff.png'))).toBe(true);
    await expect(docs()).toMatchScreenshot('docs');
    expect(existsSync(outputFile('docs-diff.png')) || existsSync(outputFile('docs-actual.jpg'))).toBe(false);
  });

  test('passes a change within maxDiffPixels or outside the clip, and a masked one', async () => {
    await placeBaseline('docs', shot('docs.jpg'));
    await expect(edited()).toMatchScreenshot('docs', { maxDiffPixels: 5000 });
    await expect(edited()).toMatchScreenshot('docs', { clip: { x: 0, y: 0, width: 1280, height: 40 } });
    await expect(edited()).toMatchScreenshot('docs', { mask: [{ x: 0, y: 40, width: 1280, height: 680 }] });
    await expect(expect(edited()).toMatchScreenshot('docs', { threshold: 0.1, maxDiffPixels: 10_000, maxDiffPixelRatio: 0.0001 })).rejects.toThrow(/allowed: 92 pixels \(maxDiffPixels 10,000, maxDiffPixelRatio 0.0001\)/);
  });

  test('fails with a size message and still writes a padded diff', async () => {
    await placeBaseline('docs', shot('docs-640x360.jpg'));
    const message = await failureOf(expect(docs()).toMatchScreenshot('docs'), { [dir]: '<tmp>' });
    expect(message).toMatchInlineSnapshot(`
      "expect(screenshot).toMatchScreenshot("docs")

      Screenshot is 1280×720 but baseline is 640×360.

        Baseline: <tmp>/snapshots/test/matchers/to-match-screenshot.test.ts/docs.jpg
        Actual:   <tmp>/out/test/matchers/to-match-screenshot.test.ts/docs-actual.jpg
        Diff:     <tmp>/out/test/matchers/to-match-screenshot.test.ts/docs-diff.png
        Page:     http://shop.test/docs  "Docs — Shop"

      The session's viewport changed, or the baseline belongs to another viewport. If the new size is intended, run \`vitest -u\` to update the baseline."
    `);
    const diff = decodeImage(await readFile(outputFile('docs-diff.png')), 'image/png');
    expect([diff.width, diff.height]).toEqual([1280, 720]);
  });

  test('.not passes when the screenshot differs and fails when it matches', async () => {
    await placeBaseline('docs', shot('docs.jpg'));
    await expect(edited()).not.toMatchScreenshot('docs');
    expect(existsSync(outputFile('docs-diff.png'))).toBe(false);
    const message = await failureOf(expect(docs()).not.toMatchScreenshot('docs'), { [dir]: '<tmp>' });
    expect(message).toMatchInlineSnapshot(`
      "expect(screenshot).not.toMatchScreenshot("docs")

      Expected the screenshot to differ from the baseline, but it matches: its bytes are identical.

        Baseline: <tmp>/snapshots/test/matchers/to-match-screenshot.test.ts/docs.jpg
        Page:     http://shop.test/docs  "Docs — Shop""
    `);
  });

  test('.not never writes a missing baseline', async () => {
    const message = await failureOf(expect(docs()).not.toMatchScreenshot('docs'), { [dir]: '<tmp>' });
    expect(message).toMatchInlineSnapshot(`
      "expect(screenshot).not.toMatchScreenshot("docs")

      No baseline at <tmp>/snapshots/test/matchers/to-match-screenshot.test.ts/docs.jpg: .not.toMatchScreenshot() needs a baseline to differ from, and never writes one.

        Page: http://shop.test/docs  "Docs — Shop"

      Record the baseline first with toMatchScreenshot() (without .not)."
    `);
    expect(existsSync(baselineFile('docs'))).toBe(false);
  });

  test('with a timeout, captures again until the page settles, and reports the captures when it never does', async () => {
    await placeBaseline('docs', shot('docs.jpg'));
    const frames = [edited(), edited(), docs()];
    let calls = 0;
    const settling = { screenshot: async () => frames[Math.min(calls++, frames.length - 1)]! };
    await expect(settling).toMatchScreenshot('docs', { timeout: 5000, interval: 10 });
    expect(calls).toBe(3);

    const stuck = { screenshot: async () => edited() };
    const message = await failureOf(expect(stuck).toMatchScreenshot('docs', { timeout: 600, interval: 200 }));
    // On the fake clock the captures come at 0, 200, 400 and 600 ms exactly.
    expect(message).toContain('Captured 4 times over 0.6 s:\n    +0.0–0.6 s  http://shop.test/docs  "Docs — Shop"  1,845 px differ  (4 captures)\n');
  });

  test('while polling, a superseded capture lets its decoded pixels go', async () => {
    await placeBaseline('docs', shot('docs.jpg'));
    const frames = [edited(), edited(), docs()];
    let calls = 0;
    await expect({ screenshot: async () => frames[calls++]! }).toMatchScreenshot('docs', { timeout: 10_000, interval: 10 });
    expect(calls).toBe(3);
    // Both edited captures were decoded and compared, then released; the last matched on its bytes alone.
    expect(frames.map((s) => s.isDecoded)).toEqual([false, false, false]);
  });

  test('without a timeout, captures exactly once', async () => {
    await placeBaseline('docs', shot('docs.jpg'));
    let calls = 0;
    await expect(expect({ screenshot: async () => (calls++, edited()) }).toMatchScreenshot('docs')).rejects.toThrow();
    expect(calls).toBe(1);
  });

  test('accepts the raw API JSON and the SDK { data, url, title } shape from screenshot()', async () => {
    await placeBaseline('docs', shot('docs.jpg'));
    const raw = { screenshot: `data:image/jpeg;base64,${shot('docs.jpg').toString('base64')}`, ...page };
    await expect(raw).toMatchScreenshot('docs');
    await expect({ screenshot: async () => raw }).toMatchScreenshot('docs');
    await expect({ screenshot: async () => ({ data: shot('docs.jpg'), ...page }) }).toMatchScreenshot('docs');
  });

  test('throws a clear error for a subject that cannot give a screenshot', async () => {
    await expect(expect(42).toMatchScreenshot()).rejects.toThrowError(
      new UsageError('toMatchScreenshot: expect() needs a Session, a Screenshot, or an object with a screenshot() method, but received number 42.'),
    );
    await expect(expect({ screenshot: async () => 'nope' }).toMatchScreenshot()).rejects.toThrowError(/resolved to the string "nope"/);
  });

  test('throws a clear error for an unreadable baseline, saying `vitest -u` replaces it', async () => {
    await placeBaseline('docs', shot('docs-640x360.jpg').subarray(0, 2000));
    const error = await expect(edited()).toMatchScreenshot('docs').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'AGI_INVALID_SCREENSHOT' });
    expect((error as Error).message.replace(dir, '<tmp>')).toMatch(
      /^baseline <tmp>\/snapshots\/test\/matchers\/to-match-screenshot\.test\.ts\/docs\.jpg is unreadable \(.*\); run `vitest -u` to replace it \(or delete it\)\.$/,
    );
  });

  test.each([
    ['a missing baseline (the run that writes it)', undefined],
    ['identical bytes (the fast path)', 'docs.jpg'],
  ])('refuses a mask or clip outside the capture on %s, and writes nothing', async (_, baseline) => {
    if (baseline) await placeBaseline('docs', shot(baseline));
    await expect(expect(docs()).toMatchScreenshot('docs', { mask: [{ x: 0, y: 700, width: 10, height: 30 }] })).rejects.toThrowError(
      new RegionError('toMatchScreenshot: `mask[0]` {x: 0, y: 700, width: 10, height: 30} reaches outside the 1280×720 screenshot (it ends at x 10, y 730).'),
    );
    await expect(expect(docs()).toMatchScreenshot('docs', { clip: { x: 1000, y: 0, width: 300, height: 10 } })).rejects.toThrowError(
      new RegionError('toMatchScreenshot: `clip` {x: 1000, y: 0, width: 300, height: 10} reaches outside the 1280×720 screenshot (it ends at x 1300, y 10).'),
    );
    expect(existsSync(baselineFile('docs'))).toBe(Boolean(baseline));
  });
});

describe('toMatchScreenshot with maskText', () => {
  useLocalUpdateMode(); // a baseline is written here as on a local run, also when the suite runs under CI

  test('reads no text when none is needed: a baseline being written, identical bytes', async () => {
    const before = engineStats().reads;
    await expect(docs()).toMatchScreenshot('docs-masked', { maskText: [/\d+ minutes/] });
    expect(existsSync(baselineFile('docs-masked'))).toBe(true);
    await expect(docs()).toMatchScreenshot('docs-masked', { maskText: [/\d+ minutes/] });
    expect(engineStats().reads).toBe(before);
  });
});
