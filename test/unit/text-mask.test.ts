import { describe, expect, test } from 'vitest';
import { MASK_TEXT_PADDING, padBox, selectMaskedText } from '../../src/matchers/text-mask.js';

const box = (x: number, y: number, width = 80, height = 20) => ({ x, y, width, height });

describe('selectMaskedText', () => {
  const read = [
    { text: 'Opening hours', box: box(32, 40) },
    { text: 'Local  time 12:04:31', box: box(32, 100, 300) }, // a line
    { text: '12:04:31', box: box(200, 100) }, // its word
    { text: 'Order #A-20931', box: box(32, 160) },
    { text: '12:04:31', box: box(200, 100) }, // the same word read twice (line and word share a box)
  ];

  test('masks every line and word a RegExp matches, each box once', () => {
    expect(selectMaskedText([/\d\d:\d\d:\d\d/], read)).toEqual([read[1], read[2]]);
  });

  test('a string is a case-insensitive part of the text, whitespace normalised', () => {
    expect(selectMaskedText(['LOCAL TIME'], read)).toEqual([read[1]]);
    expect(selectMaskedText(['order #', /^opening/i], read)).toEqual([read[0], read[3]]);
    expect(selectMaskedText(['absent'], read)).toEqual([]);
  });
});

describe('padBox', () => {
  test(`grows a box by the padding (${MASK_TEXT_PADDING} px by default) on every side, inside the image`, () => {
    const size = { width: 1280, height: 720 };
    expect(padBox(box(100, 100), 4, size)).toEqual({ x: 96, y: 96, width: 88, height: 28 });
    expect(padBox(box(1, 2, 10, 10), 4, size)).toEqual({ x: 0, y: 0, width: 15, height: 16 });
    expect(padBox(box(1270, 710, 10, 10), 4, size)).toEqual({ x: 1266, y: 706, width: 14, height: 14 });
  });
});
