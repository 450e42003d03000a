import { describe, expect, test } from 'vitest';
import { RegionError } from '../../src/errors.js';
import { compareImages } from '../../src/image/compare.js';
import { decodeImage } from '../../src/image/image.js';
import { shot } from '../helpers/fixtures.js';

const docs = decodeImage(shot('docs.jpg'), 'image/jpeg');
const edited = decodeImage(shot('docs-edited.jpg'), 'image/jpeg');
const small = decodeImage(shot('docs-640x360.jpg'), 'image/jpeg');
const base = { threshold: 0.1, mask: [], clip: undefined, withDiff: false };

// Where the edited word is: found once from the diff image, pinned here so mask/clip tests mean something.
function boundsOfDifference() {
  const result = compareImages(docs, edited, { ...base, withDiff: true });
  if (!result.sameSize) throw new Error('sizes differ');
  let [x0, y0, x1, y1] = [Infinity, Infinity, -1, -1];
  for (let i = 0; i < docs.width * docs.height; i++) {
    const [r, g, b] = [result.diff!.data[i * 4], result.diff!.data[i * 4 + 1], result.diff!.data[i * 4 + 2]];
    if (r === 255 && g === 0 && b === 0) {
      const x = i % docs.width;
      const y = Math.floor(i / docs.width);
      [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
    }
  }
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1, count: result.diffPixels };
}

describe('compareImages', () => {
  test('counts no differing pixels between identical frames', () => {
    expect(compareImages(docs, docs, base)).toEqual({ sameSize: true, diffPixels: 0, comparedPixels: 1280 * 720, diff: undefined });
  });

  test('counts the pixels of a one-word edit, and draws a diff only when asked', () => {
    const result = compareImages(docs, edited, base);
    expect(result.sameSize && result.diffPixels).toBeGreaterThan(500);
    expect(result.diff).toBeUndefined();
    const withDiff = compareImages(docs, edited, { ...base, withDiff: true });
    expect(withDiff.sameSize && withDiff.diffPixels).toBe(result.sameSize && result.diffPixels);
    expect(withDiff.diff?.data.length).toBe(1280 * 720 * 4);
  });

  test('ignores a masked region and counts it out of the compared pixels', () => {
    const edit = boundsOfDifference();
    const mask = [{ x: edit.x, y: edit.y, width: edit.width, height: edit.height }];
    expect(compareImages(docs, edited, { ...base, mask })).toEqual({
      sameSize: true, diffPixels: 0, comparedPixels: 1280 * 720 - edit.width * edit.height, diff: undefined,
    });
  });

  test('compares only the clip, so a change outside it passes and one inside counts fully', () => {
    const edit = boundsOfDifference();
    const away = { x: 0, y: 0, width: 100, height: 50 };
    expect(edit.y).toBeGreaterThan(50);
    expect(compareImages(docs, edited, { ...base, clip: away })).toMatchObject({ diffPixels: 0, comparedPixels: 5000 });
    // A margin keeps pixelmatch's anti-aliasing check, which looks at neighbours, away from the clip's edge.
    const around = { x: edit.x - 20, y: edit.y - 20, width: edit.width + 40, height: edit.height + 40 };
    expect(compareImages(docs, edited, { ...base, clip: around })).toMatchObject({ diffPixels: edit.count });
  });

  test('reports a size mismatch with a diff padded to the larger size', () => {
    const result = compareImages(docs, small, { ...base, withDiff: true });
    expect(result.sameSize).toBe(false);
    expect([result.diff?.width, result.diff?.height]).toEqual([1280, 720]);
  });

  test('refuses a region reaching outside the screenshot, naming it', () => {
    expect(() => compareImages(docs, edited, { ...base, mask: [{ x: 1200, y: 0, width: 100, height: 10 }] })).toThrowError(
      new RegionError('`mask[0]` {x: 1200, y: 0, width: 100, height: 10} reaches outside the 1280×720 screenshot.'),
    );
  });
});
