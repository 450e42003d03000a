// node bench/failing-path.mjs   (after `npm run build`)
// The choices behind the failing path, measured on the bench's 1920×1080 Chromium captures, one process, medians of
// interleaved rounds: each decoder; the diff drawn in a second pixelmatch pass vs in the only pass; the diff PNG
// encoded with pngjs settings from fastest to its defaults; and a decoded-baseline cache (raw RGBA on disk) read
// back against a fresh decode.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';
import { decodeImage } from '../dist/image/image.js';
import { loadJpegDecoder } from '../dist/image/jpeg-decoder.js';
import { DEFAULT_OPTIONS } from '../dist/index.js';
import { median, shuffle } from './measure.mjs';
import { capturePages } from './pages.mjs';

const ROUNDS = 7;
const { shots } = await capturePages();
const big = shots['1920x1080'];
const wasm = await loadJpegDecoder('wasm');
const js = await loadJpegDecoder('js');
const dir = await mkdtemp(path.join(os.tmpdir(), 'vitest-agi-failing-'));
const { threshold } = DEFAULT_OPTIONS;
const results = new Map();
const add = (id, ms) => results.set(id, [...(results.get(id) ?? []), ms]);
const time = async (id, fn) => {
  const start = performance.now();
  const out = await fn();
  add(id, performance.now() - start);
  return out;
};
const count = (a, b) => pixelmatch(a.data, b.data, undefined, a.width, a.height, { threshold });
const withDiff = (a, b) => {
  const out = new Uint8Array(a.width * a.height * 4);
  const n = pixelmatch(a.data, b.data, out, a.width, a.height, { threshold });
  return { n, diff: { width: a.width, height: a.height, data: out } };
};
const encode = (image, options) => {
  const png = new PNG();
  png.width = image.width;
  png.height = image.height;
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return PNG.sync.write(png, options);
};
const ENCODINGS = {
  'level 0 (stored), no filter': { deflateLevel: 0, deflateStrategy: 0, filterType: 0 },
  'level 1, default strategy, no filter (ours)': { deflateLevel: 1, deflateStrategy: 0, filterType: 0 },
  'level 1, RLE strategy, Sub filter': { deflateLevel: 1, filterType: 1 },
  'pngjs defaults': {},
};
const sizes = {};
const tasks = [];
for (const page of ['text', 'form', 'media']) {
  const p = big[page];
  for (const [name, decoder] of [['wasm', wasm], ['js', js]]) tasks.push([`decode ${name}`, page, () => decodeImage(p.base, 'image/jpeg', decoder)]);
  const [base, changed, caretA, caretB] = [p.base, p.changed, p.caretA, p.caretB].map((b) => decodeImage(b, 'image/jpeg', wasm));
  tasks.push([`fail: count, then a second pass with the diff`, page, () => (count(base, changed), withDiff(base, changed))]);
  tasks.push([`fail: one pass with the diff`, page, () => withDiff(base, changed)]);
  tasks.push([`pass (caret): count only`, page, () => count(caretA, caretB)]);
  tasks.push([`pass (caret): one pass with a diff buffer`, page, () => withDiff(caretA, caretB)]);
  const { diff } = withDiff(base, changed);
  for (const [name, options] of Object.entries(ENCODINGS)) {
    tasks.push([`encode: ${name}`, page, () => encode(diff, options)]);
    const png = encode(diff, options);
    sizes[`${name}/${page}`] = png.length;
    PNG.sync.read(png); // valid
  }
  const raw = path.join(dir, `${page}.rgba`);
  await writeFile(raw, base.data);
  tasks.push([`cache: read the decoded baseline back (raw RGBA)`, page, () => readFile(raw)]);
  const jpg = path.join(dir, `${page}.jpg`);
  await writeFile(jpg, p.base);
  tasks.push([`cache: read the baseline JPEG and decode it (wasm)`, page, async () => decodeImage(await readFile(jpg), 'image/jpeg', wasm)]);
}
// Pixels flagged on each page's change (text: one word and one digit; form: a button row moved; media: one card's
// hue +20°), per decoder, at three thresholds: the noise table's rows for the bench's own pages.
for (const page of ['text', 'form', 'media']) {
  const cells = [0.05, 0.1, 0.2].map((t) => [wasm, js].map((d) => {
    const [a, b] = [big[page].base, big[page].changed].map((bytes) => decodeImage(bytes, 'image/jpeg', d));
    return pixelmatch(a.data, b.data, undefined, a.width, a.height, { threshold: t });
  }).join(' / '));
  console.log(`flagged, ${page} changed (wasm / js) at threshold 0.05, 0.1, 0.2: ${cells.join(', ')}`);
}
for (let round = 0; round <= ROUNDS; round++) {
  for (const [id, page, fn] of shuffle(tasks, round + 1)) {
    const start = performance.now();
    await fn();
    if (round > 0) add(`${id}|${page}`, performance.now() - start);
  }
}
await rm(dir, { recursive: true, force: true });
const ids = [...new Set(tasks.map(([id]) => id))];
console.log(`1920×1080, medians of ${ROUNDS} interleaved rounds (ms): text / form / media`);
for (const id of ids) {
  const cells = ['text', 'form', 'media'].map((page) => median(results.get(`${id}|${page}`)).toFixed(1));
  const kb = id.startsWith('encode: ') ? `   (${['text', 'form', 'media'].map((page) => Math.round(sizes[`${id.slice(8)}/${page}`] / 1024)).join(' / ')} KiB)` : '';
  console.log(`  ${id.padEnd(56)} ${cells.join(' / ')}${kb}`);
}
