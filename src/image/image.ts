/// <reference types="node" preserve="true" />
import { PNG } from 'pngjs';
import { InvalidScreenshotError } from '../errors.js';
import { jsJpegDecoder, type JpegDecoder } from './jpeg-decoder.js';
import { MAX_JPEG_SCANS, MAX_PIXELS, MAX_SIDE } from './limits.js';

export type ImageMimeType = 'image/jpeg' | 'image/png';

export interface DecodedImage {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel. */
  data: Uint8Array;
}

export { MAX_JPEG_SCANS, MAX_PIXELS, MAX_SIDE } from './limits.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The image type from its magic bytes, or undefined. */
export function sniffImageType(bytes: Uint8Array): ImageMimeType | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 8 && Buffer.from(bytes.buffer, bytes.byteOffset, 8).equals(PNG_SIGNATURE)) return 'image/png';
  return undefined;
}

/** Width and height from the header alone (JPEG SOFn marker, PNG IHDR), without decoding. */
export function readImageSize(bytes: Uint8Array, type: ImageMimeType): { width: number; height: number } {
  if (type === 'image/jpeg') return readJpegSize(bytes);
  const size = readPngSize(bytes);
  checkImageSize(size);
  return size;
}

function checkImageSize({ width, height }: { width: number; height: number }): void {
  if (width === 0 || height === 0) {
    throw new InvalidScreenshotError(`screenshot header says ${width}×${height}: an empty image cannot be compared.`);
  }
  if (width > MAX_SIDE || height > MAX_SIDE || width * height > MAX_PIXELS) {
    throw new InvalidScreenshotError(
      `screenshot header says ${width}×${height}, larger than the ${MAX_PIXELS / 1e6} MP (${MAX_SIDE} px a side) that can be decoded safely.`,
    );
  }
}

function readPngSize(bytes: Uint8Array): { width: number; height: number } {
  // Signature (8) + IHDR length (4) + "IHDR" (4) + width (4) + height (4).
  if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') {
    throw new InvalidScreenshotError('screenshot is a truncated PNG: no IHDR header.');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

const JPEG_FRAME_KINDS: Record<number, string> = {
  0xc3: 'lossless',
  0xc5: 'hierarchical',
  0xc6: 'hierarchical progressive',
  0xc7: 'hierarchical lossless',
  0xc9: 'arithmetic',
  0xca: 'arithmetic progressive',
  0xcb: 'arithmetic lossless',
  0xcd: 'hierarchical arithmetic',
  0xce: 'hierarchical arithmetic progressive',
  0xcf: 'hierarchical arithmetic lossless',
};

interface JpegFrame {
  offset: number;
  marker: number;
  width: number;
  height: number;
  progressive: boolean;
  /** Each component's id and its 8×8 blocks, as jpeg-js counts them for a scan of that component alone. */
  components: Array<{ id: number; blocks: number }>;
}

/**
 * Walks every segment of the file, as the decoder will, before anything is decoded: jpeg-js sets up every frame
 * header it meets (a first one claiming 1×1 and a second claiming 36 MP cost 1.6 GB and 7.5 s before it noticed
 * there were two), and reads zeros past the end of short image data, so a header claiming more pixels than the
 * data holds costs a full decode of the claimed size.
 */
function readJpegSize(bytes: Uint8Array): { width: number; height: number } {
  let frame: JpegFrame | undefined;
  let scans = 0;
  const coded = new Set<number>();
  // Shortest code of each Huffman table defined so far, by class (0 DC, 1 AC) and id: what a block costs at least.
  const shortestCodes = new Map<number, number>();
  let offset = 2;
  for (;;) {
    if (offset + 2 > bytes.length) {
      if (!frame) throw new InvalidScreenshotError('screenshot is a truncated or corrupt JPEG: no frame header (SOF) found.');
      throw new InvalidScreenshotError(`screenshot is a truncated JPEG (no end-of-image marker): ${bytes.length} bytes arrived.`);
    }
    if (bytes[offset] !== 0xff) throw new InvalidScreenshotError(`screenshot is a corrupt JPEG: no marker at byte ${offset}.`);
    const marker = bytes[offset + 1]!;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker === 0xd9) break; // end of image: the decoder stops here too
    // Standalone markers carry no length.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2;
      continue;
    }
    if (marker === 0x00 || marker === 0xd8) throw new InvalidScreenshotError(`screenshot is a corrupt JPEG: no marker at byte ${offset}.`);
    const length = offset + 4 <= bytes.length ? (bytes[offset + 2]! << 8) | bytes[offset + 3]! : 0;
    const end = offset + 2 + length;
    if (length < 2 || end > bytes.length) {
      throw new InvalidScreenshotError(
        `screenshot is a truncated or corrupt JPEG: its ${nameJpegMarker(marker)} segment at byte ${offset} is ${length} bytes long, past the end of the file (${bytes.length} bytes).`,
      );
    }
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (frame) {
        throw new InvalidScreenshotError(
          `screenshot is a corrupt JPEG: a second frame header (${nameJpegMarker(marker)}) at byte ${offset}, after the one at byte ${frame.offset}; a screenshot has exactly one.`,
        );
      }
      frame = readJpegFrame(bytes, offset, marker, length);
      offset = end;
      continue;
    }
    if (marker === 0xda) {
      if (!frame) throw new InvalidScreenshotError(`screenshot is a corrupt JPEG: its image data (SOS) at byte ${offset} comes before any frame header (SOF).`);
      if (++scans > MAX_JPEG_SCANS) {
        throw new InvalidScreenshotError(`screenshot is a corrupt JPEG: it holds more than ${MAX_JPEG_SCANS} scans (SOS); a screenshot has 1 to about 10.`);
      }
      if (!frame.progressive) checkSequentialScan(bytes, offset, frame, coded);
      const dataEnd = findJpegScanEnd(bytes, end);
      const needed = Math.ceil(countScanBits(bytes, offset, frame, shortestCodes) / 8);
      if (dataEnd - end < needed) {
        throw new InvalidScreenshotError(
          `screenshot is a corrupt JPEG: its header says ${frame.width}×${frame.height}, so its scan (SOS) at byte ${offset} needs at least ${needed} bytes of image data, but holds ${dataEnd - end}.`,
        );
      }
      offset = dataEnd;
      continue;
    }
    if (marker === 0xc4) readShortestCodes(bytes, offset + 4, end, shortestCodes);
    offset = end;
  }
  if (!frame) throw new InvalidScreenshotError('screenshot is a truncated or corrupt JPEG: no frame header (SOF) found.');
  if (!frame.progressive && coded.size < frame.components.length) {
    throw new InvalidScreenshotError(`screenshot is a corrupt JPEG: its image data codes ${coded.size} of its ${frame.components.length} colour components.`);
  }
  return { width: frame.width, height: frame.height };
}

/**
 * The fewest bits a scan's data can take: a baseline scan codes every block of its components with a DC code and at
 * least one AC code (its end of block), a progressive DC scan one DC code per block (or one raw bit when it refines),
 * each at least as long as the shortest code of its table. jpeg-js sets up the whole claimed frame and reads zeros
 * past short data, so a header claiming more pixels than the data holds would otherwise cost a decode of that size.
 */
function countScanBits(bytes: Uint8Array, offset: number, frame: JpegFrame, shortestCodes: Map<number, number>): number {
  const count = bytes[offset + 4] ?? 0;
  const spectralStart = bytes[offset + 5 + 2 * count] ?? 0;
  const refines = (bytes[offset + 7 + 2 * count] ?? 0) >> 4 !== 0;
  let bits = 0;
  for (let i = 0; i < count; i++) {
    const component = frame.components.find((c) => c.id === bytes[offset + 5 + 2 * i]);
    const tables = bytes[offset + 6 + 2 * i] ?? 0;
    const dc = shortestCodes.get(tables >> 4) ?? 1;
    const ac = shortestCodes.get(0x10 | (tables & 15)) ?? 1;
    const perBlock = !frame.progressive ? dc + ac : spectralStart !== 0 ? 0 : refines ? 1 : dc;
    bits += (component?.blocks ?? 0) * perBlock;
  }
  return bits;
}

/** Records the shortest code length of each table in a DHT segment (class and id → bits). */
function readShortestCodes(bytes: Uint8Array, start: number, end: number, shortestCodes: Map<number, number>): void {
  for (let at = start; at + 17 <= end; ) {
    const key = bytes[at]! & 0x1f; // class in bit 4, id in bits 0–3
    let symbols = 0;
    let shortest = 0;
    for (let length = 1; length <= 16; length++) {
      const n = bytes[at + length]!;
      if (n > 0 && shortest === 0) shortest = length;
      symbols += n;
    }
    shortestCodes.set(key, Math.max(shortest, 1));
    at += 17 + symbols;
  }
}

/** Reads and checks a frame header (SOFn): a kind jpeg-js decodes, 8-bit samples, 1 or 3 components, a size we allow. */
function readJpegFrame(bytes: Uint8Array, offset: number, marker: number, length: number): JpegFrame {
  const kind = JPEG_FRAME_KINDS[marker];
  if (kind) {
    throw new InvalidScreenshotError(`screenshot uses ${kind} JPEG coding (${nameJpegMarker(marker)}), which cannot be decoded: only baseline and progressive JPEGs can.`);
  }
  const at = (i: number) => bytes[offset + i] ?? 0;
  const precision = at(4);
  if (precision !== 8) throw new InvalidScreenshotError(`screenshot is a ${precision}-bit JPEG, which cannot be decoded: only 8-bit JPEGs can.`);
  const components = at(9);
  if (components !== 1 && components !== 3) {
    throw new InvalidScreenshotError(`screenshot is a JPEG with ${components} colour components, which cannot be compared: a screenshot has 3 (colour) or 1 (grey).`);
  }
  if (length !== 8 + 3 * components) {
    throw new InvalidScreenshotError(`screenshot is a corrupt JPEG: its frame header at byte ${offset} is ${length} bytes long, which does not fit ${components} components.`);
  }
  const size = { height: (at(5) << 8) | at(6), width: (at(7) << 8) | at(8) };
  checkImageSize(size);
  const sampling = Array.from({ length: components }, (_, i) => ({ h: at(11 + 3 * i) >> 4, v: at(11 + 3 * i) & 15 }));
  const bad = sampling.find(({ h, v }) => h < 1 || h > 4 || v < 1 || v > 4);
  if (bad) throw new InvalidScreenshotError(`screenshot is a corrupt JPEG: a component is sampled ${bad.h}×${bad.v}, where the format allows 1 to 4 each way.`);
  const maxH = Math.max(...sampling.map((c) => c.h));
  const maxV = Math.max(...sampling.map((c) => c.v));
  const list = sampling.map(({ h, v }, i) => ({
    id: at(10 + 3 * i),
    blocks: Math.ceil((Math.ceil(size.width / 8) * h) / maxH) * Math.ceil((Math.ceil(size.height / 8) * v) / maxV),
  }));
  return { offset, marker, ...size, progressive: marker === 0xc2, components: list };
}

/**
 * A baseline (sequential) JPEG codes each component in exactly one scan; jpeg-js decodes every scan it is given,
 * so a repeated one would cost a whole decode again.
 */
function checkSequentialScan(bytes: Uint8Array, offset: number, frame: JpegFrame, coded: Set<number>): void {
  const count = bytes[offset + 4] ?? 0;
  for (let i = 0; i < count; i++) {
    const id = bytes[offset + 5 + 2 * i] ?? 0;
    if (!frame.components.some((c) => c.id === id)) {
      throw new InvalidScreenshotError(`screenshot is a corrupt JPEG: its scan (SOS) at byte ${offset} codes component ${id}, which the frame header does not have.`);
    }
    if (coded.has(id)) {
      throw new InvalidScreenshotError(`screenshot is a corrupt JPEG: its scan (SOS) at byte ${offset} codes component ${id} again; a baseline JPEG codes each component once.`);
    }
    coded.add(id);
  }
}

/** Where a scan's entropy-coded data ends: the first marker that is not a stuffed 0xFF00, a fill byte or a restart. */
function findJpegScanEnd(bytes: Uint8Array, start: number): number {
  let at = start;
  for (;;) {
    at = bytes.indexOf(0xff, at);
    if (at === -1 || at + 1 >= bytes.length) return bytes.length;
    const next = bytes[at + 1]!;
    if (next === 0xff) at += 1;
    else if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) at += 2;
    else return at;
  }
}

const JPEG_MARKER_NAMES: Record<number, string> = { 0xc4: 'DHT', 0xc8: 'JPG', 0xcc: 'DAC', 0xda: 'SOS', 0xdb: 'DQT', 0xdd: 'DRI', 0xfe: 'COM' };

function nameJpegMarker(marker: number): string {
  const name = JPEG_MARKER_NAMES[marker];
  if (name) return name;
  if (marker >= 0xc0 && marker <= 0xcf) return `SOF${marker - 0xc0}`;
  if (marker >= 0xe0 && marker <= 0xef) return `APP${marker - 0xe0}`;
  return `0xFF${marker.toString(16).toUpperCase().padStart(2, '0')}`;
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

/**
 * Decodes to RGBA, JPEGs with `decoder` (the matchers load one with `loadJpegDecoder`). The headers are walked and the
 * size checked first, whoever called: no decoder ever sees a bomb, a second frame or image data shorter than its header claims.
 */
export function decodeImage(bytes: Uint8Array, type: ImageMimeType, decoder: JpegDecoder = jsJpegDecoder): DecodedImage {
  checkImageComplete(bytes, type);
  readImageSize(bytes, type);
  try {
    if (type === 'image/png') {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, data: png.data };
    }
    return decoder.decode(bytes);
  } catch (error) {
    const kind = type === 'image/png' ? 'PNG' : 'JPEG';
    throw new InvalidScreenshotError(`screenshot is a corrupt or truncated ${kind}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * PNG with fast settings: level 1 deflate with zlib's default strategy and no filter. On pixelmatch diffs of 1080p
 * Chromium pages that is 1/5–1/7 of pngjs' defaults' time (and 2/3 of level 1 with the Sub filter and pngjs' RLE
 * strategy), at about the defaults' size (measured with bench/).
 */
export function encodePng(image: DecodedImage): Buffer {
  // Sized after construction: given a size, pngjs' constructor allocates and zeroes a frame that we replace at once.
  const png = new PNG();
  png.width = image.width;
  png.height = image.height;
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return PNG.sync.write(png, { deflateLevel: 1, deflateStrategy: 0, filterType: 0 });
}
