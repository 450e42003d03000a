/// <reference types="node" preserve="true" />
import type { DecodedImage } from '../image/image.js';
import type { Region } from '../options/options.js';

/** A one-channel image, one byte per pixel. */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** The region's luma (ITU-R BT.601 weights, in integers), cut from RGBA pixels. */
export function toGray(image: DecodedImage, region: Region): GrayImage {
  const { x: left, y: top, width, height } = region;
  const data = new Uint8Array(width * height);
  const source = image.data;
  for (let y = 0; y < height; y++) {
    let from = ((top + y) * image.width + left) * 4;
    let to = y * width;
    for (let x = 0; x < width; x++, from += 4, to++) {
      data[to] = (source[from]! * 299 + source[from + 1]! * 587 + source[from + 2]! * 114 + 500) / 1000;
    }
  }
  return { width, height, data };
}

/** Bilinear upscaling by a whole factor (pixel centres aligned, edges clamped). */
export function upscale(image: GrayImage, factor: number): GrayImage {
  if (factor === 1) return image;
  const width = image.width * factor;
  const height = image.height * factor;
  const data = new Uint8Array(width * height);
  const source = image.data;
  // Where each output column and row samples the source, computed once (the same for every row and column).
  const [left, right, rightWeight] = sampling(image.width, factor);
  const [upper, lower, lowerWeight] = sampling(image.height, factor);
  for (let y = 0; y < height; y++) {
    const top = upper[y]! * image.width;
    const bottom = lower[y]! * image.width;
    const fy = lowerWeight[y]!;
    for (let x = 0; x < width; x++) {
      const fx = rightWeight[x]!;
      const a = source[top + left[x]!]! + (source[top + right[x]!]! - source[top + left[x]!]!) * fx;
      const b = source[bottom + left[x]!]! + (source[bottom + right[x]!]! - source[bottom + left[x]!]!) * fx;
      data[y * width + x] = Math.round(a + (b - a) * fy);
    }
  }
  return { width, height, data };
}

/** For each output position along one side: the two source positions it lies between, and the second one's weight. */
function sampling(size: number, factor: number): [Int32Array, Int32Array, Float64Array] {
  const first = new Int32Array(size * factor);
  const second = new Int32Array(size * factor);
  const weight = new Float64Array(size * factor);
  for (let i = 0; i < size * factor; i++) {
    const at = Math.min(Math.max((i + 0.5) / factor - 0.5, 0), size - 1);
    first[i] = Math.floor(at);
    second[i] = Math.min(first[i]! + 1, size - 1);
    weight[i] = at - first[i]!;
  }
  return [first, second, weight];
}

/** The negative: light text on a dark background becomes dark text on a light one, which tesseract reads best. */
export function invert(image: GrayImage): GrayImage {
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i++) data[i] = 255 - image.data[i]!;
  return { ...image, data };
}

/** A binary PGM (P5) file: the simplest image file tesseract's Leptonica opens, with no encoding cost. */
export function encodePgm(image: GrayImage): Uint8Array {
  const header = Buffer.from(`P5\n${image.width} ${image.height}\n255\n`, 'latin1');
  const file = new Uint8Array(header.length + image.data.length);
  file.set(header, 0);
  file.set(image.data, header.length);
  return file;
}

/**
 * The background under each pixel: the median of its (2·radius+1)² neighbourhood, edges clamped (Huang's sliding
 * histogram, about 2·(2·radius+1) updates per pixel). A median keeps the straight edges of buttons, banners and
 * inputs, and leaves out text strokes thinner than the radius.
 */
export function medianBackground(image: GrayImage, radius: number): GrayImage {
  const { width, height } = image;
  // The image with its edge pixels repeated `radius` times around it, so the window never needs clamping.
  const paddedWidth = width + 2 * radius;
  const padded = new Uint8Array(paddedWidth * (height + 2 * radius));
  for (let y = 0; y < height + 2 * radius; y++) {
    const row = Math.min(Math.max(y - radius, 0), height - 1) * width;
    for (let x = 0; x < paddedWidth; x++) padded[y * paddedWidth + x] = image.data[row + Math.min(Math.max(x - radius, 0), width - 1)]!;
  }
  const out = new Uint8Array(width * height);
  const histogram = new Int32Array(256);
  const side = 2 * radius + 1;
  const half = (side * side - 1) >> 1;
  for (let y = 0; y < height; y++) {
    histogram.fill(0);
    for (let dy = 0; dy < side; dy++) for (let dx = 0; dx < side; dx++) histogram[padded[(y + dy) * paddedWidth + dx]!]! += 1;
    // `median` is the smallest value with more than `half` values at or below it; `below` counts those under it.
    let median = 0;
    let below = 0;
    while (below + histogram[median]! <= half) below += histogram[median++]!;
    out[y * width] = median;
    for (let x = 1; x < width; x++) {
      // The window moves one pixel right: its left column goes, a new right column comes.
      for (let at = y * paddedWidth + x - 1, end = at + side * paddedWidth; at < end; at += paddedWidth) {
        const gone = padded[at]!;
        const come = padded[at + side]!;
        histogram[gone]! -= 1;
        if (gone < median) below -= 1;
        histogram[come]! += 1;
        if (come < median) below += 1;
      }
      while (below > half) below -= histogram[--median]!;
      while (below + histogram[median]! <= half) below += histogram[median++]!;
      out[y * width + x] = median;
    }
  }
  return { width, height, data: out };
}

/**
 * Dark ink on white wherever a pixel differs from its background, lighter or darker: white text on a blue button, a
 * dark toast or a purple banner becomes dark text on white, and the button, toast or banner itself disappears.
 * Tesseract's layout analysis drops text inside a filled box (no button of the corpus was read without this).
 */
export function flattenBackground(image: GrayImage, radius: number, gain: number): GrayImage {
  const background = medianBackground(image, radius).data;
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i++) data[i] = 255 - Math.min(255, Math.abs(image.data[i]! - background[i]!) * gain);
  return { ...image, data };
}
