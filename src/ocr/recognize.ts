import type { Screenshot } from '../image/screenshot.js';
import { checkRegionOption, type Region } from '../options/options.js';
import { ReadingCache, readingKey } from './cache.js';
import { recognizeImage, type EngineBox, type EngineWord } from './engine.js';
import { encodePgm, toGray, upscale } from './preprocess.js';
import { normalizeText, type TextBox, type TextReading } from './reading.js';

/**
 * How a screenshot is prepared for tesseract, chosen from measurements on real Chromium captures (see the README):
 * grey, upscaled, one page-segmentation mode.
 */
export const READING_PLAN = { scale: 2, pageSegmentationMode: '3' } as const;

/**
 * A PGM carries no resolution, so tesseract would estimate one and print "Estimating resolution as …" on every read;
 * it estimated 275–308 on ×2 Chromium captures (96 dpi CSS pixels, doubled), so say that.
 */
const DPI_PER_SCALE = 150;

const STATE = Symbol.for('vitest-agi.ocr-readings');

/** Per process, like the engine: a capture read by one copy of this module is not read again by another. */
function readings(): ReadingCache<TextReading> {
  const holder = process as unknown as Record<symbol, ReadingCache<TextReading> | undefined>;
  return (holder[STATE] ??= new ReadingCache<TextReading>());
}

/**
 * Reads the text on a screenshot offline (tesseract.js). `region` limits reading to that rectangle; boxes are always
 * in screenshot pixels. An unchanged capture (same bytes, same region) is read once per process.
 */
export async function recognizeText(screenshot: Screenshot, options: { region?: Region } = {}): Promise<TextReading> {
  const { region } = options;
  if (region !== undefined) checkRegionOption('screenshot.text()', 'region', region, screenshot);
  const area = region ?? { x: 0, y: 0, width: screenshot.width, height: screenshot.height };
  return readings().get(readingKey(screenshot.bytes, region), () => readArea(screenshot, area));
}

async function readArea(screenshot: Screenshot, area: Region): Promise<TextReading> {
  const { scale, pageSegmentationMode } = READING_PLAN;
  // Decoded through the Screenshot, so every check of decodeImage applies.
  const image = upscale(toGray(screenshot.pixels, area), scale);
  const lines = await recognizeImage(encodePgm(image), {
    tessedit_pageseg_mode: pageSegmentationMode,
    user_defined_dpi: String(DPI_PER_SCALE * scale),
  });
  const toScreen = (word: EngineWord): TextBox => ({
    text: word.text.trim(),
    confidence: word.confidence,
    box: mapBox(word.bbox, scale, area),
  });
  const kept = lines
    .map((line) => ({ line: toScreen(line), words: line.words.map(toScreen).filter((word) => word.text !== '') }))
    .filter(({ words }) => words.length > 0);
  return freeze({
    text: normalizeText(kept.map(({ line }) => line.text).join('\n')),
    lines: kept.map(({ line }) => line),
    words: kept.flatMap(({ words }) => words),
  });
}

/** A box in the prepared image back to screenshot pixels: undo the scale (rounding outwards), add the area's corner. */
function mapBox(box: EngineBox, scale: number, area: Region): TextBox['box'] {
  const left = Math.min(Math.max(Math.floor(box.x0 / scale), 0), area.width);
  const top = Math.min(Math.max(Math.floor(box.y0 / scale), 0), area.height);
  const right = Math.min(Math.max(Math.ceil(box.x1 / scale), left), area.width);
  const bottom = Math.min(Math.max(Math.ceil(box.y1 / scale), top), area.height);
  return { x: area.x + left, y: area.y + top, width: right - left, height: bottom - top };
}

/** Readings are shared through the cache: frozen, so one caller cannot change what the next one reads. */
function freeze(reading: TextReading): TextReading {
  for (const box of [...reading.lines, ...reading.words]) Object.freeze(Object.freeze(box).box);
  Object.freeze(reading.lines);
  Object.freeze(reading.words);
  return Object.freeze(reading);
}
