// What reading text costs, and how well it reads: screenshot.text() on the bench's dense docs page at each size
// (first read with a cold worker and with a warm one, a cache hit, a region), and the accuracy corpus
// (test/fixtures/ocr/) scored per category. Ratios to the floor F and to toBeOnPage are added by index.mjs.
import { Screenshot } from '../dist/image/screenshot.js';
import { engineStats, stopEngine } from '../dist/ocr/engine.js';
import { READING_PLAN, forgetReadings, recognizeText } from '../dist/ocr/recognize.js';
import { loadCorpus, scoreCorpus } from '../test/fixtures/ocr/corpus.mjs';
import { median, timeOnce } from './measure.mjs';
import { toShowText } from '../dist/matchers/index.js';
import { assertLikeVitest, ourSession } from './ours.mjs';

export const OCR_PAGE = 'text';
const KINDS = ['coldWorker', 'warmWorker', 'cacheHit', 'region'];

/** The top-left quarter of the screen (a header and the start of the content): what `region` reads. */
export const ocrRegion = (size) => ({ x: 0, y: 0, width: size.width / 2, height: size.height / 2 });

/** Medians over `rounds` of each kind of read, per size. Each round stops the worker and forgets every reading. */
export async function measureOcrCost(shots, sizes, rounds) {
  const bySize = {};
  for (const size of sizes) {
    const bytes = shots[size.name][OCR_PAGE].base;
    const capture = () => new Screenshot({ bytes, url: 'https://bench.example/docs', title: 'Carts — Shop API docs' });
    const samples = Object.fromEntries(KINDS.map((kind) => [kind, []]));
    let text = '';
    for (let round = 0; round < rounds; round++) {
      await stopEngine();
      forgetReadings();
      const cold = await timeOnce(() => recognizeText(capture()));
      samples.coldWorker.push(cold);
      text = cold.result.text;
      forgetReadings();
      samples.warmWorker.push(await timeOnce(() => recognizeText(capture())));
      const reads = engineStats().reads;
      // A new Screenshot of the same bytes, as polling an unchanged page makes: header checks, SHA-256, lookup.
      samples.cacheHit.push(await timeOnce(() => recognizeText(capture())));
      if (engineStats().reads !== reads) throw new Error('bench: the cache hit ran the engine');
      samples.region.push(await timeOnce(() => recognizeText(capture(), { region: ocrRegion(size) })));
    }
    bySize[size.name] = {
      page: OCR_PAGE,
      words: text.split(' ').length,
      ...Object.fromEntries(KINDS.flatMap((kind) => [[`${kind}Ms`, median(samples[kind].map((x) => x.ms))], [`${kind}CpuMs`, median(samples[kind].map((x) => x.cpuMs))]])),
      region: ocrRegion(size),
      samples: rounds,
    };
  }
  await stopEngine();
  return { enginePassesPerRead: READING_PLAN.length, plan: READING_PLAN, sizes: bySize };
}

/** A phrase of the bench's docs page (pages.mjs), in its 15 px body text. */
export const OCR_PHRASE = 'expires after 30 minutes of inactivity';

/**
 * toShowText end to end on a session of the bench's API server, as Vitest calls it: the first assertion on a capture
 * (fetch, decode, two engine passes; warm worker) and the next one on the same, unchanged page (fetch, SHA-256, cache).
 */
export async function measureToShowText({ root, baseUrl, sessionIdOf, sizes, rounds }) {
  const bySize = {};
  for (const size of sizes) {
    const session = ourSession(baseUrl, sessionIdOf(size.name));
    const assert = async () => {
      const { failed, message } = await assertLikeVitest(toShowText, root, false, session, OCR_PHRASE);
      if (failed) throw new Error(`bench: toShowText(${JSON.stringify(OCR_PHRASE)}) failed at ${size.name}, so its times would mean nothing:\n${message}`);
    };
    const first = [];
    const again = [];
    for (let round = 0; round < rounds; round++) {
      forgetReadings();
      first.push(await timeOnce(assert));
      again.push(await timeOnce(assert));
    }
    bySize[size.name] = {
      page: OCR_PAGE,
      phrase: OCR_PHRASE,
      firstMs: median(first.map((x) => x.ms)),
      firstCpuMs: median(first.map((x) => x.cpuMs)),
      unchangedMs: median(again.map((x) => x.ms)),
      unchangedCpuMs: median(again.map((x) => x.cpuMs)),
      samples: rounds,
    };
  }
  await stopEngine();
  return bySize;
}

/** The corpus read once with a cold cache (warm worker): recall per category, false positives, ms per page. */
export async function measureOcrAccuracy() {
  const corpus = loadCorpus();
  forgetReadings();
  const texts = {};
  const times = [];
  for (const page of corpus) {
    const { ms, cpuMs, result } = await timeOnce(() => recognizeText(new Screenshot({ bytes: page.bytes, url: `https://shop.test/${page.name}`, title: page.name })));
    texts[page.name] = result.text;
    times.push({ ms, cpuMs });
  }
  await stopEngine();
  const score = scoreCorpus(corpus, texts);
  return {
    pages: corpus.length,
    size: '1280x720',
    recall: score.recall,
    recall14px: score.recall14,
    found: score.found,
    phrases: score.total,
    found14px: score.found14,
    phrases14px: score.total14,
    falsePositives: score.falsePositives.length,
    absentPhrases: corpus.reduce((n, page) => n + page.absent.length, 0),
    categories: Object.fromEntries(Object.entries(score.categories).map(([name, { found, total }]) => [name, { found, total, recall: found / total }])),
    missed: score.missed.map(({ page, text, px }) => ({ page, text, px })),
    falsePositiveList: score.falsePositives,
    msPerPage: median(times.map((x) => x.ms)),
    cpuMsPerPage: median(times.map((x) => x.cpuMs)),
  };
}

/** Each read as a ratio to the floor F and to toBeOnPage (`pageCheckMs`: the page-only case), per size. */
export function addOcrRatios(ocr, floorMs, pageCheckMs) {
  for (const [size, s] of Object.entries(ocr.sizes)) {
    for (const kind of KINDS) {
      s[`${kind}RatioToFloor`] = s[`${kind}Ms`] / floorMs[size];
      s[`${kind}RatioToPageCheck`] = s[`${kind}Ms`] / pageCheckMs[size];
    }
  }
  for (const [size, s] of Object.entries(ocr.toShowText ?? {})) {
    for (const kind of ['first', 'unchanged']) {
      s[`${kind}RatioToFloor`] = s[`${kind}Ms`] / floorMs[size];
      s[`${kind}RatioToPageCheck`] = s[`${kind}Ms`] / pageCheckMs[size];
    }
  }
}

/** The OCR part of the report, as text. */
export function formatOcr(ocr) {
  const ms = (v) => `${Math.round(v)} ms`;
  const ratio = (v) => `${Math.round(v).toLocaleString('en-US')}×`;
  const lines = ['', `OCR: screenshot.text() on the "${OCR_PAGE}" page (${ocr.enginePassesPerRead} engine passes a read), medians; ratio to F and to toBeOnPage`];
  lines.push(`  ${'size'.padEnd(10)} ${'cold worker'.padStart(22)} ${'warm worker'.padStart(22)} ${'cache hit'.padStart(22)} ${'region ¼'.padStart(22)}`);
  for (const [size, s] of Object.entries(ocr.sizes)) {
    const cell = (kind) => `${ms(s[`${kind}Ms`])} ${ratio(s[`${kind}RatioToFloor`])}F ${s[`${kind}RatioToPageCheck`].toFixed(1)}×P`.padStart(22);
    lines.push(`  ${size.padEnd(10)} ${KINDS.map(cell).join(' ')}`);
  }
  for (const [size, s] of Object.entries(ocr.toShowText ?? {})) {
    const cell = (kind) => `${ms(s[`${kind}Ms`])} ${ratio(s[`${kind}RatioToFloor`])}F ${s[`${kind}RatioToPageCheck`].toFixed(1)}×P`;
    lines.push(`  toShowText ${size}: first ${cell('first')}; unchanged page again ${cell('unchanged')}`);
  }
  const a = ocr.accuracy;
  lines.push(`OCR accuracy, ${a.pages} pages at ${a.size}: recall ${a.found}/${a.phrases}, ≥ 14 px ${a.found14px}/${a.phrases14px} (${(a.recall14px * 100).toFixed(1)} %), false positives ${a.falsePositives}/${a.absentPhrases}, ${ms(a.msPerPage)} a page`);
  for (const [name, c] of Object.entries(a.categories)) lines.push(`  ${name.padEnd(14)} ${String(c.found).padStart(3)}/${String(c.total).padEnd(3)} ${(c.recall * 100).toFixed(0).padStart(4)} %`);
  if (a.missed.length) lines.push(`  missed: ${a.missed.map((m) => `${m.page} "${m.text}" (${m.px} px)`).join('; ')}`);
  return `${lines.join('\n')}\n`;
}
