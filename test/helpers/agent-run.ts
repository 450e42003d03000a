import { RUN_BRAND, type AgentRun, type RunCapture } from '../../src/api/agent-run.js';
import { Screenshot } from '../../src/image/screenshot.js';
import { shot } from './fixtures.js';

/** One capture of a made-up run: a committed Chromium screenshot (test/fixtures/shots) shown at a page. */
export interface PageAt {
  atMs: number;
  url: string;
  title: string;
  /** File in test/fixtures/shots. @default 'docs.jpg' */
  image?: string;
  count?: number;
}

/**
 * An AgentRun as `session.run()` records one, from real Chromium JPEGs, for in-process matcher tests: the pages and
 * times are the test's, the pixels real (a run's own shape is tested with the emulator, and the e2e tests use real runs).
 */
export function runOf(pages: PageAt[], status: AgentRun['status'] = 'finished'): AgentRun {
  const captures: RunCapture[] = pages.map(({ atMs, url, title, image = 'docs.jpg', count = 1 }) => ({
    atMs,
    url,
    title,
    count,
    screenshot: new Screenshot({ bytes: shot(image), url, title }),
  }));
  const run: AgentRun = { status, message: undefined, messages: [], captures, durationMs: pages.at(-1)?.atMs ?? 0 };
  // Branded as session.run() brands its runs (non-enumerable), so the matchers take it for one.
  return Object.defineProperty(run, RUN_BRAND, { value: true });
}

/** Tiny Shop's checkout, as a run sees it: shop front, checkout (twice), thank-you. */
export function checkoutRun(): AgentRun {
  return runOf([
    { atMs: 0, url: 'http://shop.test/', title: 'Tiny Shop' },
    { atMs: 640, url: 'http://shop.test/checkout?item=mug', title: 'Checkout — Tiny Shop', image: 'form.jpg' },
    { atMs: 1210, url: 'http://shop.test/checkout?item=mug', title: 'Checkout — Tiny Shop', image: 'form-caret-a.jpg', count: 2 },
    { atMs: 2380, url: 'http://shop.test/thank-you?item=mug', title: 'Thank you — Tiny Shop', image: 'thanks.jpg' },
  ]);
}
