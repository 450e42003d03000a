import type { Screenshot } from '../image/screenshot.js';
import { checkRegionOption, type Region } from '../options/options.js';
import { ReadingCache, readingKey } from './cache.js';
import { recognizeImage, type EngineBox, type EngineLine, type EngineWord } from './engine.js';
import { encodePgm, flattenBackground, toGray, upscale, type GrayImage } from './preprocess.js';
import { normalizeText, type TextBox, type TextReading } from './reading.js';

/** One read of the screenshot by tesseract: how the image is prepared, and the page segmentation mode. */
export interface ReadingPass {
  /** Whole-number upscaling before reading. */
  scale: number;
  /** Flatten the background (see flattenBackground) with this median radius in screenshot pixels, or not at all. */
  flattenRadius?: number;
  /** Tesseract's page segmentation mode: 3 = automatic layout, 11 = sparse text in any order. */
  pageSegmentationMode: '3' | '11';
}

/**
 * Two passes, chosen on the corpus of real Chromium captures (test/fixtures/ocr): 100 % of the phrases in text of
 * 14 px or more, 0 false positives. The first reads text on buttons, banners, toasts and dark themes (background
 * flattened, ×2, sparse: 72 of 77 phrases alone); the flattening breaks up strokes thicker than its radius, so the
 * second reads the plain grey image at ×1 for large headings and figures, which it reads well, at half the cost.
 * The README has the table of every option set measured.
 */
export const READING_PLAN: readonly ReadingPass[] = [
  { scale: 2, flattenRadius: 10, pageSegmentationMode: '11' },
  { scale: 1, pageSegmentationMode: '3' },
];

/** Contrast gain of the flattened image: a difference of 128 grey levels from the background is full black. */
const FLATTEN_GAIN = 2;
/**
 * A PGM carries no resolution, so tesseract would estimate one and print "Estimating resolution as …" on every read;
 * it estimated 275–308 on ×2 Chromium captures (96 dpi CSS pixels, doubled), so we say it instead.
 */
const DPI_PER_SCALE = 150;
/**
 * Largest image handed to tesseract: a 1920×1080 capture at ×2. Beyond it (a 4K or a full-page capture) a pass reads
 * at ×1: upscaling 8 MP to 33 MP would cost four times the time and some 0.5 GB in the worker, and captures that
 * large are usually high-DPI ones, whose text is already large in pixels.
 */
export const MAX_READ_PIXELS = 1920 * 1080 * 4;

const STATE = Symbol.for('vitest-agi.ocr-readings');

/** Per process, like the engine: a capture read by one copy of this module is not read again by another. */
function readings(): ReadingCache<TextReading> {
  const holder = process as unknown as Record<symbol, ReadingCache<TextReading> | undefined>;
  return (holder[STATE] ??= new ReadingCache<TextReading>());
}

/** Forgets every reading of this process (the next read of any capture runs the engine again). */
export function forgetReadings(): void {
  readings().clear();
}

/**
 * Reads the text on a screenshot offline (tesseract.js). `region` limits reading to that rectangle; boxes are always
 * in screenshot pixels. An unchanged capture (same bytes, same region) is read once per process.
 */
export async function recognizeText(screenshot: Screenshot, options: { region?: Region } = {}): Promise<TextReading> {
  const { region } = options;
  if (region !== undefined) checkRegionOption('screenshot.text()', 'region', region, screenshot);
  const area = region ?? { x: 0, y: 0, width: screenshot.width, height: screenshot.height };
  return readings().get(readingKey(screenshot.bytes, region), () => readArea(screenshot, area, READING_PLAN));
}

interface ReadLine {
  line: TextBox;
  words: TextBox[];
}

/** Reads `area` of the screenshot with every pass of `plan` and merges what they read. */
export async function readArea(screenshot: Screenshot, area: Region, plan: readonly ReadingPass[]): Promise<TextReading> {
  // Decoded through the Screenshot, so every check of decodeImage applies.
  const gray = toGray(screenshot.pixels, area);
  const passes: ReadLine[][] = [];
  for (const pass of plan) {
    const scale = area.width * area.height * pass.scale ** 2 > MAX_READ_PIXELS ? 1 : pass.scale;
    passes.push(toScreenLines(await readPass(gray, { ...pass, scale }), scale, area));
  }
  const lines = mergePasses(passes);
  return freeze({
    text: normalizeText(lines.map(({ line }) => line.text).join('\n')),
    lines: lines.map(({ line }) => line),
    words: lines.flatMap(({ words }) => words),
  });
}

function readPass(gray: GrayImage, pass: ReadingPass): Promise<EngineLine[]> {
  const prepared = pass.flattenRadius === undefined ? gray : flattenBackground(gray, pass.flattenRadius, FLATTEN_GAIN);
  return recognizeImage(encodePgm(upscale(prepared, pass.scale)), {
    tessedit_pageseg_mode: pass.pageSegmentationMode,
    user_defined_dpi: String(DPI_PER_SCALE * pass.scale),
  });
}

function toScreenLines(lines: EngineLine[], scale: number, area: Region): ReadLine[] {
  const toScreen = (word: EngineWord): TextBox => ({ text: normalizeText(word.text), confidence: word.confidence, box: mapBox(word.bbox, scale, area) });
  return lines
    .map((line) => ({ line: toScreen(line), words: line.words.map(toScreen).filter((word) => word.text !== '') }))
    .filter(({ words }) => words.length > 0);
}

/**
 * One reading of each place on the screen. The first pass's lines are kept; a later pass's line is added where no
 * earlier line lies, replaces the earlier lines it overlaps when tesseract is at least as confident of it as of each
 * of them (a large heading or figure the flattened pass misread), and is dropped otherwise. Keeping both readings of one place
 * would find a misread price as well as the right one. Lines are in reading order: top to bottom, then left to right.
 */
function mergePasses(passes: ReadLine[][]): ReadLine[] {
  let merged: ReadLine[] = [];
  for (const lines of passes) {
    const earlier = merged;
    for (const candidate of lines.filter((read) => !isSpeck(read.line))) {
      const under = earlier.filter(({ line }) => overlap(line.box, candidate.line.box) > 0.5);
      if (under.length === 0) merged.push(candidate);
      else if (under.every(({ line }) => candidate.line.confidence >= line.confidence)) merged = [...merged.filter((read) => !under.includes(read)), candidate];
    }
  }
  return merged.sort((a, b) => compareReadingOrder(a.line.box, b.line.box));
}

/** Top to bottom; boxes whose middles are less than half a line apart are on one row, left to right. */
function compareReadingOrder(a: TextBox['box'], b: TextBox['box']): number {
  const rise = a.y + a.height / 2 - (b.y + b.height / 2);
  return Math.abs(rise) >= Math.min(a.height, b.height) / 2 ? rise : a.x - b.x;
}

/**
 * A line of at most one letter or digit that tesseract doubts: what the corners of a flattened button or a round icon
 * read as ("r", "~", "(7)" at confidence 0–87 on the corpus), never text of the page.
 */
function isSpeck(line: TextBox): boolean {
  return line.confidence < 90 && (line.text.match(/[\p{L}\p{N}]/gu) ?? []).length <= 1;
}

/** Intersection over the smaller box's area: 1 when one box lies inside the other. */
function overlap(a: TextBox['box'], b: TextBox['box']): number {
  const width = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const height = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  if (width <= 0 || height <= 0) return 0;
  return (width * height) / Math.max(1, Math.min(a.width * a.height, b.width * b.height));
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
