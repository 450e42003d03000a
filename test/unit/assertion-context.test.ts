import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { Screenshot } from '../../src/image/screenshot.js';
import { toBeOnPage } from '../../src/matchers/to-be-on-page.js';
import { toMatchScreenshot } from '../../src/matchers/to-match-screenshot.js';
import { configure, resetConfiguration } from '../../src/options/options.js';
import { readAssertionContext } from '../../src/vitest/matcher-context.js';
import { fakeAssertionContext } from '../helpers/assertion-context.js';
import { shot } from '../helpers/fixtures.js';

// The matchers take everything Vitest-specific from one AssertionContext: these tests call them with a fake one,
// so the update mode, the test's name and the records are the test's own, with no Vitest run in between.
let dir: string;
const page = { url: 'http://shop.test/docs', title: 'Docs — Shop' };
const docs = () => new Screenshot({ bytes: shot('docs.jpg'), ...page });
const edited = () => new Screenshot({ bytes: shot('docs-edited.jpg'), ...page });
const baseline = (name: string) => path.join(dir, 'snapshots', 'fake.test.ts', `${name}.jpg`);

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'agi-context-'));
  configure({ snapshotDir: path.join(dir, 'snapshots'), outputDir: path.join(dir, 'out') });
});
afterEach(async () => {
  resetConfiguration();
  await rm(dir, { recursive: true, force: true });
});

describe('matchers with a fake AssertionContext', () => {
  test('toMatchScreenshot under update mode "none" fails on a missing baseline, writes no baseline, and records it', async () => {
    const context = fakeAssertionContext({ root: dir, updateMode: 'none', testName: 'checkout > done' });
    const result = await toMatchScreenshot.call(context, docs());
    expect(result.pass).toBe(false);
    expect(result.message()).toContain('No baseline at snapshots/fake.test.ts/checkout-done-1--');
    expect(existsSync(path.join(dir, 'snapshots'))).toBe(false);
    expect(context.records.map((r) => [r.matcher, r.outcome, r.pass, r.name])).toEqual([['toMatchScreenshot', 'baseline-missing', false, 'checkout > done 1']]);
  });

  test('toMatchScreenshot under update mode "all" rewrites a failing baseline and attaches the three review images', async () => {
    await mkdir(path.dirname(baseline('docs')), { recursive: true });
    await writeFile(baseline('docs'), shot('docs.jpg'));
    const context = fakeAssertionContext({ root: dir, updateMode: 'all' });
    const result = await toMatchScreenshot.call(context, edited(), 'docs');
    expect(result.pass).toBe(true);
    expect((await readFile(baseline('docs'))).equals(shot('docs-edited.jpg'))).toBe(true);
    expect(context.records[0]).toMatchObject({ outcome: 'baseline-updated', pass: true });
    expect(context.attached[0]!.images.map((image) => image.name)).toEqual(['reference', 'actual', 'diff']);
  });

  test('a .not page matcher reads the negation from the context', async () => {
    const context = fakeAssertionContext({ root: dir, isNot: true });
    const result = await toBeOnPage.call(context, docs(), 'docs');
    expect(result.pass).toBe(true); // the page matches, so `.not` fails: Vitest inverts `pass`
    expect(result.message()).toMatchInlineSnapshot(`
      "expect(screenshot).not.toBeOnPage("docs")

        Expected:       URL or title not to contain "docs" (ignoring case)
        Received URL:   "http://shop.test/docs"
        Received title: "Docs — Shop""
    `);
    expect(context.records[0]).toMatchObject({ matcher: 'toBeOnPage', not: true, outcome: 'matched', pass: false });
  });
});

describe('readAssertionContext', () => {
  const utils = fakeAssertionContext({ root: '/' }).utils;

  test('reads the update mode, test path and name from Vitest\'s matcher this', () => {
    const context = readAssertionContext({ utils, testPath: '/p/a.test.ts', currentTestName: 'suite > case', snapshotState: { snapshotUpdateState: 'all' } });
    expect(context.isNot).toBe(false);
    expect(context.test('toMatchScreenshot')).toMatchObject({ testPath: '/p/a.test.ts', testName: 'suite > case', updateMode: 'all' });
  });

  test('is a UsageError outside a test file', () => {
    const context = readAssertionContext({ utils });
    expect(() => context.test('toMatchScreenshot')).toThrow(UsageError);
    expect(() => context.test('toMatchScreenshot')).toThrow('toMatchScreenshot must run inside a Vitest test (no test file is known).');
  });

  test('counts default names per test and starts again at 1 on a retry', () => {
    const task = { result: { retryCount: 0, repeatCount: 0 } };
    const first = readAssertionContext({ utils, testPath: '/p/a.test.ts', task });
    expect([first.nextDefaultName('t'), first.nextDefaultName('t')]).toEqual(['t 1', 't 2']);
    task.result.retryCount = 1;
    expect(readAssertionContext({ utils, testPath: '/p/a.test.ts', task }).nextDefaultName('t')).toBe('t 1');
  });
});
