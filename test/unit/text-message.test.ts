import { describe, expect, test } from 'vitest';
import { buildTextMessage, LINES_SHOWN, type TextMessageInput } from '../../src/matchers/text-message.js';
import { locateText, type ReadLine } from '../../src/matchers/text-search.js';

const line = (text: string, i: number): ReadLine => ({ text, box: { x: 32, y: 20 + 30 * i, width: 12 * text.length, height: 22 } });
const thanks = ['Tiny Shop', 'Thank you, Ada!', 'Your order #A-2O931 is confirmed.', 'Keep shopping'].map(line);
const input = (over: Partial<TextMessageInput>): TextMessageInput => ({
  hint: 'expect(session).toShowText("Order #A-20931 is confirmed")',
  isNot: false,
  expected: 'Order #A-20931 is confirmed',
  lines: thanks,
  found: undefined,
  region: undefined,
  capturePath: '.vitest-agi/test/shop.test.ts/thanks-text-1a2b3c4d.jpg',
  url: 'https://shop.example/thanks',
  title: 'Thank you — Shop',
  captures: [{ atMs: 0, url: 'https://shop.example/thanks', title: 'Thank you — Shop' }],
  elapsedMs: 900,
  ...over,
});

describe('buildTextMessage', () => {
  test('names the closest line by edit distance, and lists the lines read', () => {
    expect(buildTextMessage(input({}))).toMatchInlineSnapshot();
  });

  test('a RegExp has no closest line; an empty reading says so; a region is named', () => {
    expect(buildTextMessage(input({ expected: /order #\d+/i, lines: [], region: { x: 0, y: 0, width: 640, height: 60 } }))).toMatchInlineSnapshot();
  });

  test('.not names the line found and its box', () => {
    const found = locateText('THANK YOU', thanks);
    expect(buildTextMessage(input({ isNot: true, expected: 'thank you', found, hint: 'expect(session).not.toShowText("thank you")' }))).toMatchInlineSnapshot();
  });

  test(`cuts the lines at ${LINES_SHOWN}, and escapes and caps what OCR read like network text`, () => {
    const many = Array.from({ length: 45 }, (_, i) => line(i === 0 ? `\u001b]8;;https://evil.example\u0007click\u001b[2J${'x'.repeat(400)}` : `line ${i + 1}`, i));
    const message = buildTextMessage(input({ lines: many, expected: 'line 99' }));
    expect(message).not.toMatch(/\u001b|\u0007/);
    expect(message).toContain('Read 45 lines (the first 20 shown):\n   1  \\u001b]8;;https://evil.example\\u0007click\\u001b[2J');
    expect(message).toContain('(251 more characters)');
    expect(message).toContain('  20  line 20\n  … 25 more');
    expect(message).not.toContain('line 21');
  });
});
