// The reference pipeline: the same assertion built the way jest-image-snapshot does it (src/diff-snapshot.js there),
// run in-process (its default spawns a child per assertion; we leave that cost out, in the reference's favour):
//   baseline = PNG of decoded pixels, written with pngjs defaults;
//   per assertion: fetch + base64 → decode the received JPEG (jpeg-js, its defaults; jest-image-snapshot takes pixels
//   as PNG, and we skip that JPEG→PNG→pixels round trip, again in its favour) → read + pngjs-decode the baseline →
//   pixelmatch with a diff buffer, always → on failure, pngjs default encode of the diff and a sync write
//   (jest-image-snapshot writes a 3-panel composite; we write the diff alone, again in its favour).
import { readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import jpeg from 'jpeg-js';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';
import { Agent, request } from 'undici';
import { DEFAULT_OPTIONS } from '../dist/index.js';
import { API_KEY } from './server.mjs';

// Our defaults, so both pipelines pass and fail on the same inputs.
const { threshold: THRESHOLD, maxDiffPixels: MAX_DIFF_PIXELS } = DEFAULT_OPTIONS;

/** The reference's baseline for a JPEG: its decoded pixels as a PNG, pngjs defaults. */
export function referenceBaseline(jpegBytes) {
  const image = jpeg.decode(jpegBytes, { useTArray: true });
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return PNG.sync.write(png);
}

export function createReference(baseUrl) {
  const agent = new Agent({ keepAliveTimeout: 10_000, connections: 16 });
  const headers = { authorization: `Bearer ${API_KEY}`, accept: 'application/json' };
  async function fetchJson(sessionId) {
    const response = await request(`${baseUrl}/sessions/${sessionId}/screenshot`, { dispatcher: agent, headers });
    return JSON.parse(await response.body.text());
  }

  /** One assertion of case `c`: { failed } or { threw }. */
  async function assert(c, { sessionId, baselinePng, referenceDiff: diffPath }) {
    const json = await fetchJson(sessionId);
    if (c.matcher === 'toBeOnPage') return { failed: !json.url.includes(c.pageExpectation) };
    try {
      const bytes = Buffer.from(json.screenshot.slice(json.screenshot.indexOf(',') + 1), 'base64');
      const received = jpeg.decode(bytes, { useTArray: true });
      rmSync(diffPath, { force: true });
      const baseline = PNG.sync.read(readFileSync(baselinePng));
      if (baseline.width !== received.width || baseline.height !== received.height) return { failed: !c.isNot };
      const diff = new PNG({ width: received.width, height: received.height });
      const count = pixelmatch(received.data, baseline.data, diff.data, received.width, received.height, { threshold: THRESHOLD });
      const matches = count <= MAX_DIFF_PIXELS;
      const failed = matches === c.isNot;
      if (failed) {
        mkdirSync(path.dirname(diffPath), { recursive: true });
        writeFileSync(diffPath, PNG.sync.write(diff));
      }
      return { failed, count };
    } catch (error) {
      return { threw: error.message };
    }
  }

  return { assert, close: () => agent.close() };
}
