import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { readBaseline, resolveScreenshotPaths, sanitizeName, writeFileAtomically } from '../../src/baseline.js';

describe('sanitizeName', () => {
  test.each([
    ['checkout-done', 'checkout-done'],
    ['checkout > ends on the thank-you page 1', 'checkout-ends-on-the-thank-you-page-1'],
    ['../../etc/passwd', 'etc-passwd'],
    ['/abs/path', 'abs-path'],
    ['..', null],
    ['C:\\x\\y', 'C-x-y'],
    ['café ☕', 'caf'],
  ])('%j → %j', (input, expected) => {
    if (expected === null) expect(() => sanitizeName(input)).toThrowError(/has no usable characters/);
    else expect(sanitizeName(input)).toBe(expected);
  });
});

describe('resolveScreenshotPaths', () => {
  const common = { root: '/repo', snapshotDir: 'snapshots', outputDir: '.vitest-agi', mimeType: 'image/jpeg' as const };

  test('mirrors the test file path under snapshots/ and the output folder', () => {
    expect(resolveScreenshotPaths({ ...common, testPath: '/repo/test/checkout.test.ts', name: 'done' })).toEqual({
      baseline: '/repo/snapshots/test/checkout.test.ts/done.jpg',
      otherBaseline: '/repo/snapshots/test/checkout.test.ts/done.png',
      actual: '/repo/.vitest-agi/test/checkout.test.ts/done-actual.jpg',
      diff: '/repo/.vitest-agi/test/checkout.test.ts/done-diff.png',
    });
  });

  test('never leaves the snapshot folder, whatever the name or test path', () => {
    const paths = resolveScreenshotPaths({ ...common, mimeType: 'image/png', testPath: '/elsewhere/a.test.ts', name: '../../../x' });
    expect(paths.baseline).toBe('/repo/snapshots/a.test.ts/x.png');
  });
});

describe('writeFileAtomically', () => {
  let dir: string;
  afterEach(() => rm(dir, { recursive: true, force: true }));

  test('creates folders, writes the bytes, and leaves no temp file; concurrent writers do not collide', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'agi-baseline-'));
    const file = path.join(dir, 'a', 'b', 'shot.jpg');
    await Promise.all(Array.from({ length: 8 }, (_, i) => writeFileAtomically(file, Buffer.alloc(1000, i))));
    const bytes = await readFile(file);
    expect(bytes.length).toBe(1000);
    expect(new Set(bytes).size).toBe(1); // one writer's whole content, never a mix
    expect(await readdir(path.dirname(file))).toEqual(['shot.jpg']);
    expect(await readBaseline({ baseline: path.join(dir, 'nope.jpg'), otherBaseline: file, actual: '', diff: '' })).toMatchObject({ path: file });
  });
});
