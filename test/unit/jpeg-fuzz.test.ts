import { expect, test } from 'vitest';
import { mutateJpegs } from '../../bench/jpeg-fuzz.mjs';
import { InvalidScreenshotError } from '../../src/errors.js';
import { loadJpegDecoder, type JpegDecoderName } from '../../src/image/jpeg-decoder.js';
import { Screenshot } from '../../src/image/screenshot.js';
import { shot } from '../helpers/fixtures.js';

const FIXTURES = Object.fromEntries(['docs.jpg', 'docs-640x360.jpg', 'form.jpg', 'thanks.jpg'].map((name) => [name, shot(name)]));

// 400 cases from a fixed seed take a few seconds per decoder. Time and memory per case are measured by
// `node bench/fuzz-jpeg.mjs` (a longer run, each case's peak in a fresh count), never asserted here.
test.each(['wasm', 'js'] as const)(
  'a mutated JPEG either decodes to the size its header says or is refused with InvalidScreenshotError (%s decoder)',
  async (name: JpegDecoderName) => {
    const decoder = await loadJpegDecoder(name);
    expect(decoder.name).toBe(name);
    const outcomes = { decoded: 0, refused: 0 };
    const wrong: string[] = [];
    for (const { name: mutation, bytes } of mutateJpegs(FIXTURES, { count: 400, seed: 10 })) {
      try {
        const screenshot = new Screenshot({ bytes, url: 'about:blank', title: '' });
        const { width, height, data } = screenshot.pixelsWith(decoder);
        if (width !== screenshot.width || height !== screenshot.height || data.length !== width * height * 4) {
          wrong.push(`${mutation}: header says ${screenshot.width}×${screenshot.height}, decoded ${width}×${height} (${data.length} bytes)`);
        }
        outcomes.decoded++;
      } catch (error) {
        if (error instanceof InvalidScreenshotError) outcomes.refused++;
        else wrong.push(`${mutation}: ${(error as Error).name}: ${(error as Error).message}`);
      }
    }
    expect(wrong).toEqual([]);
    // Both outcomes must be common, or the mutations test only one path.
    expect(outcomes.decoded).toBeGreaterThan(40);
    expect(outcomes.refused).toBeGreaterThan(40);
    // Every decoder must still decode a whole capture after the refusals.
    expect(new Screenshot({ bytes: shot('docs.jpg'), url: 'about:blank', title: '' }).pixelsWith(decoder).width).toBe(1280);
  },
);
