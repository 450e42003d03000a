import { describe, expect, test } from 'vitest';
import { Screenshot } from '../../src/image/screenshot.js';
import type { TextReading } from '../../src/ocr/reading.js';
import { forgetReadings, recognizeText } from '../../src/ocr/recognize.js';
import { loadCorpus, scoreCorpus } from '../fixtures/ocr/corpus.mjs';

// The accuracy corpus (test/fixtures/ocr/: five 1280×720 Chromium JPEGs and phrases.json), read by the real engine.
// A phrase is found exactly as toShowText finds a string: a case-insensitive substring of the normalised text.
const corpus = loadCorpus();

async function readCorpus(): Promise<Record<string, TextReading>> {
  forgetReadings(); // a cold cache: every page is read by the engine
  const readings: Record<string, TextReading> = {};
  for (const page of corpus) readings[page.name] = await recognizeText(new Screenshot({ bytes: page.bytes, url: `https://shop.test/${page.name}`, title: page.name }));
  return readings;
}

describe('OCR accuracy on the corpus', () => {
  test('phrases in text of 14 px or more are found (≥ 98 %), near-misses never are, and a second cold read is identical', { timeout: 600_000 }, async () => {
    const first = await readCorpus();
    const score = scoreCorpus(corpus, Object.fromEntries(Object.entries(first).map(([name, reading]) => [name, reading.text])));
    const table = Object.entries(score.categories).map(([category, { found, total }]) => `${category.padEnd(14)} ${found}/${total}`);
    console.log(`recall ${score.found}/${score.total}, ≥ 14 px ${score.found14}/${score.total14}, false positives ${score.falsePositives.length}\n${table.join('\n')}`);
    expect(score.falsePositives).toEqual([]);
    expect(score.missed.filter((phrase) => phrase.px >= 14)).toEqual([]); // listed, if any, to see what was missed
    expect(score.recall14).toBeGreaterThanOrEqual(0.98);
    expect(score.total14).toBeGreaterThanOrEqual(60);

    const second = await readCorpus();
    for (const page of corpus) expect(second[page.name], page.name).not.toBe(first[page.name]); // really read again
    expect(second).toEqual(first);
  });
});
