import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { FileSystemError, UsageError } from '../../src/errors.js';
import { baselineFileStem, legacyFileStem, readBaseline, resolveScreenshotPaths, writeFileAtomically, writeNewFileAtomically } from '../../src/baselines/baseline.js';
import { seededRandom } from '../helpers/fixtures.js';

describe('baselineFileStem', () => {
  test.each([
    ['checkout-done', 'checkout-done'],
    ['home_page.v2', 'home_page.v2'],
    ['checkout > ends on the thank-you page 1', 'checkout-ends-on-the-thank-you-page-1--2851791b'],
    ['Home', 'Home--3a786953'],
    ['../../etc/passwd', 'etc-passwd--3754d6cb'],
    ['..', 'screenshot--5ec1f7e7'],
    ['café ☕', 'caf--a7e46d54'],
    ['con', 'con--1143da2b'],
  ])('%j → %j', (input, expected) => {
    expect(baselineFileStem(input)).toBe(expected);
  });

  test('keeps the names that used to collide apart: separators, punctuation, accents, suites, long names', () => {
    const groups = [
      ['a/b', 'a\\b', 'a-b', 'a b', 'a--b'],
      ['form field', 'form:field', 'form-field'],
      ['café', 'cafè', 'caf'],
      ['checkout > done 1', 'checkout done 1'],
      ['Home', 'home', 'HOME'],
      ['x'.repeat(250) + ' 1', 'x'.repeat(250) + ' 2'],
    ];
    for (const names of groups) {
      const stems = names.map((name) => baselineFileStem(name).toLowerCase());
      expect(new Set(stems).size, names.join(' | ')).toBe(names.length);
    }
  });

  test('no two of 20,000 generated names share a file, even on a case-insensitive file system', () => {
    // Short names over an alphabet full of the characters a slug drops or folds.
    const random = seededRandom(42);
    const alphabet = ['a', 'b', 'A', 'B', '1', '-', '_', '.', ' ', '/', '\\', ':', '>', 'é', 'É', '☕', '--'];
    const names = new Set<string>(['checkout-done', 'checkout done', 'Checkout-Done', 'con', 'CON', 'nul.x']);
    while (names.size < 20_000) {
      const length = 1 + Math.floor(random() * 7);
      names.add(Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''));
    }
    const owner = new Map<string, string>();
    const problems: string[] = [];
    for (const name of names) {
      const stem = baselineFileStem(name);
      if (!/^[A-Za-z0-9_][A-Za-z0-9._-]*$/.test(stem)) problems.push(`${JSON.stringify(name)} → unsafe ${stem}`);
      const key = stem.toLowerCase();
      if (owner.has(key)) problems.push(`${JSON.stringify(name)} and ${JSON.stringify(owner.get(key))} → ${stem}`);
      owner.set(key, name);
    }
    expect(problems).toEqual([]);
  });

  test('names the 0.1 file only when it differs from the new one', () => {
    expect(legacyFileStem('checkout done')).toBe('checkout-done');
    expect(legacyFileStem('checkout-done')).toBeUndefined();
    expect(legacyFileStem('x'.repeat(250) + ' 1')).toBe('x'.repeat(200));
    expect(legacyFileStem('☕')).toBeUndefined(); // 0.1 refused it, so there is no old file
  });

  test('refuses an empty name', () => {
    expect(() => baselineFileStem('')).toThrowError(new UsageError('toMatchScreenshot: the name must not be empty.'));
  });
});

describe('resolveScreenshotPaths', () => {
  const common = { root: '/repo', snapshotDir: 'snapshots', outputDir: '.vitest-agi', mimeType: 'image/jpeg' as const };

  test('mirrors the test file path under snapshots/ and the output folder', () => {
    expect(resolveScreenshotPaths({ ...common, testPath: '/repo/test/checkout.test.ts', name: 'done' })).toEqual({
      baseline: '/repo/snapshots/test/checkout.test.ts/done.jpg',
      otherBaseline: '/repo/snapshots/test/checkout.test.ts/done.png',
      legacyBaselines: [],
      actual: '/repo/.vitest-agi/test/checkout.test.ts/done-actual.jpg',
      diff: '/repo/.vitest-agi/test/checkout.test.ts/done-diff.png',
    });
  });

  test('never leaves the snapshot folder, whatever the name or test path', () => {
    const paths = resolveScreenshotPaths({ ...common, mimeType: 'image/png', testPath: '/elsewhere/a.test.ts', name: '../../../x' });
    expect(paths.baseline).toBe('/repo/snapshots/a.test.ts/x--0274b718.png');
    expect(paths.legacyBaselines).toEqual(['/repo/snapshots/a.test.ts/x.png', '/repo/snapshots/a.test.ts/x.jpg']);
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
    expect(await readBaseline({ baseline: path.join(dir, 'nope.jpg'), otherBaseline: file, legacyBaselines: [], actual: '', diff: '' }, 'x')).toMatchObject({ path: file });
  });

  test('a failed write names the file meant, not its temp file, says what to do, and leaves no temp file', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'agi-baseline-'));
    const file = path.join(dir, 'home.jpg');
    await mkdir(file); // a folder where the baseline should go
    const error = await writeFileAtomically(file, Buffer.from('x'), 'the baseline snapshots/home.jpg').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileSystemError);
    expect(error).toMatchObject({
      code: 'AGI_FILE_SYSTEM',
      path: file,
      message: 'could not write the baseline snapshots/home.jpg: a folder has its name (EISDIR). Remove or rename the folder.',
      cause: expect.objectContaining({ code: 'EISDIR' }),
    });
    expect(await readdir(dir)).toEqual(['home.jpg']);
  });

  test('removes temp files a killed run left in the folder, once they are minutes old, and keeps fresh ones', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'agi-baseline-'));
    const stale = path.join(dir, 'home.jpg.4242.deadbeef.tmp');
    const fresh = path.join(dir, 'home.jpg.4243.cafebabe.tmp');
    const notOurs = path.join(dir, 'notes.tmp');
    for (const file of [stale, fresh, notOurs]) await writeFile(file, 'x');
    const longAgo = new Date(Date.now() - 10 * 60_000);
    await utimes(stale, longAgo, longAgo);
    await utimes(notOurs, longAgo, longAgo);
    await writeFileAtomically(path.join(dir, 'other.jpg'), Buffer.from('y'));
    expect((await readdir(dir)).sort()).toEqual(['home.jpg.4243.cafebabe.tmp', 'notes.tmp', 'other.jpg']);
  });
});

describe('writeNewFileAtomically', () => {
  let dir: string;
  afterEach(() => rm(dir, { recursive: true, force: true }));

  test('of concurrent writers of a missing file exactly one wins; the file is its bytes and the others change nothing', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'agi-baseline-'));
    const file = path.join(dir, 'snapshots', 'home.jpg');
    const won = await Promise.all(Array.from({ length: 12 }, (_, i) => writeNewFileAtomically(file, Buffer.alloc(1000, i))));
    expect(won.filter(Boolean)).toHaveLength(1);
    expect(await readFile(file)).toEqual(Buffer.alloc(1000, won.indexOf(true)));
    expect(await writeNewFileAtomically(file, Buffer.from('late'))).toBe(false);
    expect(await readFile(file)).toEqual(Buffer.alloc(1000, won.indexOf(true)));
    expect(await readdir(path.dirname(file))).toEqual(['home.jpg']);
  });

  test('a failed write is an error naming the file meant, not a lost race', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'agi-baseline-'));
    await writeFile(path.join(dir, 'snapshots'), 'a file where the folder should be');
    const error = await writeNewFileAtomically(path.join(dir, 'snapshots', 'home.jpg'), Buffer.from('x'), 'the baseline snapshots/home.jpg').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileSystemError);
    expect((error as Error).message).toMatch(/^could not write the baseline snapshots\/home\.jpg: EEXIST: file already exists, mkdir '.*snapshots' \(EEXIST\)\. Check the file and its folder\.$/);
  });
});

describe('readBaseline', () => {
  let dir: string;
  afterEach(() => rm(dir, { recursive: true, force: true }));
  const common = { snapshotDir: 'snapshots', outputDir: 'out', mimeType: 'image/jpeg' as const };

  test("reads the 0.1 file when the name's own file is missing, unless another name already read that file", async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'agi-baseline-'));
    const paths = (name: string) => resolveScreenshotPaths({ ...common, root: dir, testPath: path.join(dir, 'a.test.ts'), name });
    await mkdir(path.join(dir, 'snapshots', 'a.test.ts'), { recursive: true });
    await writeFile(path.join(dir, 'snapshots', 'a.test.ts', 'checkout-done.jpg'), 'old');
    // The new rule's owner of checkout-done.jpg reads it first: "checkout done" must not take it as its own.
    expect(await readBaseline(paths('checkout-done'), 'checkout-done')).toMatchObject({ legacy: false });
    expect(await readBaseline(paths('checkout done'), 'checkout done')).toBeUndefined();

    await writeFile(path.join(dir, 'snapshots', 'a.test.ts', 'form-field.jpg'), 'old');
    expect(await readBaseline(paths('form field'), 'form field')).toMatchObject({ legacy: true, path: expect.stringMatching(/form-field\.jpg$/) });
    expect(await readBaseline(paths('form field'), 'form field')).toMatchObject({ legacy: true }); // the same name again (a retry)
    expect(await readBaseline(paths('form:field'), 'form:field')).toBeUndefined();
  });

  test('a folder in place of the baseline is an error naming the baseline', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'agi-baseline-'));
    const paths = resolveScreenshotPaths({ ...common, root: dir, testPath: path.join(dir, 'a.test.ts'), name: 'home' });
    await mkdir(paths.baseline, { recursive: true });
    await expect(readBaseline(paths, 'home', (f) => path.relative(dir, f))).rejects.toThrowError(
      new FileSystemError('could not read the baseline snapshots/a.test.ts/home.jpg: a folder has its name (EISDIR). Remove or rename the folder.', paths.baseline),
    );
  });
});
