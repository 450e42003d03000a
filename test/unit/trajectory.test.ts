import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { UnreadableBaselineError, UsageError } from '../../src/errors.js';
import { normalizeTitle, normalizeUrl, readTrajectory, resolveTrajectoryPath, serializeTrajectory, toTrajectoryStep } from '../../src/baselines/trajectory.js';
import { resolveScreenshotPaths } from '../../src/baselines/baseline.js';

describe('normalizeUrl', () => {
  test.each([
    ['HTTP://Shop.Example:80/Cart#top', false, 'http://shop.example/Cart'],
    ['https://shop.example:443/a/%7euser?', false, 'https://shop.example/a/%7euser?'],
    ['https://shop.example/search?q=mug&session=9&utm_source=x', ['session', 'utm_source'], 'https://shop.example/search?q=mug'],
    ['https://shop.example/search?q=mug&session=9', true, 'https://shop.example/search'],
    ['https://shop.example/search?q=a+b', false, 'https://shop.example/search?q=a+b'],
    ['about:blank', true, 'about:blank'],
    ['not a url', true, 'not a url'],
  ] as const)('%s with ignoreQuery %j → %s', (url, ignoreQuery, expected) => {
    expect(normalizeUrl(url, ignoreQuery as boolean | string[])).toBe(expected);
  });

  test('is idempotent', () => {
    const once = normalizeUrl('HTTPS://A.example:443/x?b=1&a=2#f', ['b']);
    expect(normalizeUrl(once, ['b'])).toBe(once);
  });
});

test('normalizeTitle collapses whitespace and trims', () => {
  expect(normalizeTitle('  Checkout \n\t— Shop ')).toBe('Checkout — Shop');
});

test('toTrajectoryStep escapes what came from the network', () => {
  expect(toTrajectoryStep({ url: 'https://a.example/', title: 'Evil\u001b[31m title' }, false)).toEqual({ url: 'https://a.example/', title: 'Evil\\u001b[31m title' });
});

test('serializeTrajectory writes one step per line, as JSON that reads back', () => {
  const steps = [{ url: 'http://shop.test/', title: 'Tiny Shop' }, { url: 'http://shop.test/thank-you', title: 'Say "thanks"' }];
  const text = serializeTrajectory(steps);
  expect(text).toMatchInlineSnapshot(`
    "{
      "steps": [
        {"url":"http://shop.test/","title":"Tiny Shop"},
        {"url":"http://shop.test/thank-you","title":"Say \\"thanks\\""}
      ]
    }
    "
  `);
  expect(JSON.parse(text)).toEqual({ steps });
});

describe('resolveTrajectoryPath', () => {
  const input = { root: '/p', testPath: '/p/test/shop.test.ts', snapshotDir: 'snapshots' };
  test('names the file like a screenshot baseline, beside it, with .trajectory.json', () => {
    expect(resolveTrajectoryPath({ ...input, name: 'checkout' })).toBe('/p/snapshots/test/shop.test.ts/checkout.trajectory.json');
    const screenshot = resolveScreenshotPaths({ ...input, outputDir: '.vitest-agi', name: 'Checkout Done 1', mimeType: 'image/jpeg' }).baseline;
    expect(resolveTrajectoryPath({ ...input, name: 'Checkout Done 1' })).toBe(screenshot.replace(/\.jpg$/, '.trajectory.json'));
  });

  test('two names never share a file, even when they differ only in case', () => {
    const files = ['Checkout', 'checkout', 'check out', 'check-out', 'check/out'].map((name) => resolveTrajectoryPath({ ...input, name }).toLowerCase());
    expect(new Set(files).size).toBe(files.length);
  });

  test('refuses an empty name', () => {
    expect(() => resolveTrajectoryPath({ ...input, name: '' })).toThrowError(new UsageError('toMatchTrajectory: the name must not be empty.'));
  });
});

describe('readTrajectory', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'agi-trajectory-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  test('reads the steps back, and is undefined for a missing file', async () => {
    const file = path.join(dir, 'a.trajectory.json');
    await writeFile(file, serializeTrajectory([{ url: 'http://x/', title: 'X' }]));
    expect((await readTrajectory(file, 'a.trajectory.json'))?.steps).toEqual([{ url: 'http://x/', title: 'X' }]);
    expect(await readTrajectory(path.join(dir, 'none.trajectory.json'), 'none')).toBeUndefined();
  });

  test.each([
    ['{ "steps": [', /^trajectory snapshots\/t\/a\.trajectory\.json is not JSON \(.*\); run `vitest -u` to replace it \(or delete it\)\.$/],
    ['{ "steps": [{ "url": 1 }] }', /^trajectory snapshots\/t\/a\.trajectory\.json is not a trajectory \(it needs "steps": \[\{ "url", "title" \}, …\]\); run `vitest -u`/],
  ])('an unreadable file is an UnreadableBaselineError that says what to do: %s', async (text, message) => {
    const file = path.join(dir, 'a.trajectory.json');
    await writeFile(file, text);
    const error = await readTrajectory(file, 'snapshots/t/a.trajectory.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreadableBaselineError);
    expect((error as Error).message).toMatch(message);
  });
});
