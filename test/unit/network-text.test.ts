import { describe, expect, test } from 'vitest';
import { escapeNetworkText, NETWORK_TEXT_MAX, quoteNetworkText } from '../../src/text/network-text.js';

describe('escapeNetworkText', () => {
  test('shows control characters, bidi overrides and line separators as escapes, and keeps ordinary Unicode', () => {
    const hostile = 'Shop\x1b[2J\x1b]8;;https://evil.example\x07click\x1b]8;;\x07\rFAKE\nline\x9b31m\u202etxt.exe\u2028 — Café 🛒';
    expect(escapeNetworkText(hostile)).toMatchInlineSnapshot(`"Shop\\u001b[2J\\u001b]8;;https://evil.example\\u0007click\\u001b]8;;\\u0007\\rFAKE\\nline\\u009b31m\\u202etxt.exe\\u2028 — Café 🛒"`);
  });

  test('leaves ordinary text as it is', () => {
    expect(escapeNetworkText('https://shop.example/checkout?step=2#pay')).toBe('https://shop.example/checkout?step=2#pay');
    expect(escapeNetworkText('Thank you — Shop 🛒')).toBe('Thank you — Shop 🛒');
  });

  test('caps long text and says how much was left out', () => {
    const title = 'x'.repeat(20 * 1024 * 1024);
    const shown = escapeNetworkText(title);
    expect(shown.length).toBeLessThan(NETWORK_TEXT_MAX + 40);
    expect(shown.slice(NETWORK_TEXT_MAX)).toBe('… (20,969,520 more characters)');
  });

  test('counts the cap in shown characters, never cutting an escape or an emoji in two', () => {
    const shown = escapeNetworkText(`${'a'.repeat(NETWORK_TEXT_MAX - 3)}\x1b🛒🛒`);
    expect(shown).toBe(`${'a'.repeat(NETWORK_TEXT_MAX - 3)}… (5 more characters)`);
    expect(escapeNetworkText(`${'a'.repeat(NETWORK_TEXT_MAX - 1)}🛒`)).toBe(`${'a'.repeat(NETWORK_TEXT_MAX - 1)}… (2 more characters)`);
  });

  test('gives the same text when applied twice, so stored text can be escaped again when shown', () => {
    for (const text of ['a\x1bb', `${'\x1b'.repeat(3000)}`, 'y'.repeat(5000), 'plain']) {
      const once = escapeNetworkText(text);
      expect(escapeNetworkText(once)).toBe(once);
    }
  });
});

describe('quoteNetworkText', () => {
  test('quotes as JSON.stringify does for ordinary text, with the escapes of escapeNetworkText', () => {
    expect(quoteNetworkText('Say "hi" — Shop')).toBe(JSON.stringify('Say "hi" — Shop'));
    expect(quoteNetworkText('a\x1b[31mb\x9bc')).toBe('"a\\u001b[31mb\\u009bc"');
  });
});
