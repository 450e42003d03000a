import { describe, expect, test } from 'vitest';
import { findClosestLine, locateText, showsText, substringDistance, unionBox, type ReadLine } from '../../src/matchers/text-search.js';
import { normalizeText } from '../../src/ocr/reading.js';

const line = (text: string, y: number): ReadLine => ({ text, box: { x: 32, y, width: 10 * text.length, height: 20 } });
const screen = [line('Tiny Shop', 10), line('Thank you, Ada!', 60), line('Your order #A-2O931 is', 100), line('confirmed.', 130), line('Keep shopping', 170)];
const screenText = normalizeText(screen.map((l) => l.text).join('\n'));

describe('showsText', () => {
  test.each([
    ['thank YOU, ada', true],
    ['Order  #A-2O931\n is confirmed', true], // spaces and a line break count as one space, across OCR lines too
    ['Order #A-20931', false], // a zero is not the letter O
    ['', true],
    [/#A-\d{5}/, false],
    [/#A-2\w931/i, true],
    [/^Tiny Shop Thank/, true],
  ] as const)('%j on the thank-you screen → %s', (expected, found) => {
    expect(showsText(expected, screenText)).toBe(found);
  });

  test('a /g pattern answers the same on every capture', () => {
    const pattern = /shop/gi;
    expect([showsText(pattern, screenText), showsText(pattern, screenText), showsText(pattern, screenText)]).toEqual([true, true, true]);
  });
});

describe('locateText', () => {
  test('gives the line that holds a string, and its box', () => {
    expect(locateText('THANK you', screen)).toEqual({ text: 'Thank you, Ada!', lines: { first: 2, last: 2 }, box: { x: 32, y: 60, width: 150, height: 20 } });
  });

  test('gives every line a match runs over, and the box around them', () => {
    expect(locateText('is confirmed', screen)).toEqual({
      text: 'Your order #A-2O931 is confirmed.',
      lines: { first: 3, last: 4 },
      box: { x: 32, y: 100, width: 220, height: 50 },
    });
  });

  test('locates a RegExp match, /g or not', () => {
    expect(locateText(/keep \w+/gi, screen)?.lines).toEqual({ first: 5, last: 5 });
    expect(locateText(/absent/, screen)).toBeUndefined();
  });
});

describe('findClosestLine', () => {
  test('counts the edits between the expected text and the best part of each line, ignoring case', () => {
    expect(findClosestLine('order #A-20931 IS', screen)).toEqual({ number: 3, text: 'Your order #A-2O931 is', part: 'order #A-2O931 is', distance: 1 });
  });

  test('prefers the first line on a tie and skips empty lines', () => {
    expect(findClosestLine('shop', [line('', 0), line('Shop', 10), line('shop', 20)])).toMatchObject({ number: 2, distance: 0 });
  });

  test('has nothing to say with no lines or an empty expectation', () => {
    expect(findClosestLine('x', [])).toBeUndefined();
    expect(findClosestLine('  ', screen)).toBeUndefined();
  });
});

describe('substringDistance', () => {
  test.each([
    // needle, haystack → distance, best part
    ['abc', 'xxabcxx', 0, 'abc'],
    ['abc', 'xxabxx', 1, 'ab'],
    ['kitten', 'sitting', 2, 'sittin'], // k→s, e→i; the trailing g is not needed,
    ['abc', '', 3, ''],
    ['', 'abc', 0, ''],
    ['$42.99', 'Total: $43.99 incl. VAT', 1, '$43.99'],
  ] as const)('%j in %j is %i away (%j)', (needle, haystack, distance, part) => {
    const result = substringDistance(needle, haystack);
    expect({ distance: result.distance, part: haystack.slice(result.start, result.end) }).toEqual({ distance, part });
  });
});

test('unionBox is the smallest box around every box', () => {
  expect(unionBox([{ x: 10, y: 5, width: 10, height: 10 }, { x: 0, y: 20, width: 5, height: 5 }])).toEqual({ x: 0, y: 5, width: 20, height: 20 });
});
