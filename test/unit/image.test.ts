import { describe, expect, test } from 'vitest';
import { InvalidScreenshotError } from '../../src/errors.js';
import { checkImageComplete, decodeImage, encodePng, readImageSize, sniffImageType } from '../../src/image.js';
import { bombJpeg, shot } from '../helpers/fixtures.js';

describe('sniffImageType', () => {
  test('recognises JPEG and PNG by magic bytes, and nothing else', () => {
    expect(sniffImageType(shot('docs.jpg'))).toBe('image/jpeg');
    expect(sniffImageType(shot('docs.png'))).toBe('image/png');
    expect(sniffImageType(Buffer.from('<html>'))).toBeUndefined();
    expect(sniffImageType(Buffer.alloc(0))).toBeUndefined();
  });
});

describe('readImageSize', () => {
  test('reads a Chromium JPEG and PNG size from the header', () => {
    expect(readImageSize(shot('docs.jpg'), 'image/jpeg')).toEqual({ width: 1280, height: 720 });
    expect(readImageSize(shot('docs-640x360.jpg'), 'image/jpeg')).toEqual({ width: 640, height: 360 });
    expect(readImageSize(shot('docs.png'), 'image/png')).toEqual({ width: 1280, height: 720 });
  });

  test('refuses a 60000×60000 header in milliseconds, before allocating', () => {
    const before = process.memoryUsage().arrayBuffers;
    const started = performance.now();
    expect(() => readImageSize(bombJpeg(), 'image/jpeg')).toThrowError(
      'screenshot header says 60000×60000, larger than the 40 MP (32767 px a side) that can be decoded safely.',
    );
    expect(performance.now() - started).toBeLessThan(50);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(10 * 1024 * 1024);
  });

  test('says a JPEG with no frame header is truncated', () => {
    expect(() => readImageSize(shot('docs.jpg').subarray(0, 300), 'image/jpeg')).toThrowError(/truncated or corrupt JPEG: no frame header/);
  });
});

describe('decodeImage', () => {
  test('decodes a Chromium JPEG to RGBA', () => {
    const image = decodeImage(shot('docs.jpg'), 'image/jpeg');
    expect([image.width, image.height, image.data.length]).toEqual([1280, 720, 1280 * 720 * 4]);
  });

  test('fails on a truncated JPEG instead of decoding a half-grey frame', () => {
    const bytes = shot('docs.jpg');
    expect(() => decodeImage(bytes.subarray(0, Math.floor(bytes.length * 0.4)), 'image/jpeg')).toThrowError(InvalidScreenshotError);
  });

  test('round-trips pixels through the fast PNG encoder', () => {
    const image = decodeImage(shot('docs-640x360.jpg'), 'image/jpeg');
    const back = decodeImage(encodePng(image), 'image/png');
    expect(Buffer.from(back.data).equals(Buffer.from(image.data))).toBe(true);
  });
});

describe('checkImageComplete', () => {
  test('accepts whole files, zero padding after the end marker included', () => {
    checkImageComplete(shot('docs.jpg'), 'image/jpeg');
    checkImageComplete(Buffer.concat([shot('docs.jpg'), Buffer.alloc(3)]), 'image/jpeg');
    checkImageComplete(shot('docs.png'), 'image/png');
  });

  test('refuses a transfer cut short, without decoding', () => {
    expect(() => checkImageComplete(shot('docs.jpg').subarray(0, 5000), 'image/jpeg')).toThrowError(
      'screenshot is a truncated JPEG (no end-of-image marker): 5000 bytes arrived.',
    );
    expect(() => checkImageComplete(shot('docs.png').subarray(0, 5000), 'image/png')).toThrowError(
      'screenshot is a truncated PNG (no IEND chunk): 5000 bytes arrived.',
    );
  });
});
