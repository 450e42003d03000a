// Measures OCR preprocessing options on the accuracy corpus (test/fixtures/ocr/): for each option set, phrase recall
// (all, and text of at least 14 px), false positives and ms per page. The reasoning behind READING_PLAN in
// src/ocr/recognize.ts comes from this table.
//   npm run build && node bench/ocr-options.mjs [--only name,name]
import { parseArgs } from 'node:util';
import { decodeImage } from '../dist/image/image.js';
import { recognizeImage, stopEngine } from '../dist/ocr/engine.js';
import { encodePgm, flattenBackground, invert, toGray, upscale } from '../dist/ocr/preprocess.js';
import { READING_PLAN, readArea } from '../dist/ocr/recognize.js';
import { Screenshot } from '../dist/image/screenshot.js';
import { normalizeText } from '../dist/ocr/reading.js';
import { loadCorpus, scoreCorpus } from '../test/fixtures/ocr/corpus.mjs';

const { values: args } = parseArgs({ options: { only: { type: 'string' } } });

/** Lines' text of one engine read. */
const readText = async (image, psm, scale) =>
  (await recognizeImage(image, { tessedit_pageseg_mode: psm, user_defined_dpi: String(150 * scale) })).map((line) => line.text).join('\n');

/** Flips the polarity where the local background (box mean over (2r+1)² at 1×) is dark: light text becomes dark. */
function flipDarkAreas(gray, radius) {
  const { width, height, data } = gray;
  const integral = new Float64Array((width + 1) * (height + 1));
  for (let y = 0; y < height; y++) {
    let row = 0;
    for (let x = 0; x < width; x++) {
      row += data[y * width + x];
      integral[(y + 1) * (width + 1) + x + 1] = integral[y * (width + 1) + x + 1] + row;
    }
  }
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    const y0 = Math.max(0, y - radius), y1 = Math.min(height, y + radius + 1);
    for (let x = 0; x < width; x++) {
      const x0 = Math.max(0, x - radius), x1 = Math.min(width, x + radius + 1);
      const sum = integral[y1 * (width + 1) + x1] - integral[y0 * (width + 1) + x1] - integral[y1 * (width + 1) + x0] + integral[y0 * (width + 1) + x0];
      const mean = sum / ((y1 - y0) * (x1 - x0));
      const p = data[y * width + x];
      out[y * width + x] = mean < 128 ? 255 - p : p;
    }
  }
  return { width, height, data: out };
}

const gray = (pixels) => toGray(pixels, { x: 0, y: 0, width: pixels.width, height: pixels.height });
const PLANS = {
  'jpeg-psm3': async ({ bytes }) => readText(bytes, '3', 1),
  'gray1-psm3': async ({ pixels }) => readText(encodePgm(gray(pixels)), '3', 1),
  'gray2-psm3': async ({ pixels }) => readText(encodePgm(upscale(gray(pixels), 2)), '3', 2),
  'gray3-psm3': async ({ pixels }) => readText(encodePgm(upscale(gray(pixels), 3)), '3', 3),
  'gray2-psm11': async ({ pixels }) => readText(encodePgm(upscale(gray(pixels), 2)), '11', 2),
  'gray2-psm3+inverted': async ({ pixels }) => {
    const image = upscale(gray(pixels), 2);
    return `${await readText(encodePgm(image), '3', 2)}\n${await readText(encodePgm(invert(image)), '3', 2)}`;
  },
  'flat10-2-psm3': async ({ pixels }) => readText(encodePgm(upscale(flattenBackground(gray(pixels), 10, 2), 2)), '3', 2),
  'flat14-2-psm3': async ({ pixels }) => readText(encodePgm(upscale(flattenBackground(gray(pixels), 14, 2), 2)), '3', 2),
  'flat10-2-psm11': async ({ pixels }) => readText(encodePgm(upscale(flattenBackground(gray(pixels), 10, 2), 2)), '11', 2),
  'flat10-2x3-psm3': async ({ pixels }) => readText(encodePgm(upscale(flattenBackground(gray(pixels), 10, 2), 3)), '3', 3),
  'flat10-psm11+gray1-psm3': async ({ pixels }) => `${await readText(encodePgm(upscale(flattenBackground(gray(pixels), 10, 2), 2)), '11', 2)}\n${await readText(encodePgm(gray(pixels)), '3', 1)}`,
  'flat10-psm3+gray1-psm3': async ({ pixels }) => `${await readText(encodePgm(upscale(flattenBackground(gray(pixels), 10, 2), 2)), '3', 2)}\n${await readText(encodePgm(gray(pixels)), '3', 1)}`,
  'flat10-psm11+gray2-psm3': async ({ pixels }) => `${await readText(encodePgm(upscale(flattenBackground(gray(pixels), 10, 2), 2)), '11', 2)}\n${await readText(encodePgm(upscale(gray(pixels), 2)), '3', 2)}`,
  'shipped (READING_PLAN, one reading per place)': async ({ bytes }) => {
    const screenshot = new Screenshot({ bytes, url: '', title: '' });
    return (await readArea(screenshot, { x: 0, y: 0, width: screenshot.width, height: screenshot.height }, READING_PLAN)).text;
  },
  'flip2-psm3': async ({ pixels }) => readText(encodePgm(upscale(flipDarkAreas(gray(pixels), 12), 2)), '3', 2),
  'flip2-psm11': async ({ pixels }) => readText(encodePgm(upscale(flipDarkAreas(gray(pixels), 12), 2)), '11', 2),
};

const corpus = loadCorpus().map((page) => ({ ...page, pixels: decodeImage(page.bytes, 'image/jpeg') }));
const only = args.only?.split(',');
// Warm the worker so no plan pays the start.
await readText(encodePgm(gray(corpus[0].pixels)), '3', 1);
const rows = [];
for (const [name, plan] of Object.entries(PLANS)) {
  if (only && !only.includes(name)) continue;
  const texts = {};
  const ms = [];
  const cpu = [];
  for (const page of corpus) {
    const started = performance.now();
    const cpuAtStart = process.cpuUsage(); // the whole process, so the OCR worker thread too
    texts[page.name] = normalizeText(await plan(page));
    ms.push(performance.now() - started);
    const used = process.cpuUsage(cpuAtStart);
    cpu.push((used.user + used.system) / 1000);
  }
  const score = scoreCorpus(corpus, texts);
  const row = {
    plan: name,
    recall: `${score.found}/${score.total}`,
    recall14: `${score.found14}/${score.total14}`,
    falsePositives: score.falsePositives.length,
    msPerPage: Math.round(ms.reduce((a, b) => a + b, 0) / ms.length),
    cpuMsPerPage: Math.round(cpu.reduce((a, b) => a + b, 0) / cpu.length),
    categories: Object.fromEntries(Object.entries(score.categories).map(([c, v]) => [c, `${v.found}/${v.total}`])),
    missed: score.missed.map((m) => `${m.page}: ${m.text}`),
    fp: score.falsePositives.map((m) => `${m.page}: ${m.text}`),
  };
  rows.push(row);
  console.log(JSON.stringify(row));
}
await stopEngine();
