import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { findFrameHeader, withExtraFrameHeaders } from '../../bench/jpeg-bombs.mjs';
import { InvalidScreenshotError } from '../../src/errors.js';
import { decodeImage } from '../../src/image/image.js';
import { isWasmDecoderLoaded, jsJpegDecoder, loadJpegDecoder, type JpegDecoder } from '../../src/image/jpeg-decoder.js';
import { Screenshot } from '../../src/image/screenshot.js';
import { configure, resetConfiguration } from '../../src/options/options.js';
import { bombJpeg, shot } from '../helpers/fixtures.js';

const page = { url: 'http://shop.test/docs', title: 'Docs — Shop' };
const dirs: string[] = [];
afterAll(async () => {
  resetConfiguration();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

// Vitest runs each test file in a fresh module graph, so this file starts with no decoder loaded: keep this test first.
test('a suite whose screenshots are byte-identical never loads the wasm decoder; the first pixel comparison loads it once', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'agi-decoder-'));
  dirs.push(dir);
  configure({ snapshotDir: path.join(dir, 'snapshots'), outputDir: path.join(dir, 'out') });
  const baseline = path.join(dir, 'snapshots', 'test/unit/jpeg-decoder.test.ts');
  await mkdir(baseline, { recursive: true });
  await writeFile(path.join(baseline, 'docs.jpg'), shot('docs.jpg'));
  await writeFile(path.join(baseline, 'form.jpg'), shot('form-caret-a.jpg'));

  await expect(new Screenshot({ bytes: shot('docs.jpg'), ...page })).toMatchScreenshot('docs');
  await expect(new Screenshot({ bytes: shot('docs.jpg'), ...page })).toMatchScreenshot('docs');
  expect(isWasmDecoderLoaded()).toBe(false);

  await expect(new Screenshot({ bytes: shot('form-caret-b.jpg'), ...page })).toMatchScreenshot('form');
  expect(isWasmDecoderLoaded()).toBe(true);
  const [a, b] = await Promise.all([loadJpegDecoder('wasm'), loadJpegDecoder('wasm')]);
  expect(a).toBe(b);
  expect(a.name).toBe('wasm');
});

/** The real decoder, counting its calls: proof that a refusal came before it ran. */
function counting(decoder: JpegDecoder): JpegDecoder & { calls: number } {
  const counted = { name: decoder.name, calls: 0, decode: (bytes: Uint8Array) => (counted.calls++, decoder.decode(bytes)) };
  return counted;
}

/** docs.jpg with a run of its image data cut out: the headers are intact and the data is long enough to pass the walk. */
function withDataCutOut(): Buffer {
  const docs = shot('docs.jpg');
  const start = docs.indexOf(Buffer.from([0xff, 0xda])) + 2000;
  return Buffer.concat([docs.subarray(0, start), docs.subarray(start + 30_000)]);
}

describe.each(['wasm', 'js'] as const)('the %s decoder', (name) => {
  test('decodes a Chromium JPEG to RGBA', async () => {
    const image = decodeImage(shot('docs.jpg'), 'image/jpeg', await loadJpegDecoder(name));
    expect([image.width, image.height, image.data.length]).toEqual([1280, 720, 1280 * 720 * 4]);
  });

  test.each([
    ['a 60000×60000 header', bombJpeg(), /larger than the 16 MP/],
    ['several frame headers', withExtraFrameHeaders(shot('docs.jpg'), { width: 1, height: 1 }, [{ width: 4000, height: 4000 }]), /a second frame header/],
    ['a header claiming more pixels than the data holds', withExtraFrameHeaders(shot('docs.jpg'), { width: 4000, height: 4000 }, []), /needs at least 125000 bytes of image data/],
    ['a transfer cut short', shot('docs.jpg').subarray(0, 60_000), /truncated JPEG \(no end-of-image marker\)/],
  ])('never sees %s: it is refused before the decoder runs', async (_, bytes, reason) => {
    const decoder = counting(await loadJpegDecoder(name));
    expect(() => decodeImage(bytes, 'image/jpeg', decoder)).toThrowError(reason);
    expect(decoder.calls).toBe(0);
  });

  test('refuses corrupt image data that the header walk lets through, instead of decoding a repaired frame', async () => {
    const bytes = withDataCutOut();
    expect(readSize(bytes)).toEqual({ width: 1280, height: 720 });
    const decoder = counting(await loadJpegDecoder(name));
    expect(() => decodeImage(bytes, 'image/jpeg', decoder)).toThrowError(InvalidScreenshotError);
    expect(decoder.calls).toBe(1);
    // …and decodes the next whole file as before.
    expect(decodeImage(shot('docs-640x360.jpg'), 'image/jpeg', decoder).width).toBe(640);
  });
});

test('baseline and capture are decoded by the decoder asked for, and a capture decoded by another is decoded again', async () => {
  const wasm = await loadJpegDecoder('wasm');
  const capture = new Screenshot({ bytes: shot('docs-edited.jpg'), ...page });
  const byWasm = capture.pixelsWith(wasm);
  expect(capture.pixelsWith(wasm)).toBe(byWasm);
  const byJs = capture.pixelsWith(jsJpegDecoder);
  expect(byJs).not.toBe(byWasm);
  // Not the same pixels: which is why both sides of a comparison always go through one decoder.
  expect(Buffer.from(byJs.data).equals(Buffer.from(byWasm.data))).toBe(false);
  capture.releasePixels();
  expect(capture.isDecoded).toBe(false);
});

function readSize(bytes: Buffer) {
  const at = findFrameHeader(bytes);
  return { width: bytes.readUInt16BE(at + 7), height: bytes.readUInt16BE(at + 5) };
}
