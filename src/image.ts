/// <reference types="node" preserve="true" />
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { InvalidScreenshotError } from './errors.js';

export type ImageMimeType = 'image/jpeg' | 'image/png';

export interface DecodedImage {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel. */
  data: Uint8Array;
}

/**
 * Largest image we decode: 40 megapixels (160 MB of RGBA), e.g. a 1920×20000 full-page shot.
 * Checked from the header, before any allocation, so a 60000×60000 "bomb" costs nothing.
 */
export const MAX_PIXELS = 40_000_000;
export const MAX_SIDE = 32_767;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The image type from its magic bytes, or undefined. */
export function sniffImageType(bytes: Uint8Array): ImageMimeType | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && Buffer.from(bytes.buffer, bytes.byteOffset, 8).equals(PNG_SIGNATURE)) return 'image/png';
  return undefined;
}

/** Width and height from the header alone (JPEG SOFn marker, PNG IHDR), without decoding. */
export function readImageSize(bytes: Uint8Array, type: ImageMimeType): { width: number; height: number } {
  const size = type === 'image/png' ? readPngSize(bytes) : readJpegSize(bytes);
  if (size.width === 0 || size.height === 0) {
    throw new InvalidScreenshotError(`screenshot header says ${size.width}×${size.height}: an empty image cannot be compared.`);
  }
  if (size.width > MAX_SIDE || size.height > MAX_SIDE || size.width * size.height > MAX_PIXELS) {
    throw new InvalidScreenshotError(
      `screenshot header says ${size.width}×${size.height}, larger than the ${MAX_PIXELS / 1e6} MP (${MAX_SIDE} px a side) that can be decoded safely.`,
    );
  }
  return size;
}

function readPngSize(bytes: Uint8Array): { width: number; height: number } {
  // Signature (8) + IHDR length (4) + "IHDR" (4) + width (4) + height (4).
  if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') {
    throw new InvalidScreenshotError('screenshot is a truncated PNG: no IHDR header.');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

function readJpegSize(bytes: Uint8Array): { width: number; height: number } {
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) throw new InvalidScreenshotError(`screenshot is a corrupt JPEG: no marker at byte ${offset}.`);
    const marker = bytes[offset + 1]!;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    // Standalone markers carry no length.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2;
      continue;
    }
    const length = (bytes[offset + 2]! << 8) | bytes[offset + 3]!;
    const isStartOfFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isStartOfFrame) {
      if (offset + 9 > bytes.length) break;
      const height = (bytes[offset + 5]! << 8) | bytes[offset + 6]!;
      const width = (bytes[offset + 7]! << 8) | bytes[offset + 8]!;
      return { width, height };
    }
    if (marker === 0xda) break; // start of scan before any frame header
    offset += 2 + length;
  }
  throw new InvalidScreenshotError('screenshot is a truncated or corrupt JPEG: no frame header (SOF) found.');
}

/**
 * Whether the image ends as a whole file does (JPEG end-of-image marker, PNG IEND chunk): a cheap check that
 * catches a truncated transfer when the screenshot arrives, long before a decode would.
 */
export function checkImageComplete(bytes: Uint8Array, type: ImageMimeType): void {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--; // some encoders pad with zeros after the end marker
  const complete =
    type === 'image/jpeg'
      ? end >= 2 && bytes[end - 2] === 0xff && bytes[end - 1] === 0xd9
      : end >= 12 && Buffer.from(bytes.buffer, bytes.byteOffset + end - 8, 4).toString('latin1') === 'IEND';
  if (!complete) {
    throw new InvalidScreenshotError(
      `screenshot is a truncated ${type === 'image/jpeg' ? 'JPEG (no end-of-image marker)' : 'PNG (no IEND chunk)'}: ${bytes.length} bytes arrived.`,
    );
  }
}

/** Decodes to RGBA. The size has been checked by readImageSize before we get here. */
export function decodeImage(bytes: Uint8Array, type: ImageMimeType): DecodedImage {
  try {
    if (type === 'image/png') {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, data: png.data };
    }
    // tolerantDecoding off: a truncated JPEG must fail, not decode into a half-grey frame.
    const image = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      tolerantDecoding: false,
      maxResolutionInMP: MAX_PIXELS / 1e6,
      maxMemoryUsageInMB: 1024,
    });
    return { width: image.width, height: image.height, data: image.data };
  } catch (error) {
    const kind = type === 'image/png' ? 'PNG' : 'JPEG';
    throw new InvalidScreenshotError(`screenshot is a corrupt or truncated ${kind}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * PNG with fast settings: level 1 deflate with zlib's default strategy and no filter. On pixelmatch diffs of 1080p
 * Chromium pages that is 1/5–1/7 of pngjs' defaults' time (and 2/3 of level 1 with the Sub filter and pngjs' RLE
 * strategy), at about the defaults' size (bench/, issue #5).
 */
export function encodePng(image: DecodedImage): Buffer {
  // Sized after construction: given a size, pngjs' constructor allocates and zeroes a frame that we replace at once.
  const png = new PNG();
  png.width = image.width;
  png.height = image.height;
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return PNG.sync.write(png, { deflateLevel: 1, deflateStrategy: 0, filterType: 0 });
}
