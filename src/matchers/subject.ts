import { UsageError } from '../errors.js';
import { describeValue } from '../options/options.js';
import type { Capture } from './poll.js';
import { Screenshot } from '../image/screenshot.js';
import { Session } from '../api/session.js';
import { isAgentRun, type AgentRun, type RunCapture } from '../api/agent-run.js';

/** What `expect(x)` accepts: something that can produce a Screenshot. */
export type ScreenshotSubject =
  | Screenshot
  | RawScreenshot
  | SdkScreenshot
  | { screenshot(): Promise<Screenshot | RawScreenshot | SdkScreenshot> };

/** The API's JSON, as `getScreenshot()` helpers and the SDKs' low-level `screenshot(id)` return it. */
export interface RawScreenshot {
  screenshot: string;
  url: string;
  title: string;
}

/**
 * The official SDKs' `Screenshot` (what `await sdkSession.screenshot()` returns): the image bytes plus the page.
 * Its other fields (`format`, `width`, `height`, `timestamp`, `save()`) are not needed: size and format are read
 * from the bytes themselves.
 */
export interface SdkScreenshot {
  /** The encoded JPEG or PNG (a Node `Buffer` in the SDK). */
  data: Uint8Array;
  url: string;
  title: string;
}

/**
 * Turns the subject of `expect(subject)` into a capture function. A fixed Screenshot (or raw JSON) always
 * yields itself; a session-like object is asked again on every call, which is what polling needs.
 * A run yields its final capture and is `finished`: it never changes, so the matcher captures once
 * (a `timeout` given to the call is refused, see {@link refuseTimeoutOnRun}).
 */
export function toCapture(subject: unknown, matcher: string, callOptions?: { timeout?: unknown }): { capture: Capture; label: string; finished?: true } {
  if (isAgentRun(subject)) {
    refuseTimeoutOnRun(callOptions, matcher);
    const final = finalCapture(subject, matcher);
    return { capture: async () => final.screenshot, label: 'run', finished: true };
  }
  // A fixed capture (checked before `screenshot()`: the SDK's Screenshot class has `data`, not that method).
  const fixed = toScreenshotIfCapture(subject, matcher, 'expect() received');
  if (fixed !== undefined) return { capture: async () => fixed, label: 'screenshot' };
  if (typeof subject === 'object' && subject !== null && typeof (subject as { screenshot?: unknown }).screenshot === 'function') {
    const source = subject as { screenshot(): Promise<unknown> };
    // Only our Session takes a time limit: another object's screenshot() may read an argument differently.
    const take = source instanceof Session ? (timeLimit?: number) => source.screenshot({ timeout: timeLimit }) : () => source.screenshot();
    return { capture: async (timeLimit?: number) => toScreenshot(await take(timeLimit), matcher), label: 'session' };
  }
  throw new UsageError(
    `${matcher}: expect() needs a Session, a Screenshot, or an object with a screenshot() method, but received ${describeValue(subject)}.`,
  );
}

function toScreenshot(value: unknown, matcher: string): Screenshot {
  const shot = toScreenshotIfCapture(value, matcher, 'screenshot() resolved to');
  if (shot !== undefined) return shot;
  throw new UsageError(
    `${matcher}: screenshot() should resolve to a Screenshot, the API's { screenshot, url, title } JSON, or { data, url, title }, but resolved to ${describeValue(value)}.`,
  );
}

/** A Screenshot from one of the three capture shapes, or undefined when `value` is none of them. */
function toScreenshotIfCapture(value: unknown, matcher: string, what: string): Screenshot | undefined {
  if (value instanceof Screenshot) return value;
  if (isRawScreenshot(value)) return Screenshot.fromApiJson(value);
  const sdk = value as Partial<SdkScreenshot> | null;
  if (typeof sdk === 'object' && sdk !== null && sdk.data instanceof Uint8Array) {
    if (typeof sdk.url !== 'string' || typeof sdk.title !== 'string') {
      throw new UsageError(`${matcher}: ${what} { data } without string \`url\` and \`title\`.`);
    }
    return new Screenshot({ bytes: Buffer.from(sdk.data.buffer, sdk.data.byteOffset, sdk.data.byteLength), url: sdk.url, title: sdk.title });
  }
  return undefined;
}

function isRawScreenshot(value: unknown): value is RawScreenshot {
  return typeof value === 'object' && value !== null && typeof (value as { screenshot?: unknown }).screenshot === 'string';
}

/** The subject of a matcher that only a run can answer (the way there, not only where it ended). */
export function requireRun(subject: unknown, matcher: string): AgentRun {
  if (isAgentRun(subject)) return subject;
  throw new UsageError(
    `${matcher}: expect() needs a run (what \`await session.run(message)\` resolves to), but received ${describeValue(subject)}. A session or a screenshot shows one moment; a run keeps the way there.`,
  );
}

/** The page the run ended on. */
export function finalCapture(run: AgentRun, matcher: string): RunCapture {
  const final = run.captures.at(-1);
  if (final) return final;
  throw new UsageError(`${matcher}: the run has no captures (status "${run.status}"), so there is no final page to check.`);
}

/**
 * A run is a finished record: its final capture is the same however long a matcher waits. A `timeout` in the call
 * would only promise waiting that cannot happen, so it is refused; configure()'s project-wide `timeout` is meant for
 * sessions and is not applied to runs.
 */
function refuseTimeoutOnRun(callOptions: { timeout?: unknown } | undefined, matcher: string): void {
  const timeout = (callOptions as { timeout?: unknown } | undefined)?.timeout;
  if (typeof timeout === 'number' && timeout > 0) {
    throw new UsageError(
      `${matcher}: \`timeout\` has no effect on a run: a run is a finished record and its final capture does not change. Remove \`timeout\`, or assert on the session while the agent works.`,
    );
  }
}
