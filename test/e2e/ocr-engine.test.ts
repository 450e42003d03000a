import { describe, expect, test } from 'vitest';
import { Screenshot } from '../../src/image/screenshot.js';
import { engineStats } from '../../src/ocr/engine.js';
import type { TextBox } from '../../src/ocr/reading.js';
import { READING_PLAN, recognizeText } from '../../src/ocr/recognize.js';
import { shot } from '../helpers/fixtures.js';

// Real tesseract.js on a real Chromium JPEG (test/fixtures/shots/thanks.jpg, 1280×720): slow, so in the e2e lane.
const capture = () => new Screenshot({ bytes: shot('thanks.jpg'), url: 'https://shop.example/thanks', title: 'Thanks' });

/** The bounding box of the dark ("ink") pixels of a screenshot inside `area`. */
function inkBox(screenshot: Screenshot, area: TextBox['box']): TextBox['box'] {
  const { data, width } = screenshot.pixels;
  let [left, top, right, bottom] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let y = area.y; y < area.y + area.height; y++) {
    for (let x = area.x; x < area.x + area.width; x++) {
      const i = (y * width + x) * 4;
      if (data[i]! + data[i + 1]! + data[i + 2]! < 3 * 128) [left, top, right, bottom] = [Math.min(left, x), Math.min(top, y), Math.max(right, x + 1), Math.max(bottom, y + 1)];
    }
  }
  return { x: left, y: top, width: right - left, height: bottom - top };
}

const pad = (box: TextBox['box'], by: number) => ({ x: box.x - by, y: box.y - by, width: box.width + 2 * by, height: box.height + 2 * by });
const word = (words: TextBox[], text: string) => {
  const found = words.find((w) => w.text === text);
  if (!found) throw new Error(`no word ${JSON.stringify(text)} in ${JSON.stringify(words.map((w) => w.text))}`);
  return found;
};

describe('recognizeText on a real Chromium capture', () => {
  test('screenshot.text() reads every sentence of the thank-you page, normalised, in reading order', async () => {
    const reading = await capture().text();
    const sentences = [
      'Shop',
      'Thank you for your order',
      'Order #A-20931 is confirmed. We sent a receipt to ada@example.com.',
      'Total charged: $173.50. Estimated delivery: 3-5 working days.',
    ];
    // Tesseract is sure of every sentence; what it doubts (below 90) is what it made of the round tick icon.
    expect(reading.lines.filter((line) => line.confidence >= 90).map((line) => line.text)).toEqual(sentences);
    expect(reading.text).toContain(sentences.slice(1).join(' '));
    expect(reading.text).toBe(reading.lines.map((line) => line.text).join(' '));
  });

  test('word boxes are in screenshot pixels although the image was read upscaled', async () => {
    const screenshot = capture();
    const { words } = await screenshot.text();
    for (const text of ['$173.50.', '#A-20931', 'Shop']) {
      const { box } = word(words, text);
      // The ink around the word (a margin smaller than the gap to the next word) lies in its box, give or take 2 px.
      const ink = inkBox(screenshot, pad(box, 4));
      expect(Math.abs(ink.x - box.x), text).toBeLessThanOrEqual(2);
      expect(Math.abs(ink.y - box.y), text).toBeLessThanOrEqual(2);
      expect(Math.abs(ink.x + ink.width - (box.x + box.width)), text).toBeLessThanOrEqual(2);
      expect(Math.abs(ink.y + ink.height - (box.y + box.height)), text).toBeLessThanOrEqual(2);
    }
  });

  test('a region reads only that rectangle, with boxes in screenshot pixels, not region pixels', async () => {
    const screenshot = capture();
    const full = await screenshot.text();
    const line = full.lines.find((l) => l.text.startsWith('Order #A-20931'))!;
    const region = pad(line.box, 12);
    const part = await screenshot.text({ region });
    expect(part.text).toBe('Order #A-20931 is confirmed. We sent a receipt to ada@example.com.');
    for (const text of ['Order', '#A-20931', 'ada@example.com.']) {
      const [inPart, inFull] = [word(part.words, text).box, word(full.words, text).box];
      for (const side of ['x', 'y', 'width', 'height'] as const) expect(Math.abs(inPart[side] - inFull[side]), `${text} ${side}`).toBeLessThanOrEqual(2);
    }
  });

  test('the same capture is read once per process: same bytes in another Screenshot, a second call, a repeated region', async () => {
    const first = await recognizeText(capture());
    const before = engineStats().reads;
    const again = await recognizeText(capture());
    expect(again).toBe(first);
    expect(engineStats().reads).toBe(before);
    const region = { x: 0, y: 0, width: 200, height: 60 };
    const top = await recognizeText(capture(), { region });
    expect(top.text).toBe('Shop');
    expect(await recognizeText(capture(), { region })).toBe(top);
    expect(engineStats()).toEqual({ starts: 1, reads: before + READING_PLAN.length }); // one engine read per pass
  });

  test('a reading from the cache cannot be changed by the caller who got it', async () => {
    const reading = await capture().text();
    expect(Object.isFrozen(reading) && Object.isFrozen(reading.words) && Object.isFrozen(reading.words[0]!.box)).toBe(true);
    expect(() => (reading.words as TextBox[]).push(reading.words[0]!)).toThrow(TypeError);
  });
});
