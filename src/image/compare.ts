import pixelmatch from 'pixelmatch';
import { RegionError } from '../errors.js';
import type { DecodedImage } from './image.js';
import type { Region } from '../options/options.js';

export interface CompareOptions {
  threshold: number;
  mask: Region[];
  clip: Region | undefined;
  /** Also draw a diff image (costs 2–3× the count alone). */
  withDiff: boolean;
}

export type CompareResult =
  | { sameSize: true; diffPixels: number; comparedPixels: number; diff: DecodedImage | undefined }
  | { sameSize: false; diff: DecodedImage | undefined };

/**
 * Counts the pixels that differ between baseline and actual, within `clip` and outside `mask`.
 * Images of different sizes are not compared; a diff padded to the larger size is drawn if asked (as Playwright does).
 */
export function compareImages(expected: DecodedImage, actual: DecodedImage, options: CompareOptions): CompareResult {
  if (expected.width !== actual.width || expected.height !== actual.height) {
    return { sameSize: false, diff: options.withDiff ? drawPaddedDiff(expected, actual, options.threshold) : undefined };
  }
  const area = options.clip ?? { x: 0, y: 0, width: actual.width, height: actual.height };
  checkInside(area, actual, 'clip');
  options.mask.forEach((region, i) => checkInside(region, actual, `mask[${i}]`));
  const a = crop(expected, area);
  const b = crop(actual, area);
  const ignoreMask = options.mask.length > 0 ? buildIgnoreMask(area, options.mask) : undefined;
  const diff = options.withDiff ? { width: area.width, height: area.height, data: new Uint8Array(area.width * area.height * 4) } : undefined;
  const diffPixels = pixelmatch(a.data, b.data, diff?.data, area.width, area.height, { threshold: options.threshold, ignoreMask });
  const masked = ignoreMask ? ignoreMask.reduce((sum, v) => sum + v, 0) : 0;
  return { sameSize: true, diffPixels, comparedPixels: area.width * area.height - masked, diff };
}

function checkInside(region: Region, image: DecodedImage, name: string): void {
  if (region.x + region.width > image.width || region.y + region.height > image.height) {
    throw new RegionError(
      `\`${name}\` {x: ${region.x}, y: ${region.y}, width: ${region.width}, height: ${region.height}} reaches outside the ${image.width}×${image.height} screenshot.`,
    );
  }
}

function crop(image: DecodedImage, area: Region): DecodedImage {
  if (area.x === 0 && area.y === 0 && area.width === image.width && area.height === image.height) return image;
  const data = new Uint8Array(area.width * area.height * 4);
  const rowBytes = area.width * 4;
  for (let row = 0; row < area.height; row++) {
    const start = ((area.y + row) * image.width + area.x) * 4;
    data.set(image.data.subarray(start, start + rowBytes), row * rowBytes);
  }
  return { width: area.width, height: area.height, data };
}

/** pixelmatch 8's ignoreMask: one byte per pixel of the compared area, 1 = skip. */
function buildIgnoreMask(area: Region, mask: Region[]): Uint8Array {
  const ignore = new Uint8Array(area.width * area.height);
  for (const region of mask) {
    const x0 = Math.max(region.x, area.x) - area.x;
    const y0 = Math.max(region.y, area.y) - area.y;
    const x1 = Math.min(region.x + region.width, area.x + area.width) - area.x;
    const y1 = Math.min(region.y + region.height, area.y + area.height) - area.y;
    for (let y = y0; y < y1; y++) ignore.fill(1, y * area.width + x0, y * area.width + x1);
  }
  return ignore;
}

function drawPaddedDiff(expected: DecodedImage, actual: DecodedImage, threshold: number): DecodedImage {
  const width = Math.max(expected.width, actual.width);
  const height = Math.max(expected.height, actual.height);
  const a = pad(expected, width, height);
  const b = pad(actual, width, height);
  const diff = { width, height, data: new Uint8Array(width * height * 4) };
  pixelmatch(a.data, b.data, diff.data, width, height, { threshold });
  return diff;
}

function pad(image: DecodedImage, width: number, height: number): DecodedImage {
  if (image.width === width && image.height === height) return image;
  const data = new Uint8Array(width * height * 4); // transparent: shows as checkerboard-blended, flagged where the other image has content
  for (let row = 0; row < image.height; row++) {
    data.set(image.data.subarray(row * image.width * 4, (row + 1) * image.width * 4), row * width * 4);
  }
  return { width, height, data };
}
