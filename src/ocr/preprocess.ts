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
  const lastX = image.width - 1;
  const lastY = image.height - 1;
  for (let y = 0; y < height; y++) {
    const sy = Math.min(Math.max((y + 0.5) / factor - 0.5, 0), lastY);
    const y0 = Math.floor(sy);
    const y1 = Math.min(y0 + 1, lastY);
    const fy = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = Math.min(Math.max((x + 0.5) / factor - 0.5, 0), lastX);
      const x0 = Math.floor(sx);
      const x1 = Math.min(x0 + 1, lastX);
      const fx = sx - x0;
      const top = source[y0 * image.width + x0]! * (1 - fx) + source[y0 * image.width + x1]! * fx;
      const bottom = source[y1 * image.width + x0]! * (1 - fx) + source[y1 * image.width + x1]! * fx;
      data[y * width + x] = Math.round(top * (1 - fy) + bottom * fy);
    }
  }
  return { width, height, data };
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
