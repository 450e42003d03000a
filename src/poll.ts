import { setTimeout as sleep } from 'node:timers/promises';
import type { Screenshot } from './screenshot.js';

/** One capture made by a matcher, for the failure message's trajectory. */
export interface CaptureRecord {
  /** ms since the first capture began. */
  atMs: number;
  url: string;
  title: string;
  /** Differing pixels against the baseline, for screenshot matchers that compared. */
  diffPixels?: number;
}

/**
 * Captures, evaluates, and — while `timeout` allows — captures again until `isDone` says the assertion holds.
 * With timeout 0 it captures exactly once (screenshots are costly for the API).
 */
export async function pollCaptures<T>(
  capture: () => Promise<Screenshot>,
  evaluate: (shot: Screenshot) => Promise<T> | T,
  isDone: (result: T) => boolean,
  options: { timeout: number; interval: number; diffPixelsOf?: (result: T) => number | undefined },
): Promise<{ result: T; shot: Screenshot; captures: CaptureRecord[]; elapsedMs: number }> {
  const start = Date.now();
  const captures: CaptureRecord[] = [];
  for (;;) {
    const atMs = Date.now() - start;
    const shot = await capture();
    const result = await evaluate(shot);
    captures.push({ atMs, url: shot.url, title: shot.title, diffPixels: options.diffPixelsOf?.(result) });
    const elapsedMs = Date.now() - start;
    if (isDone(result) || elapsedMs + options.interval > options.timeout) {
      return { result, shot, captures, elapsedMs };
    }
    await sleep(options.interval);
  }
}
