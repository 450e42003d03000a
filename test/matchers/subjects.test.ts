import { describe, expect, test } from 'vitest';
import { shot } from '../helpers/fixtures.js';

/** The official TypeScript SDK's `Screenshot`: own data fields plus a `save()` method, no `screenshot()`. */
class SdkScreenshot {
  readonly format = 'jpg';
  readonly timestamp = new Date('2026-12-01T00:00:00Z');
  readonly width = 1280;
  readonly height = 720;
  constructor(
    readonly data: Buffer,
    readonly url: string,
    readonly title: string,
  ) {}
  async save(): Promise<void> {}
}

const thanksShot = () => new SdkScreenshot(shot('thanks.jpg'), 'https://shop.example/thanks', 'Thank you — Shop');

describe('subjects', () => {
  test('the SDK Screenshot instance is a subject of every page matcher, with .not', async () => {
    await expect(thanksShot()).toBeOnPage(/thank/i);
    await expect(thanksShot()).toHaveURL('https://shop.example/thanks');
    await expect(thanksShot()).toHaveTitle('Thank you — Shop');
    await expect(thanksShot()).not.toBeOnPage(/checkout/);
  });

  test('a Uint8Array view into a larger buffer is read from its own offset', async () => {
    const bytes = shot('thanks.jpg');
    const padded = new Uint8Array(bytes.length + 16);
    padded.set(bytes, 7);
    const view = padded.subarray(7, 7 + bytes.length);
    await expect({ data: view, url: 'https://shop.example/thanks', title: 'Thanks' }).toBeOnPage('thanks');
  });

  test('an SDK session whose screenshot() resolves to the SDK Screenshot is polled', async () => {
    let calls = 0;
    const session = { screenshot: async () => (calls++, thanksShot()) };
    await expect(session).toBeOnPage('thank you');
    expect(calls).toBe(1);
  });

  test('{ data } without url and title is refused with what is missing', async () => {
    await expect(expect({ data: shot('thanks.jpg') }).toBeOnPage('x')).rejects.toThrowError(
      'toBeOnPage: expect() received { data } without string `url` and `title`.',
    );
  });

  test('an unknown subject names all its keys, saying how many it left out', async () => {
    const subject = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`key${i}`, i]));
    await expect(expect(subject).toBeOnPage('x')).rejects.toThrowError(
      "toBeOnPage: expect() needs a Session, a Screenshot, or an object with a screenshot() method, but received an object with keys {key0, key1, key2, key3, key4, key5, key6, key7, … 3 more}.",
    );
  });
});
