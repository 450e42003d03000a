import type { DecodedImage } from './image.js';

/** A box around nearby differing pixels, in screenshot pixels, and how many differing pixels it holds. */
export interface ChangedRegion {
  x: number;
  y: number;
  width: number;
  height: number;
  diffPixels: number;
}

/** A failure names at most this many regions: more would be a list nobody reads; nearby ones are merged instead. */
export const MAX_REGIONS = 5;
/** Changes this close (px) are one region: the letters and words of one line, the lines of one paragraph. */
const MERGE_GAP = 16;
/** A cluster with fewer differing pixels than this, alone, is noise (a speck of JPEG ringing), not a change. */
const MIN_REGION_PIXELS = 3;
/** The count grid's cell side (px): clustering runs on cells, so its cost depends on the frame size / 64, not the change. */
const CELL = 8;
/** Above this many clusters, the merge distance doubles per pass (cheap) before the closest pairs are merged one by one. */
const GREEDY_LIMIT = 48;
/** Outlines are blue: pixelmatch draws changes red, anti-aliasing yellow and the rest grey. */
export const OUTLINE_COLOR = [0, 102, 255] as const;
const OUTLINE_WIDTH = 2;

/** pixelmatch's colour for a differing pixel (its default `diffColor`, opaque), as one 32-bit word in this machine's byte order. */
const DIFF_RED = new Uint32Array(new Uint8Array([255, 0, 0, 255]).buffer)[0]!;

interface Box {
  x0: number;
  y0: number;
  x1: number; // inclusive
  y1: number;
  pixels: number;
}

/**
 * Groups the differing pixels of a pixelmatch diff image (red) into at most MAX_REGIONS boxes, largest first:
 * one pass over the pixels fills a count grid of 8×8 cells with each cell's tight bounds; neighbouring cells form
 * clusters, clusters closer than 16 px merge, lone specks under 3 px are dropped, and the nearest ones are merged
 * until at most 5 remain. `origin` is where the diff image sits in the screenshot (the clip's corner).
 */
export function findChangedRegions(diff: DecodedImage, origin: { x: number; y: number } = { x: 0, y: 0 }): ChangedRegion[] {
  const { width, height } = diff;
  const gridWidth = Math.ceil(width / CELL);
  const cells = gridWidth * Math.ceil(height / CELL);
  const count = new Int32Array(cells);
  const bounds = new Int32Array(cells * 4); // x0, y0, x1, y1 per cell
  const words = diff.data.byteOffset % 4 === 0 ? new Uint32Array(diff.data.buffer, diff.data.byteOffset, width * height) : new Uint32Array(diff.data.slice().buffer);
  for (let y = 0, i = 0; y < height; y++) {
    const rowCell = (y >> 3) * gridWidth;
    for (let x = 0; x < width; x++, i++) {
      if (words[i] !== DIFF_RED) continue;
      const c = rowCell + (x >> 3);
      const b = c * 4;
      if (count[c]++ === 0) {
        bounds[b] = bounds[b + 2] = x;
        bounds[b + 1] = bounds[b + 3] = y;
      } else {
        if (x < bounds[b]!) bounds[b] = x;
        if (x > bounds[b + 2]!) bounds[b + 2] = x;
        bounds[b + 3] = y; // rows come in order
      }
    }
  }
  let boxes = clusterCells(count, bounds, gridWidth);
  boxes = mergeWithin(boxes, MERGE_GAP).filter((box) => box.pixels >= MIN_REGION_PIXELS);
  for (let gap = MERGE_GAP * 2; boxes.length > GREEDY_LIMIT; gap *= 2) boxes = mergeWithin(boxes, gap);
  while (boxes.length > MAX_REGIONS) mergeClosestPair(boxes);
  return boxes
    .sort((a, b) => b.pixels - a.pixels || a.y0 - b.y0 || a.x0 - b.x0)
    .map((box) => ({ x: box.x0 + origin.x, y: box.y0 + origin.y, width: box.x1 - box.x0 + 1, height: box.y1 - box.y0 + 1, diffPixels: box.pixels }));
}

/**
 * Draws a 2 px outline just outside each region (given in screenshot pixels, placed by `origin` as above), clipped
 * to the image. The inside stays as pixelmatch drew it, so the red pixels are still visible.
 */
export function drawRegionOutlines(image: DecodedImage, regions: readonly ChangedRegion[], origin: { x: number; y: number } = { x: 0, y: 0 }): void {
  const paint = (x: number, y: number) => {
    if (x < 0 || y < 0 || x >= image.width || y >= image.height) return;
    image.data.set([...OUTLINE_COLOR, 255], (y * image.width + x) * 4);
  };
  for (const region of regions) {
    const left = region.x - origin.x - OUTLINE_WIDTH;
    const top = region.y - origin.y - OUTLINE_WIDTH;
    const right = region.x - origin.x + region.width + OUTLINE_WIDTH - 1;
    const bottom = region.y - origin.y + region.height + OUTLINE_WIDTH - 1;
    for (let band = 0; band < OUTLINE_WIDTH; band++) {
      for (let x = left; x <= right; x++) {
        paint(x, top + band);
        paint(x, bottom - band);
      }
      for (let y = top; y <= bottom; y++) {
        paint(left + band, y);
        paint(right - band, y);
      }
    }
  }
}

/** Connected groups of non-empty cells, two cells apart at most (≈ MERGE_GAP), as boxes of their pixels' bounds. */
function clusterCells(count: Int32Array, bounds: Int32Array, gridWidth: number): Box[] {
  const gridHeight = count.length / gridWidth;
  const reach = Math.ceil(MERGE_GAP / CELL);
  const seen = new Uint8Array(count.length);
  const boxes: Box[] = [];
  const stack: number[] = [];
  for (let start = 0; start < count.length; start++) {
    if (count[start] === 0 || seen[start]) continue;
    const box: Box = { x0: Infinity, y0: Infinity, x1: -1, y1: -1, pixels: 0 };
    seen[start] = 1;
    stack.push(start);
    while (stack.length > 0) {
      const c = stack.pop()!;
      const b = c * 4;
      box.x0 = Math.min(box.x0, bounds[b]!);
      box.y0 = Math.min(box.y0, bounds[b + 1]!);
      box.x1 = Math.max(box.x1, bounds[b + 2]!);
      box.y1 = Math.max(box.y1, bounds[b + 3]!);
      box.pixels += count[c]!;
      const cx = c % gridWidth;
      const cy = (c - cx) / gridWidth;
      for (let ny = Math.max(0, cy - reach); ny <= Math.min(gridHeight - 1, cy + reach); ny++) {
        for (let nx = Math.max(0, cx - reach); nx <= Math.min(gridWidth - 1, cx + reach); nx++) {
          const n = ny * gridWidth + nx;
          if (count[n] !== 0 && !seen[n]) {
            seen[n] = 1;
            stack.push(n);
          }
        }
      }
    }
    boxes.push(box);
  }
  return boxes;
}

/** Pixels between two boxes along the farther axis (0 when they touch or overlap). */
function gapBetween(a: Box, b: Box): number {
  return Math.max(0, b.x0 - a.x1 - 1, a.x0 - b.x1 - 1, b.y0 - a.y1 - 1, a.y0 - b.y1 - 1);
}

function union(a: Box, b: Box): Box {
  return { x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1), pixels: a.pixels + b.pixels };
}

/** Merges boxes closer than `gap` until no two are (a merged box may reach a third). */
function mergeWithin(boxes: Box[], gap: number): Box[] {
  const result = [...boxes];
  for (let merged = true; merged; ) {
    merged = false;
    for (let i = 0; i < result.length; i++) {
      for (let j = i + 1; j < result.length; j++) {
        if (gapBetween(result[i]!, result[j]!) > gap) continue;
        result[i] = union(result[i]!, result[j]!);
        result.splice(j, 1);
        merged = true;
        j = i; // re-check the grown box against all others
      }
    }
  }
  return result;
}

/** Merges, in place, the two boxes whose union adds the least area beyond their own. */
function mergeClosestPair(boxes: Box[]): void {
  const area = (box: Box) => (box.x1 - box.x0 + 1) * (box.y1 - box.y0 + 1);
  let best = { i: 0, j: 1, cost: Infinity };
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const cost = area(union(boxes[i]!, boxes[j]!)) - area(boxes[i]!) - area(boxes[j]!);
      if (cost < best.cost) best = { i, j, cost };
    }
  }
  boxes[best.i] = union(boxes[best.i]!, boxes[best.j]!);
  boxes.splice(best.j, 1);
}

/** Finds the changed regions of a diff image and outlines them on it: what a failure reports and what its diff shows. */
export function outlineChangedRegions(diff: DecodedImage, origin: { x: number; y: number } = { x: 0, y: 0 }): ChangedRegion[] {
  const regions = findChangedRegions(diff, origin);
  drawRegionOutlines(diff, regions, origin);
  return regions;
}
