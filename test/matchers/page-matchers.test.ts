import { describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { recordedAssertions } from '../../src/results/records.js';
import { Screenshot } from '../../src/image/screenshot.js';
import { shot } from '../helpers/fixtures.js';
import { failureOf } from '../helpers/messages.js';

const thanks = () => new Screenshot({ bytes: shot('thanks.jpg'), url: 'https://shop.example/checkout/done?order=42', title: 'Thank you — Shop' });

describe('toBeOnPage', () => {
  test('matches a case-insensitive part of the URL or the title', async () => {
    await expect(thanks()).toBeOnPage('CHECKOUT/DONE');
    await expect(thanks()).toBeOnPage('thank you');
    await expect(thanks()).not.toBeOnPage('payment');
  });

  test('with { url, title } every given part must match, strings exactly', async () => {
    await expect(thanks()).toBeOnPage({ url: /done/, title: 'Thank you — Shop' });
    await expect(thanks()).not.toBeOnPage({ url: /done/, title: 'Thank you' });
    expect(await failureOf(expect(thanks()).toBeOnPage({ url: 'https://shop.example/checkout/done', title: /thank/i }))).toMatchInlineSnapshot(`
      "expect(screenshot).toBeOnPage({ url: "https://shop.example/checkout/done", title: /thank/i })

        Expected:       URL "https://shop.example/checkout/done" and title /thank/i
        Received URL:   "https://shop.example/checkout/done?order=42"
        Received title: "Thank you — Shop""
    `);
  });

  test('a /g pattern gives the same answer on every capture', async () => {
    const pattern = /thank/gi;
    await expect(thanks()).toBeOnPage(pattern);
    await expect(thanks()).toBeOnPage(pattern);
  });

  test('.not with a string says what should not be there', async () => {
    expect(await failureOf(expect(thanks()).not.toBeOnPage('done'))).toMatchInlineSnapshot(`
      "expect(screenshot).not.toBeOnPage("done")

        Expected:       URL or title not to contain "done" (ignoring case)
        Received URL:   "https://shop.example/checkout/done?order=42"
        Received title: "Thank you — Shop""
    `);
  });

  test.each([
    [42, 'toBeOnPage: expected a string (part of the URL or title), a RegExp, or { url?, title? } with at least one part, but received number.'],
    [{}, 'toBeOnPage: expected a string (part of the URL or title), a RegExp, or { url?, title? } with at least one part, but received an object with neither url nor title.'],
    [{ url: 5 }, 'toBeOnPage: the expected url must be a string or a RegExp, but received number.'],
  ])('refuses %j as an expectation', async (expected, message) => {
    await expect(expect(thanks()).toBeOnPage(expected as never)).rejects.toThrowError(new UsageError(message));
  });

  test('records a refused expectation as an `error` assertion for the results reporter', async ({ task }) => {
    await expect(expect(thanks()).toBeOnPage(42 as never)).rejects.toThrowError(UsageError);
    expect(recordedAssertions(task)).toEqual([
      expect.objectContaining({ matcher: 'toBeOnPage', outcome: 'error', error: expect.stringMatching(/^UsageError: toBeOnPage: expected a string/) }),
    ]);
  });

  test('refuses an unknown option by name', async () => {
    await expect(expect(thanks()).toBeOnPage('x', { timout: 5 } as never)).rejects.toThrowError(
      'toBeOnPage: unknown option `timout`. Known options: `timeout`, `interval`.',
    );
  });
});

describe('toHaveURL and toHaveTitle', () => {
  test('compare exactly with a string and test a RegExp', async () => {
    await expect(thanks()).toHaveURL('https://shop.example/checkout/done?order=42');
    await expect(thanks()).toHaveURL(/order=\d+$/);
    await expect(thanks()).not.toHaveURL('https://shop.example/checkout/done');
    await expect(thanks()).toHaveTitle('Thank you — Shop');
    await expect(thanks()).not.toHaveTitle(/payment/i);
  });

  test('a wrong title fails with expected and received, for Vitest to diff', async () => {
    const error: unknown = await expect(thanks()).toHaveTitle('Payment — Shop').catch((e: unknown) => e);
    expect(error).toMatchObject({ expected: 'Payment — Shop', actual: 'Thank you — Shop' });
    await expect(expect(thanks()).toHaveTitle(null as never)).rejects.toThrowError('toHaveTitle: the expected title must be a string or a RegExp, but received null.');
  });
});
