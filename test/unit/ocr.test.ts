import { describe, expect, test } from 'vitest';
import { RegionError, UsageError } from '../../src/errors.js';
import { Screenshot } from '../../src/image/screenshot.js';
import { ReadingCache, readingKey } from '../../src/ocr/cache.js';
import { encodePgm, flattenBackground, invert, medianBackground, toGray, upscale } from '../../src/ocr/preprocess.js';
import { normalizeText } from '../../src/ocr/reading.js';
import { recognizeText } from '../../src/ocr/recognize.js';
import { shot } from '../helpers/fixtures.js';

// The engine itself (real tesseract on real Chromium JPEGs) is tested in test/e2e/ocr-engine.test.ts.

describe('normalizeText', () => {
  test('normalizeText turns every run of whitespace, line breaks included, into one space and trims the ends', () => {
    expect(normalizeText('  Order #A-20931\n is\tconfirmed.\r\n\n Total:\u00a0$173.50  ')).toBe('Order #A-20931 is confirmed. Total: $173.50');
  });

  test('normalizeText keeps an empty or blank text empty', () => {
    expect([normalizeText(''), normalizeText(' \n\t ')]).toEqual(['', '']);
  });
});

describe('readingKey', () => {
  test('readingKey is the SHA-256 of the bytes, plus the region when one is read', () => {
    const bytes = shot('thanks.jpg');
    expect(readingKey(Buffer.from(bytes), undefined)).toBe(readingKey(bytes, undefined));
    expect(readingKey(bytes, undefined)).toMatch(/^[0-9a-f]{64}$/);
    expect(readingKey(bytes, { x: 1, y: 2, width: 3, height: 4 })).toBe(`${readingKey(bytes, undefined)} 1,2,3,4`);
    expect(readingKey(shot('docs.jpg'), undefined)).not.toBe(readingKey(bytes, undefined));
  });
});

describe('ReadingCache', () => {
  test('ReadingCache reads a key once, also when two reads of it overlap', async () => {
    const cache = new ReadingCache<string>();
    const reads: string[] = [];
    const read = (key: string) => async () => {
      reads.push(key);
      return `text of ${key}`;
    };
    const [a, b] = await Promise.all([cache.get('a', read('a')), cache.get('a', read('a'))]);
    expect([a, b, await cache.get('a', read('a')), await cache.get('b', read('b'))]).toEqual(['text of a', 'text of a', 'text of a', 'text of b']);
    expect(reads).toEqual(['a', 'b']);
  });

  test('ReadingCache forgets a read that failed, so the next one tries again', async () => {
    const cache = new ReadingCache<string>();
    let calls = 0;
    const flaky = async () => {
      calls += 1;
      if (calls === 1) throw new Error('worker died');
      return 'read';
    };
    await expect(cache.get('a', flaky)).rejects.toThrow('worker died');
    expect(await cache.get('a', flaky)).toBe('read');
    expect([calls, cache.size]).toEqual([2, 1]);
  });

  test('ReadingCache drops the least recently used key when full', async () => {
    const cache = new ReadingCache<string>(2);
    const reads: string[] = [];
    const read = (key: string) => async () => (reads.push(key), key);
    await cache.get('a', read('a'));
    await cache.get('b', read('b'));
    await cache.get('a', read('a')); // a is now the most recent
    await cache.get('c', read('c')); // b goes
    await cache.get('a', read('a'));
    await cache.get('b', read('b'));
    expect(reads).toEqual(['a', 'b', 'c', 'b']);
    expect(cache.size).toBe(2);
  });
});

describe('preprocessing', () => {
  const rgba = { width: 3, height: 2, data: new Uint8Array([255, 255, 255, 255, 0, 0, 0, 255, 255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 128, 128, 128, 255]) };

  test('toGray cuts the region and weighs red, green and blue as BT.601 luma', () => {
    expect(toGray(rgba, { x: 0, y: 0, width: 3, height: 2 })).toEqual({ width: 3, height: 2, data: new Uint8Array([255, 0, 76, 150, 29, 128]) });
    expect(toGray(rgba, { x: 1, y: 1, width: 2, height: 1 })).toEqual({ width: 2, height: 1, data: new Uint8Array([29, 128]) });
  });

  test('upscale multiplies the size and interpolates between pixel centres', () => {
    const up = upscale({ width: 2, height: 1, data: new Uint8Array([0, 200]) }, 2);
    expect(up).toEqual({ width: 4, height: 2, data: new Uint8Array([0, 50, 150, 200, 0, 50, 150, 200]) });
  });

  test('invert turns light on dark into dark on light', () => {
    expect(invert({ width: 2, height: 1, data: new Uint8Array([0, 200]) }).data).toEqual(new Uint8Array([255, 55]));
  });

  // A 9×9 "button" of grey 90 on a white page, with a one-pixel white stroke of "text" across its middle row.
  const button = () => {
    const data = new Uint8Array(15 * 15).fill(250);
    for (let y = 3; y < 12; y++) for (let x = 3; x < 12; x++) data[y * 15 + x] = y === 7 && x >= 5 && x <= 9 ? 255 : 90;
    return { width: 15, height: 15, data };
  };

  test('medianBackground keeps a box and its edges, and leaves out a stroke thinner than the radius', () => {
    const background = medianBackground(button(), 2).data;
    expect([background[7 * 15 + 7], background[4 * 15 + 4], background[0], background[7 * 15 + 1]]).toEqual([90, 90, 250, 250]);
  });

  test('flattenBackground turns light text on a dark box into dark text on white, and the box into white', () => {
    const flat = flattenBackground(button(), 2, 2).data;
    expect(flat[7 * 15 + 7]).toBe(0); // the stroke: 165 levels above its background, doubled, is full ink
    expect([flat[5 * 15 + 7], flat[0], flat[7 * 15 + 1]]).toEqual([255, 255, 255]); // the box and the page
  });

  test('encodePgm writes a binary PGM header before the pixels', () => {
    const file = encodePgm({ width: 2, height: 1, data: new Uint8Array([7, 9]) });
    expect(Buffer.from(file.subarray(0, 11)).toString('latin1')).toBe('P5\n2 1\n255\n');
    expect([...file.subarray(11)]).toEqual([7, 9]);
  });
});

describe('recognizeText regions', () => {
  const screenshot = new Screenshot({ bytes: shot('thanks.jpg'), url: 'https://shop.example/thanks', title: 'Thanks' });

  test('recognizeText refuses a region outside the screenshot with the region wording, before reading anything', async () => {
    const error = await recognizeText(screenshot, { region: { x: 1200, y: 0, width: 100, height: 10 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegionError);
    expect((error as Error).message).toMatchInlineSnapshot(`"screenshot.text(): \`region\` {x: 1200, y: 0, width: 100, height: 10} reaches outside the 1280×720 screenshot (it ends at x 1300, y 10)."`);
    expect(screenshot.isDecoded).toBe(false);
  });

  test('screenshot.text() refuses a region that is not whole pixels', async () => {
    const error = await screenshot.text({ region: { x: 0, y: 0, width: 0.5, height: 10 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatchInlineSnapshot(`"screenshot.text(): \`region\` must be {x, y, width, height} in whole pixels (x, y ≥ 0; width, height > 0), but received an object with keys {x, y, width, height}."`);
  });
});
