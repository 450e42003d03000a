import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { configure, resetConfiguration, resolveOptions, SCREENSHOT_OPTION_NAMES } from '../../src/options/options.js';
import { describeProvenance, hashImage, readProvenance, writeProvenance } from '../../src/baselines/provenance.js';
import { shot } from '../helpers/fixtures.js';

// The sidecar's rules on real files in a temp dir; the sidecar written by a real Vitest run is in results.test.ts.
let dir: string;
const capture = { bytes: shot('docs.jpg'), url: 'https://shop.example/docs', title: 'Docs — Shop', width: 1280, height: 720 };

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'agi-provenance-'));
});
afterEach(async () => {
  resetConfiguration();
  await rm(dir, { recursive: true, force: true });
});

describe('provenance sidecar', () => {
  test('is left as it is when a baseline is written again with the same bytes, so git sees no change', async () => {
    const baseline = path.join(dir, 'home.jpg');
    await writeProvenance(baseline, capture, { prompt: 'v7' }, new Date('2026-11-20T09:30:00Z'));
    const first = await readFile(`${baseline}.json`);
    await writeProvenance(baseline, capture, { prompt: 'v8' }, new Date('2026-11-21T09:30:00Z'));
    expect(await readFile(`${baseline}.json`)).toEqual(first);
    await writeProvenance(baseline, { ...capture, bytes: shot('docs-edited.jpg') }, { prompt: 'v8' }, new Date('2026-11-21T09:30:00Z'));
    expect(JSON.parse((await readFile(`${baseline}.json`)).toString())).toMatchObject({ capturedAt: '2026-11-21T09:30:00.000Z', meta: { prompt: 'v8' } });
  });

  test('keeps the page URL and title escaped and capped, so a 20 MB title never lands in a committed file', async () => {
    const baseline = path.join(dir, 'home.jpg');
    await writeProvenance(baseline, { ...capture, url: 'https://shop.example/\x1b[2Jdocs', title: 't'.repeat(20 * 1024 * 1024) }, {});
    const text = (await readFile(`${baseline}.json`)).toString();
    expect(text.length).toBeLessThan(3000);
    expect(JSON.parse(text)).toMatchObject({ url: 'https://shop.example/\\u001b[2Jdocs', title: `${'t'.repeat(2000)}… (20,969,520 more characters)` });
  });

  test('is ignored when it describes other bytes than the baseline beside it', async () => {
    const baseline = path.join(dir, 'home.jpg');
    await writeProvenance(baseline, capture, {}, new Date('2026-11-20T09:30:00Z'));
    expect(await readProvenance(baseline, shot('docs.jpg'))).toMatchObject({ sha256: hashImage(shot('docs.jpg')) });
    expect(await readProvenance(baseline, shot('docs-edited.jpg'))).toBeUndefined();
    await writeFile(`${baseline}.json`, '<<<<<<< HEAD\n');
    expect(await readProvenance(baseline, shot('docs.jpg'))).toBeUndefined();
  });

  test('reads in a failure message as page, day and meta', async () => {
    const baseline = path.join(dir, 'home.jpg');
    await writeProvenance(baseline, capture, { prompt: 'v7', retries: 2, headless: true }, new Date('2026-11-20T23:59:59Z'));
    const record = (await readProvenance(baseline, shot('docs.jpg')))!;
    expect(Object.keys(record.meta!)).toEqual(['headless', 'prompt', 'retries']);
    expect(describeProvenance(record)).toBe('captured from https://shop.example/docs on 2026-11-20, headless true, prompt v7, retries 2');
  });
});

describe('the meta option', () => {
  test('merges a call meta over configure() meta, key by key', () => {
    configure({ meta: { model: 'agi-0', prompt: 'v6' } });
    expect(resolveOptions({ meta: { prompt: 'v7' } }, SCREENSHOT_OPTION_NAMES, 'toMatchScreenshot').meta).toEqual({ model: 'agi-0', prompt: 'v7' });
  });

  test.each([
    [[], 'toMatchScreenshot: `meta` must be a plain object of strings, numbers or booleans, but received an array of 0.'],
    [new Date(0), 'toMatchScreenshot: `meta` must be a plain object of strings, numbers or booleans, but received a Date with no keys.'],
    [{ prompt: { id: 7 } }, 'toMatchScreenshot: `meta.prompt` must be a string, a finite number or a boolean, but received an object with keys {id}.'],
    [{ run: Number.NaN }, 'toMatchScreenshot: `meta.run` must be a string, a finite number or a boolean, but received number NaN.'],
  ])('refuses %o with an error naming the option', (meta, message) => {
    expect(() => resolveOptions({ meta }, SCREENSHOT_OPTION_NAMES, 'toMatchScreenshot')).toThrowError(new UsageError(message));
  });
});
