import { describe, expect, test } from 'vitest';
import { InvalidScreenshotError } from '../../src/errors.js';
import { checkImageComplete, decodeImage, encodePng, readImageSize, sniffImageType } from '../../src/image/image.js';
import { findFrameHeader, flatJpeg, withExtraFrameHeaders } from '../../bench/jpeg-bombs.mjs';
import { bombJpeg, shot } from '../helpers/fixtures.js';

/** A copy of `jpeg` with `edit` applied to its frame header (SOF), given as a view of the segment. */
function withFrameHeader(jpeg: Buffer, edit: (sof: Buffer) => void): Buffer {
  const copy = Buffer.from(jpeg);
  const at = findFrameHeader(copy);
  edit(copy.subarray(at, at + 2 + copy.readUInt16BE(at + 2)));
  return copy;
}

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
      'screenshot header says 60000×60000, larger than the 16 MP (32767 px a side) that can be decoded safely.',
    );
    expect(performance.now() - started).toBeLessThan(50);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(10 * 1024 * 1024);
  });

  test('refuses a JPEG with a second frame header, however small the first one claims to be', () => {
    const bytes = withExtraFrameHeaders(shot('docs.jpg'), { width: 1, height: 1 }, [{ width: 4000, height: 4000 }]);
    expect(() => readImageSize(bytes, 'image/jpeg')).toThrowError(
      'screenshot is a corrupt JPEG: a second frame header (SOF0) at byte 651, after the one at byte 632; a screenshot has exactly one.',
    );
  });

  test('refuses a second frame header that comes after the image data', () => {
    const docs = shot('docs.jpg');
    const at = findFrameHeader(docs);
    const sof = docs.subarray(at, at + 2 + docs.readUInt16BE(at + 2));
    const bytes = Buffer.concat([docs.subarray(0, -2), sof, docs.subarray(-2)]);
    expect(() => readImageSize(bytes, 'image/jpeg')).toThrowError(/a second frame header \(SOF0\) at byte 111632, after the one at byte 632/);
  });

  test('refuses a baseline JPEG whose image data codes a component twice', () => {
    const docs = shot('docs-640x360.jpg');
    const sos = docs.indexOf(Buffer.from([0xff, 0xda]));
    const bytes = Buffer.concat([docs.subarray(0, -2), docs.subarray(sos, -2), docs.subarray(-2)]);
    expect(() => readImageSize(bytes, 'image/jpeg')).toThrowError(
      `screenshot is a corrupt JPEG: its scan (SOS) at byte ${docs.length - 2} codes component 1 again; a baseline JPEG codes each component once.`,
    );
  });

  // The bound counts the shortest codes of the file's own Huffman tables: at 2 bits a block, docs.jpg's 110,767 bytes
  // would pass for 4000×4000 (93,750 needed), and jpeg-js would set up all of it before failing (+246 MB, 1.3 s).
  test.each([
    ['docs-640x360.jpg', 4000, 3000, 'its header says 4000×3000, so its scan (SOS) at byte 838 needs at least 93813 bytes of image data, but holds 41921.'],
    ['docs.jpg', 4000, 4000, 'its header says 4000×4000, so its scan (SOS) at byte 851 needs at least 125000 bytes of image data, but holds 110767.'],
  ])('refuses %s with a frame header claiming %i×%i, more than its image data can hold', (name, width, height, reason) => {
    const bytes = withFrameHeader(shot(name), (sof) => {
      sof.writeUInt16BE(height, 5);
      sof.writeUInt16BE(width, 7);
    });
    expect(() => readImageSize(bytes, 'image/jpeg')).toThrowError(`screenshot is a corrupt JPEG: ${reason}`);
  });

  test('accepts the most tightly encoded JPEG the format allows', () => {
    expect(readImageSize(flatJpeg(1000, 600), 'image/jpeg')).toEqual({ width: 1000, height: 600 });
    expect(readImageSize(flatJpeg(1000, 600, { sampling: '4:4:4' }), 'image/jpeg')).toEqual({ width: 1000, height: 600 });
  });

  test('refuses frame headers jpeg-js cannot decode or a screenshot never has', () => {
    const docs = shot('docs-640x360.jpg');
    const refusal = (edit: (sof: Buffer) => void) => {
      try {
        readImageSize(withFrameHeader(docs, edit), 'image/jpeg');
        return 'accepted';
      } catch (error) {
        return error instanceof InvalidScreenshotError ? error.message : String(error);
      }
    };
    expect({
      arithmetic: refusal((sof) => (sof[1] = 0xc9)),
      lossless: refusal((sof) => (sof[1] = 0xc3)),
      precision: refusal((sof) => (sof[4] = 12)),
      components: refusal((sof) => (sof[9] = 4)),
      sampling: refusal((sof) => (sof[11] = 0x50)),
      length: refusal((sof) => sof.writeUInt16BE(20, 2)),
    }).toMatchInlineSnapshot(`
      {
        "arithmetic": "screenshot uses arithmetic JPEG coding (SOF9), which cannot be decoded: only baseline and progressive JPEGs can.",
        "components": "screenshot is a JPEG with 4 colour components, which cannot be compared: a screenshot has 3 (colour) or 1 (grey).",
        "length": "screenshot is a corrupt JPEG: its frame header at byte 632 is 20 bytes long, which does not fit 3 components.",
        "lossless": "screenshot uses lossless JPEG coding (SOF3), which cannot be decoded: only baseline and progressive JPEGs can.",
        "precision": "screenshot is a 12-bit JPEG, which cannot be decoded: only 8-bit JPEGs can.",
        "sampling": "screenshot is a corrupt JPEG: a component is sampled 5×0, where the format allows 1 to 4 each way.",
      }
    `);
  });

  test('refuses a segment whose length runs past the end of the file', () => {
    const bytes = Buffer.from(shot('docs-640x360.jpg'));
    bytes.writeUInt16BE(0xfff0, 4); // APP0
    expect(() => readImageSize(bytes, 'image/jpeg')).toThrowError(/APP0 segment at byte 2 is 65520 bytes long, past the end of the file/);
  });

  test('says a JPEG with no frame header is truncated', () => {
    const headless = Buffer.concat([shot('docs.jpg').subarray(0, 20), Buffer.from([0xff, 0xd9])]);
    expect(() => readImageSize(headless, 'image/jpeg')).toThrowError('screenshot is a truncated or corrupt JPEG: no frame header (SOF) found.');
  });

  test('says where a JPEG cut short inside its headers ends', () => {
    expect(() => readImageSize(shot('docs.jpg').subarray(0, 300), 'image/jpeg')).toThrowError(
      'screenshot is a truncated or corrupt JPEG: its APP2 segment at byte 20 is 472 bytes long, past the end of the file (300 bytes).',
    );
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
