import { describe, expect, test } from 'vitest';
import { buildTextMessage, LINE_CHARS, LINES_SHOWN, type TextMessageInput } from '../../src/matchers/text-message.js';
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
    expect(buildTextMessage(input({}))).toMatchInlineSnapshot(`
      "expect(session).toShowText("Order #A-20931 is confirmed")

      Expected the screen to show "Order #A-20931 is confirmed" (ignoring case and spacing), but OCR did not read it.
      Closest: "order #A-2O931 is confirmed" on line 3, 1 character different.

        Capture: .vitest-agi/test/shop.test.ts/thanks-text-1a2b3c4d.jpg
        Page:    https://shop.example/thanks  "Thank you — Shop"

      Read 4 lines:
        1  Tiny Shop
        2  Thank you, Ada!
        3  Your order #A-2O931 is confirmed.
        4  Keep shopping

      If the page is right and OCR misread a character (0/O, 1/l, rn/m), match it with a RegExp that allows both."
    `);
  });

  test('a RegExp has no closest line; an empty reading says so; a region is named; polling shows the trajectory', () => {
    const captures = [0, 1000, 2000].map((atMs) => ({ atMs, url: 'https://shop.example/thanks', title: 'Thank you — Shop' }));
    expect(buildTextMessage(input({ expected: /order #\d+/i, lines: [], region: { x: 0, y: 0, width: 640, height: 60 }, captures, elapsedMs: 2400 }))).toMatchInlineSnapshot(`
      "expect(session).toShowText("Order #A-20931 is confirmed")

      Expected the region to show text matching /order #\\d+/i, but OCR read no text there.

        Capture: .vitest-agi/test/shop.test.ts/thanks-text-1a2b3c4d.jpg
        Region:  {x: 0, y: 0, width: 640, height: 60}
        Page:    https://shop.example/thanks  "Thank you — Shop"

      Captured 3 times over 2.4 s:
          +0.0–2.0 s  https://shop.example/thanks  "Thank you — Shop"  (3 captures)"
    `);
  });

  test('.not names the line found and its box', () => {
    const found = locateText('THANK YOU', thanks);
    expect(buildTextMessage(input({ isNot: true, expected: 'thank you', found, hint: 'expect(session).not.toShowText("thank you")' }))).toMatchInlineSnapshot(`
      "expect(session).not.toShowText("thank you")

      Expected the screen not to show "thank you" (ignoring case and spacing), but line 2 of 4 lines read shows it:
      "Thank you, Ada!" at {x: 32, y: 50, width: 180, height: 22}.

        Capture: .vitest-agi/test/shop.test.ts/thanks-text-1a2b3c4d.jpg
        Page:    https://shop.example/thanks  "Thank you — Shop""
    `);
  });

  test(`cuts the lines at ${LINES_SHOWN}, and escapes and caps what OCR read like network text`, () => {
    const many = Array.from({ length: 45 }, (_, i) => line(i === 0 ? `\u001b]8;;https://evil.example\u0007click\u001b[2J${'x'.repeat(400)}` : `line ${i + 1}`, i));
    const message = buildTextMessage(input({ lines: many, expected: 'line 99' }));
    expect(message).not.toMatch(/\u001b|\u0007/);
    expect(message).toContain('Read 45 lines (the first 20 shown):\n   1  \\u001b]8;;https://evil.example\\u0007click\\u001b[2J');
    const first = message.split('\n').find((row) => row.startsWith('   1  '))!;
    expect(first).toMatch(/x… \(\d+ more characters\)$/);
    expect(first.length).toBeLessThan(LINE_CHARS + 40);
    expect(message).toContain('  20  line 20\n  … 25 more');
    expect(message).not.toContain('line 21');
  });
});
