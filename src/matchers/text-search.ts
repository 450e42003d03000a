import type { Region } from '../options/options.js';
import type { TextExpectation } from './page-matcher.js';
import { normalizeText } from '../ocr/reading.js';

// Where an expected text is on a screen that OCR read: pure, no OCR, no Vitest.

/** A line (or word) as OCR read it: its text and its box in screenshot pixels. */
export interface ReadLine {
  text: string;
  box: Region;
}


/**
 * Whether a text (whitespace normalised) shows `expected`: a string is a case-insensitive substring after whitespace
 * normalisation; a RegExp is tested (lastIndex reset, so a /g pattern answers the same on every capture).
 */
export function showsText(expected: TextExpectation, text: string): boolean {
  const normalised = normalizeText(text);
  if (typeof expected === 'string') return normalised.toLowerCase().includes(normalizeText(expected).toLowerCase());
  expected.lastIndex = 0;
  return expected.test(normalised);
}

/** The lines a found text lies on (1-based numbers), with the box around them all. */
export interface FoundText {
  /** The text of those lines, joined by one space. */
  text: string;
  /** 1-based numbers of the first and last line. */
  lines: { first: number; last: number };
  box: Region;
}

/**
 * The line(s) where `expected` is, searching the lines joined by one space (the way the screen text reads), or
 * undefined when it is not there. A match that runs over a line break gives every line it touches.
 */
export function locateText(expected: TextExpectation, lines: readonly ReadLine[]): FoundText | undefined {
  const texts = lines.map((line) => normalizeText(line.text));
  const joined = texts.join(' ');
  const range = findRange(expected, joined);
  if (!range) return undefined;
  let offset = 0;
  let first = -1;
  let last = -1;
  texts.forEach((text, i) => {
    const end = offset + text.length;
    // A line holds part of the match when their ranges overlap; an empty match sits on the line it starts in.
    const overlaps = range.start < end && range.end > offset;
    const holdsEmptyMatch = range.start === range.end && first === -1 && range.start >= offset && range.start <= end;
    if (overlaps || holdsEmptyMatch) {
      if (first === -1) first = i;
      last = i;
    }
    offset = end + 1;
  });
  if (first === -1) return undefined;
  const spanned = lines.slice(first, last + 1);
  return { text: texts.slice(first, last + 1).join(' '), lines: { first: first + 1, last: last + 1 }, box: unionBox(spanned.map((line) => line.box)) };
}

function findRange(expected: TextExpectation, text: string): { start: number; end: number } | undefined {
  if (typeof expected === 'string') {
    // Lower-cased as a whole on both sides; lines were joined before, so offsets stay those of the joined text
    // (a character whose lower case is longer, like "İ", is rare on screen and only shifts the box by a line).
    const needle = normalizeText(expected).toLowerCase();
    const start = text.toLowerCase().indexOf(needle);
    return start === -1 ? undefined : { start, end: start + needle.length };
  }
  const once = new RegExp(expected.source, expected.flags.replace(/[gy]/g, ''));
  const match = once.exec(text);
  return match ? { start: match.index, end: match.index + match[0].length } : undefined;
}

/** The smallest box holding every box. */
export function unionBox(boxes: readonly Region[]): Region {
  const left = Math.min(...boxes.map((b) => b.x));
  const top = Math.min(...boxes.map((b) => b.y));
  const right = Math.max(...boxes.map((b) => b.x + b.width));
  const bottom = Math.max(...boxes.map((b) => b.y + b.height));
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/** The line that comes closest to an expected string, and how many characters it is away. */
export interface ClosestLine {
  /** 1-based line number. */
  number: number;
  text: string;
  /** The part of the line closest to the expected text. */
  part: string;
  /** Single-character insertions, deletions or substitutions that turn `part` into the expected text. */
  distance: number;
}

/**
 * The line with the fewest character edits between the expected text and its best-matching part (any substring of
 * the line), ignoring case and with whitespace normalised on both sides; the first such line on a tie. So a line
 * "Your order #A-2O931 is confirmed." is 1 away from "Order #A-20931 is confirmed" (the O for the 0), however much
 * else the line holds. Undefined when there are no lines or nothing to compare.
 */
export function findClosestLine(expected: string, lines: readonly ReadLine[]): ClosestLine | undefined {
  const needle = normalizeText(expected).toLowerCase();
  if (needle === '') return undefined;
  let best: ClosestLine | undefined;
  lines.forEach((line, i) => {
    const text = normalizeText(line.text);
    if (text === '') return;
    const { distance, start, end } = substringDistance(needle, text.toLowerCase());
    if (!best || distance < best.distance) best = { number: i + 1, text, part: text.slice(start, end), distance };
  });
  return best;
}

/**
 * Sellers' approximate substring matching: the least Levenshtein distance between `needle` and any substring of
 * `haystack`, and where that substring is (the earliest best one, shortest on a tie). O(needle × haystack).
 */
export function substringDistance(needle: string, haystack: string): { distance: number; start: number; end: number } {
  const m = needle.length;
  const n = haystack.length;
  // cost[i][j]: edits to turn needle[0, i) into some substring of haystack ending at j; start[i][j]: where it begins.
  let cost = Array.from({ length: n + 1 }, () => 0);
  let begin = Array.from({ length: n + 1 }, (_, j) => j);
  for (let i = 1; i <= m; i++) {
    const nextCost = [i];
    const nextBegin = [0];
    for (let j = 1; j <= n; j++) {
      const substitute = cost[j - 1]! + (needle[i - 1] === haystack[j - 1] ? 0 : 1);
      const skipNeedle = cost[j]! + 1;
      const skipHaystack = nextCost[j - 1]! + 1;
      const least = Math.min(substitute, skipNeedle, skipHaystack);
      nextCost.push(least);
      nextBegin.push(least === substitute ? begin[j - 1]! : least === skipNeedle ? begin[j]! : nextBegin[j - 1]!);
    }
    cost = nextCost;
    begin = nextBegin;
  }
  let end = 0;
  for (let j = 1; j <= n; j++) if (cost[j]! < cost[end]!) end = j;
  return { distance: cost[end]!, start: begin[end]!, end };
}
