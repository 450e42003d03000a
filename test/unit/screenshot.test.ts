import { describe, expect, test } from 'vitest';
import { InvalidScreenshotError } from '../../src/errors.js';
import { Screenshot } from '../../src/image/screenshot.js';
import { dataUrl, shot } from '../helpers/fixtures.js';

const page = { url: 'http://shop.test/thanks', title: 'Thank you — Shop' };

describe('Screenshot.fromApiJson', () => {
  test('keeps the JPEG bytes exactly as received and reads the size without decoding', () => {
    const bytes = shot('docs.jpg');
    const screenshot = Screenshot.fromApiJson({ screenshot: dataUrl(bytes), ...page });
    expect(screenshot.bytes.equals(bytes)).toBe(true);
    expect([screenshot.mimeType, screenshot.width, screenshot.height, screenshot.url, screenshot.title]).toEqual([
      'image/jpeg', 1280, 720, page.url, page.title,
    ]);
    expect(screenshot.isDecoded).toBe(false);
    expect(screenshot.pixels.data.length).toBe(1280 * 720 * 4);
    expect(screenshot.pixels).toBe(screenshot.pixels); // decoded once
  });

  test('accepts a PNG data URL and a bare base64 string sniffed by magic bytes', () => {
    expect(Screenshot.fromApiJson({ screenshot: dataUrl(shot('docs.png'), 'image/png'), ...page }).mimeType).toBe('image/png');
    expect(Screenshot.fromApiJson({ screenshot: shot('docs.png').toString('base64'), ...page }).mimeType).toBe('image/png');
    expect(Screenshot.fromApiJson({ screenshot: shot('docs.jpg').toString('base64'), ...page }).mimeType).toBe('image/jpeg');
  });

  test.each([
    ['not an object', 'nope', 'screenshot response is not a JSON object (got string).'],
    ['no screenshot field', { url: 'u', title: 't' }, 'screenshot response has no "screenshot" field.'],
    ['null title', { screenshot: 'x', url: 'u', title: null }, 'screenshot response field "title" should be a string, but is null.'],
    ['an HTML data URL', { screenshot: 'data:text/html;base64,PGgxPg==', ...page }, 'screenshot is not a JPEG or PNG base64 data URL (starts with "data:text/html;base64,PGgxPg==").'],
    ['bad base64', { screenshot: 'data:image/jpeg;base64,/9j/4A*AQ', ...page }, 'screenshot is not valid base64 (character "*" at position 6).'],
    ['empty payload', { screenshot: 'data:image/jpeg;base64,', ...page }, 'screenshot is empty: the data URL carries no bytes.'],
    ['text bytes', { screenshot: dataUrl(Buffer.from('<html></html>')), ...page }, 'screenshot bytes are not a JPEG or PNG (they start with "<html></").'],
    ['PNG bytes labelled JPEG', { screenshot: dataUrl(shot('docs.png')), ...page }, 'screenshot is labelled image/jpeg but its bytes are image/png.'],
  ])('rejects %s with a clear error', (_case, body, message) => {
    expect(() => Screenshot.fromApiJson(body)).toThrowError(new InvalidScreenshotError(message));
  });
});
