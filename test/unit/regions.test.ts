import { describe, expect, test } from 'vitest';
import { compareImages } from '../../src/image/compare.js';
import { decodeImage, type DecodedImage } from '../../src/image/image.js';
import { drawRegionOutlines, findChangedRegions, OUTLINE_COLOR } from '../../src/image/regions.js';
import { shot } from '../helpers/fixtures.js';

/** A grey diff image (as pixelmatch draws unchanged pixels) with red squares where `spots` say. */
function diffWith(width: number, height: number, spots: Array<{ x: number; y: number; width: number; height: number }>): DecodedImage {
  const data = new Uint8Array(width * height * 4).fill(230);
  for (const spot of spots) {
    for (let y = spot.y; y < spot.y + spot.height; y++) {
      for (let x = spot.x; x < spot.x + spot.width; x++) data.set([255, 0, 0, 255], (y * width + x) * 4);
    }
  }
  return { width, height, data };
}

describe('findChangedRegions', () => {
  test('finds one tight box around one change', () => {
    expect(findChangedRegions(diffWith(400, 300, [{ x: 120, y: 40, width: 30, height: 10 }]))).toEqual([
      { x: 120, y: 40, width: 30, height: 10, diffPixels: 300 },
    ]);
  });

  test('merges changes a few pixels apart (the letters of one word) into one region', () => {
    const letters = [0, 1, 2, 3].map((i) => ({ x: 50 + i * 9, y: 60, width: 6, height: 12 }));
    expect(findChangedRegions(diffWith(400, 300, letters))).toEqual([{ x: 50, y: 60, width: 33, height: 12, diffPixels: 4 * 72 }]);
  });

  test('keeps changes far apart as separate regions, the most pixels first', () => {
    const regions = findChangedRegions(diffWith(800, 600, [{ x: 10, y: 10, width: 5, height: 5 }, { x: 600, y: 400, width: 20, height: 20 }]));
    expect(regions).toEqual([
      { x: 600, y: 400, width: 20, height: 20, diffPixels: 400 },
      { x: 10, y: 10, width: 5, height: 5, diffPixels: 25 },
    ]);
  });

  test('ignores isolated specks of one or two pixels', () => {
    const specks = [{ x: 5, y: 5, width: 1, height: 1 }, { x: 300, y: 200, width: 2, height: 1 }];
    expect(findChangedRegions(diffWith(400, 300, [...specks, { x: 100, y: 100, width: 4, height: 4 }]))).toEqual([
      { x: 100, y: 100, width: 4, height: 4, diffPixels: 16 },
    ]);
  });

  test('merges the nearest regions until at most 5 remain', () => {
    // A 4×3 grid of changes 150 px apart: twelve clusters, merged down to five or fewer, every pixel kept.
    const spots = Array.from({ length: 12 }, (_, i) => ({ x: 20 + (i % 4) * 150, y: 20 + Math.floor(i / 4) * 150, width: 10, height: 10 }));
    const regions = findChangedRegions(diffWith(640, 480, spots));
    expect(regions.length).toBeLessThanOrEqual(5);
    expect(regions.reduce((sum, r) => sum + r.diffPixels, 0)).toBe(1200);
    for (const spot of spots) {
      expect(regions.some((r) => spot.x >= r.x && spot.y >= r.y && spot.x + spot.width <= r.x + r.width && spot.y + spot.height <= r.y + r.height)).toBe(true);
    }
  });

  test('places regions in screenshot pixels when the diff covers only a clip', () => {
    expect(findChangedRegions(diffWith(100, 100, [{ x: 10, y: 20, width: 3, height: 3 }]), { x: 500, y: 300 })).toEqual([
      { x: 510, y: 320, width: 3, height: 3, diffPixels: 9 },
    ]);
  });

  test('does not count anti-aliased (yellow) or unchanged (grey) pixels', () => {
    const image = diffWith(50, 50, []);
    for (let i = 0; i < 40; i++) image.data.set([255, 255, 0, 255], i * 4);
    expect(findChangedRegions(image)).toEqual([]);
  });

  test('finds the one edited word of two real Chromium JPEGs, and every differing pixel is inside its box', () => {
    const docs = decodeImage(shot('docs.jpg'), 'image/jpeg');
    const edited = decodeImage(shot('docs-edited.jpg'), 'image/jpeg');
    const result = compareImages(docs, edited, { threshold: 0.1, mask: [], clip: undefined, withDiff: true });
    if (!result.sameSize) throw new Error('sizes differ');
    const regions = findChangedRegions(result.diff!);
    expect(regions).toHaveLength(1);
    expect(regions[0]!.diffPixels).toBe(result.diffPixels);
    // "30 minutes" → "30 seconds": one line of body text changes from that word on (the rest of the line shifts).
    expect(regions[0]).toEqual({ x: expect.any(Number), y: expect.any(Number), width: expect.any(Number), height: expect.any(Number), diffPixels: result.diffPixels });
    expect(regions[0]!.height).toBeLessThan(30);
  });
});

describe('drawRegionOutlines', () => {
  test('draws a 2 px outline just outside each box, clamped to the image, leaving the inside as it was', () => {
    const image = diffWith(100, 80, [{ x: 40, y: 30, width: 10, height: 10 }]);
    drawRegionOutlines(image, [{ x: 40, y: 30, width: 10, height: 10, diffPixels: 100 }, { x: 0, y: 0, width: 5, height: 5, diffPixels: 25 }]);
    const at = (x: number, y: number) => [...image.data.subarray((y * 100 + x) * 4, (y * 100 + x) * 4 + 4)];
    expect(at(38, 28)).toEqual([...OUTLINE_COLOR, 255]);
    expect(at(51, 41)).toEqual([...OUTLINE_COLOR, 255]);
    expect(at(45, 28)).toEqual([...OUTLINE_COLOR, 255]);
    expect(at(45, 35)).toEqual([255, 0, 0, 255]);
    expect(at(37, 35)).toEqual([230, 230, 230, 230]);
    expect(at(0, 6)).toEqual([...OUTLINE_COLOR, 255]);
    expect(at(2, 2)).toEqual([230, 230, 230, 230]);
  });
});
