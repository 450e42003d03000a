import { setTimeout as sleep } from 'node:timers/promises';
import { pollClock } from '../api/clock.js';
import { AgiError, TimeoutError } from '../errors.js';
import { isTransientCaptureFailure } from '../api/capture-failure.js';
import { escapeNetworkText } from '../text/network-text.js';
import type { Screenshot } from '../image/screenshot.js';

/** One capture made by a matcher, for the failure message's trajectory. A failed capture has `error` instead of a page. */
export interface CaptureRecord {
  /** ms since the first capture began. */
  atMs: number;
  url?: string;
  title?: string;
  /** Differing pixels against the baseline, for screenshot matchers that compared. */
  diffPixels?: number;
  /** Why this capture failed (a transient failure the matcher polled past). */
  error?: string;
}

/** Asks for one screenshot; `timeLimit` (ms), when given, bounds the whole call, retries included. */
export type Capture = (timeLimit?: number) => Promise<Screenshot>;

/**
 * The least time a capture is given: the last capture of a nearly spent `timeout` still gets a chance to answer
 * (a screenshot takes ~0.1–2 s), so a matcher may overrun its timeout by up to this.
 */
const MIN_CAPTURE_MS = 1_000;
const ERROR_TEXT_CHARS = 300; // what a trajectory keeps of a failed capture's message

/**
 * Captures, evaluates, and — while `timeout` allows — captures again until `isDone` says the assertion holds.
 * With timeout 0 it captures exactly once (screenshots are costly for the API), and a failure is thrown as is.
 * With a timeout, a transient capture failure (5xx, 429, timeout, reset, a garbled body) is "not yet": polling goes on,
 * and each capture is given only what is left of the timeout. Other failures (auth, 404, bad options) throw at once.
 * If no capture succeeded, the last failure is thrown.
 */
export async function pollCaptures<T>(
  capture: Capture,
  evaluate: (shot: Screenshot) => Promise<T> | T,
  isDone: (result: T) => boolean,
  options: { timeout: number; interval: number; diffPixelsOf?: (result: T) => number | undefined },
): Promise<{ result: T; shot: Screenshot; captures: CaptureRecord[]; elapsedMs: number }> {
  const start = pollClock.now();
  const captures: CaptureRecord[] = [];
  let last: { result: T; shot: Screenshot } | undefined;
  let lastError: unknown;
  for (;;) {
    const atMs = pollClock.now() - start;
    const shot = options.timeout > 0 ? await captureWithin(capture, Math.max(options.timeout - atMs, MIN_CAPTURE_MS)).catch(passTransient) : await capture();
    if (shot instanceof CaptureFailure) {
      lastError = shot.error;
      captures.push({ atMs, error: describeFailure(shot.error) });
    } else {
      const result = await evaluate(shot);
      last = { result, shot };
      captures.push({ atMs, url: shot.url, title: shot.title, diffPixels: options.diffPixelsOf?.(result) });
      if (isDone(result)) return { ...last, captures, elapsedMs: pollClock.now() - start };
    }
    const elapsedMs = pollClock.now() - start;
    if (elapsedMs + options.interval > options.timeout) {
      if (!last) throw lastError;
      return { ...last, captures, elapsedMs };
    }
    await pollClock.sleep(options.interval);
  }
}

/** "2 of 9 captures failed; the last: GET … failed with status 500: …", or undefined if none failed. */
export function describeCaptureFailures(captures: CaptureRecord[]): string | undefined {
  const failed = captures.filter((capture) => capture.error !== undefined);
  if (failed.length === 0) return undefined;
  return `${failed.length} of ${captures.length} captures failed; the last: ${failed.at(-1)!.error}`;
}

export { isTransientCaptureFailure };

class CaptureFailure {
  constructor(readonly error: AgiError) {}
}

function passTransient(error: unknown): CaptureFailure {
  if (isTransientCaptureFailure(error)) return new CaptureFailure(error as AgiError);
  throw error;
}

/**
 * A Session aborts its own request at `timeLimit`; a subject of the user's own may ignore it, so it is also raced
 * against a timer (a little later, so a Session's own, more precise TimeoutError wins).
 */
async function captureWithin(capture: Capture, timeLimit: number): Promise<Screenshot> {
  const pending = capture(timeLimit);
  const abandon = new AbortController();
  // A real timer, not the poll clock: it bounds a call in flight, which a test's clock does not speed up.
  const timer = sleep(timeLimit + 250, undefined, { signal: abandon.signal }).then(() => {
    pending.catch(() => {}); // abandoned: a late rejection must not become an unhandled one
    throw new TimeoutError('screenshot()', timeLimit, "the matcher's `timeout`");
  });
  try {
    return await Promise.race([pending, timer]);
  } finally {
    abandon.abort();
    timer.catch(() => {}); // the aborted timer rejects with an AbortError nobody needs
  }
}

function describeFailure(error: AgiError): string {
  // Escaped here, once: the trajectory, the message and results.json all show this text.
  return escapeNetworkText(error.message.replace(/\s+/g, ' '), ERROR_TEXT_CHARS);
}
