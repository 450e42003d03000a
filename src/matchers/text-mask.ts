import type { Region, ResolvedOptions, TextPattern } from '../options/options.js';
import { recognizeText } from '../ocr/recognize.js';
import { Screenshot } from '../image/screenshot.js';
import type { TextInBox } from '../results/results.js';
import { showsText, type ReadLine } from './text-search.js';

// toMatchScreenshot's `maskText`: text read by OCR that becomes extra `mask` regions for one comparison.

/**
 * Pixels added on every side of a masked text's box. OCR boxes hug the ink; a changed glyph also changes its
 * anti-aliased fringe and JPEG ringing around it. Measured on a live HH:MM:SS clock at 14, 18, 24 and 32 px (Chromium
 * JPEG q80, threshold 0.1, 5 pairs of captures 1.1 s apart): differing pixels reached at most 1 px outside the union
 * of both captures' boxes. 4 px leaves room for other fonts and lower JPEG qualities, and hides little else.
 */
export const MASK_TEXT_PADDING = 4;

/** The text to mask on one capture and its baseline: each box as read, and the padded regions to leave out. */
export interface TextMask {
  masked: TextInBox[];
  regions: Region[];
}

/**
 * The options to compare one capture with: `maskText` turned into extra `mask` regions, read only when a comparison
 * needs them: not without a baseline (a baseline being written needs none), nor for identical bytes (the fast path
 * stays ≈ 1 ms). `maskedText` is set when text was read.
 */
export async function withTextMask<O extends Pick<ResolvedOptions, 'maskText' | 'clip' | 'mask'>>(
  shot: Screenshot,
  baselineBytes: Buffer | undefined,
  options: O,
): Promise<{ compared: O; maskedText?: TextInBox[] }> {
  if (options.maskText.length === 0 || !baselineBytes || shot.bytes.equals(baselineBytes)) return { compared: options };
  let baseline: Screenshot;
  try {
    baseline = new Screenshot({ bytes: baselineBytes, url: '', title: '' });
  } catch {
    return { compared: options }; // not a whole image: the comparison names the baseline and what to do
  }
  const { masked, regions } = await readTextMask(options.maskText, shot, baseline, options.clip);
  return { compared: { ...options, mask: [...options.mask, ...regions] }, maskedText: masked };
}

/**
 * Reads the capture and the baseline (both: a clock's box moves with its width, and either reading may miss a
 * glyph) and masks every line and word matching a pattern. Only the `clip`, when given, is read.
 */
export async function readTextMask(patterns: readonly TextPattern[], shot: Screenshot, baseline: Screenshot, clip: Region | undefined): Promise<TextMask> {
  const readings = await Promise.all([shot, baseline].map((image) => recognizeText(image, { region: clip })));
  const masked = readings.flatMap((reading) => selectMaskedText(patterns, [...reading.lines, ...reading.words]));
  const size = { width: Math.min(shot.width, baseline.width), height: Math.min(shot.height, baseline.height) };
  return { masked, regions: masked.map(({ box }) => padBox(box, MASK_TEXT_PADDING, size)).filter((r) => r.width > 0 && r.height > 0) };
}

/** The lines and words matching any pattern (a string: a case-insensitive part, whitespace normalised; a RegExp: tested), each box once. */
export function selectMaskedText(patterns: readonly TextPattern[], read: readonly ReadLine[]): TextInBox[] {
  const seen = new Set<string>();
  const masked: TextInBox[] = [];
  for (const { text, box } of read) {
    const key = `${box.x},${box.y},${box.width},${box.height}`;
    if (seen.has(key) || !patterns.some((pattern) => showsText(pattern, text))) continue;
    seen.add(key);
    masked.push({ text, box });
  }
  return masked;
}

/** The box grown by `padding` on every side, kept inside the image. */
export function padBox(box: Region, padding: number, size: { width: number; height: number }): Region {
  const x = Math.max(box.x - padding, 0);
  const y = Math.max(box.y - padding, 0);
  return { x, y, width: Math.max(Math.min(box.x + box.width + padding, size.width) - x, 0), height: Math.max(Math.min(box.y + box.height + padding, size.height) - y, 0) };
}
