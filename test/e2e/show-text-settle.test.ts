import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, test } from 'vitest';
import { Screenshot } from '../../src/image/screenshot.js';
import { toShowText } from '../../src/matchers/to-show-text.js';
import { configure, resetConfiguration } from '../../src/options/options.js';
import { fakeAssertionContext } from '../helpers/assertion-context.js';

// toShowText with `settle` reads the page once it is still, not the first capture (in the e2e lane: real OCR).
const corpus = (page: string) => readFileSync(new URL(`../fixtures/ocr/${page}.jpg`, import.meta.url));
const shop = () => new Screenshot({ bytes: corpus('shop'), url: 'http://shop.test/', title: 'Tiny Shop' });
const order = () => new Screenshot({ bytes: corpus('order'), url: 'http://shop.test/order', title: 'Order' });
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'agi-text-settle-'));
  configure({ outputDir: path.join(dir, 'out') });
});
afterEach(async () => {
  resetConfiguration();
  await rm(dir, { recursive: true, force: true });
});

/** A page that shows the shop, then moves on to the order page and stays there. */
function navigating() {
  let calls = 0;
  return { subject: { screenshot: async () => (calls++ === 0 ? shop() : order()) }, calls: () => calls };
}

test('toShowText with settle reads the page once two captures in a row are the same, and records how it settled', async () => {
  const page = navigating();
  const context = fakeAssertionContext({ root: dir });
  const result = await toShowText.call(context, page.subject, 'Order confirmed', { settle: 5000 });
  expect(result.pass).toBe(true);
  expect(page.calls()).toBe(3); // shop, order, order: still
  expect(context.records[0]).toMatchObject({ matcher: 'toShowText', outcome: 'matched', settle: { settled: true, captures: 3 } });
});

test('without settle the first capture is read, and a page that never settles says so', async () => {
  const first = navigating();
  const context = fakeAssertionContext({ root: dir });
  expect((await toShowText.call(context, first.subject, 'Order confirmed')).pass).toBe(false);
  expect(first.calls()).toBe(1);

  let calls = 0;
  const flipping = { screenshot: async () => (calls++ % 2 === 0 ? shop() : order()) };
  const result = await toShowText.call(context, flipping, 'Walnut cutting board', { settle: 400 });
  expect(result.message()).toMatch(/The page never settled: \d+ captures over \d+\.\d s \(`settle` 400 ms\), no two in a row the same; the last one was read\.$/);
});
