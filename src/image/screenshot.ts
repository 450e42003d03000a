/// <reference types="node" preserve="true" />
import { InvalidScreenshotError } from '../errors.js';
import { quoteNetworkText } from '../text/network-text.js';
import type { TextReading } from '../ocr/reading.js';
import type { Region } from '../options/options.js';
import { checkImageComplete, decodeImage, readImageSize, sniffImageType, type DecodedImage, type ImageMimeType } from './image.js';

/** One capture of the agent's browser: the encoded image exactly as received, plus the page it shows. */
export class Screenshot {
  readonly url: string;
  readonly title: string;
  readonly mimeType: ImageMimeType;
  /** The encoded image exactly as the API sent it. */
  readonly bytes: Buffer;
  readonly width: number;
  readonly height: number;
  #pixels: DecodedImage | undefined;

  constructor(init: { bytes: Buffer; url: string; title: string; mimeType?: ImageMimeType }) {
    const sniffed = sniffImageType(init.bytes);
    if (!sniffed) {
      throw new InvalidScreenshotError(`screenshot bytes are not a JPEG or PNG (they start with ${describeStart(init.bytes)}).`);
    }
    if (init.mimeType && init.mimeType !== sniffed) {
      throw new InvalidScreenshotError(`screenshot is labelled ${init.mimeType} but its bytes are ${sniffed}.`);
    }
    checkImageComplete(init.bytes, sniffed);
    const { width, height } = readImageSize(init.bytes, sniffed);
    this.bytes = init.bytes;
    this.mimeType = sniffed;
    this.width = width;
    this.height = height;
    this.url = init.url;
    this.title = init.title;
  }

  /** RGBA pixels, decoded on first use and then kept. */
  get pixels(): DecodedImage {
    this.#pixels ??= decodeImage(this.bytes, this.mimeType);
    return this.#pixels;
  }

  /** Whether the pixels have been decoded (the byte-identical fast path never decodes). */
  get isDecoded(): boolean {
    return this.#pixels !== undefined;
  }

  /**
   * The text on the screenshot, read offline with OCR (tesseract.js; install the optional peers with
   * `npm install -D tesseract.js @tesseract.js-data/eng`). `text` is every line, whitespace normalised; `lines` and
   * `words` carry tesseract's confidence (0–100) and their box in screenshot pixels. `region` reads only that part.
   * The same capture and region are read once per process; later calls answer from memory.
   * @example
   * const { text, lines } = await screenshot.text({ region: { x: 0, y: 0, width: 1280, height: 120 } });
   */
  async text(options?: { region?: Region }): Promise<TextReading> {
    // Loaded on first use: the OCR engine (and its optional peers) costs nothing to those who never read text.
    const { recognizeText } = await import('../ocr/recognize.js');
    return recognizeText(this, options);
  }

  /**
   * Builds a Screenshot from the API's JSON `{ screenshot, url, title }`.
   * `screenshot` is a `data:image/jpeg;base64,…` or `data:image/png;base64,…` URL, or a bare base64 string.
   */
  static fromApiJson(json: unknown): Screenshot {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new InvalidScreenshotError(`screenshot response is not a JSON object (got ${json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json}).`);
    }
    const body = json as Record<string, unknown>;
    for (const field of ['screenshot', 'url', 'title'] as const) {
      if (!(field in body)) throw new InvalidScreenshotError(`screenshot response has no "${field}" field.`);
      if (typeof body[field] !== 'string') {
        throw new InvalidScreenshotError(`screenshot response field "${field}" should be a string, but is ${body[field] === null ? 'null' : typeof body[field]}.`);
      }
    }
    const { bytes, mimeType } = parseImageDataUrl(body.screenshot as string);
    return new Screenshot({ bytes, mimeType, url: body.url as string, title: body.title as string });
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Splits a data URL (or bare base64) into bytes and the declared type, validating both. */
export function parseImageDataUrl(value: string): { bytes: Buffer; mimeType: ImageMimeType | undefined } {
  let payload = value;
  let mimeType: ImageMimeType | undefined;
  if (value.startsWith('data:')) {
    const comma = value.indexOf(',');
    const header = comma === -1 ? value.slice(0, 40) : value.slice(0, comma);
    const match = /^data:(image\/(?:jpeg|jpg|png));base64$/i.exec(header);
    if (!match) {
      throw new InvalidScreenshotError(`screenshot is not a JPEG or PNG base64 data URL (starts with ${quoteNetworkText(value.slice(0, 30))}).`);
    }
    mimeType = match[1]!.toLowerCase() === 'image/png' ? 'image/png' : 'image/jpeg';
    payload = value.slice(comma + 1);
  }
  // Fast path for canonical base64 (what CDP and the API send). Buffer.from skips characters outside the alphabet,
  // so a decoded length equal to the length the text promises means every character counted. No second copy of a
  // 0.6 MB string is made: ~0.3 ms for a 1080p capture, where the checks below take ~5 ms (measured with bench/).
  const fast = Buffer.from(payload, 'base64');
  if (fast.length > 0 && payload.length % 4 === 0 && fast.length === (payload.length / 4) * 3 - countPadding(payload)) {
    return { bytes: fast, mimeType };
  }
  payload = payload.replace(/\s+/g, '');
  if (payload.length === 0) throw new InvalidScreenshotError('screenshot is empty: the data URL carries no bytes.');
  // Buffer.from silently skips bad characters; check first so corruption is an error, not a wrong image.
  if (payload.length % 4 === 1 || !BASE64.test(payload)) {
    const bad = payload.search(/[^A-Za-z0-9+/=]/);
    throw new InvalidScreenshotError(
      `screenshot is not valid base64${bad >= 0 ? ` (character ${JSON.stringify(payload[bad])} at position ${bad})` : ''}.`,
    );
  }
  return { bytes: Buffer.from(payload, 'base64'), mimeType };
}

function countPadding(base64: string): number {
  return base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
}

function describeStart(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'nothing: they are empty';
  const head = Buffer.from(bytes.subarray(0, 8));
  const text = head.toString('latin1');
  return /^[\x20-\x7e]+$/.test(text) ? JSON.stringify(text) : head.toString('hex').replace(/(..)/g, '$1 ').trim();
}
