import { describeValue } from './options.js';
import { Screenshot } from './screenshot.js';

/** What `expect(x)` accepts: something that can produce a Screenshot. */
export type ScreenshotSubject =
  | Screenshot
  | { screenshot: string; url: string; title: string }
  | { screenshot(): Promise<Screenshot | RawScreenshot | SdkScreenshot> };

/** The API's JSON, as `getScreenshot()` helpers and the SDKs' low-level `screenshot(id)` return it. */
export interface RawScreenshot {
  screenshot: string;
  url: string;
  title: string;
}

/** The official SDKs' `Screenshot` shape: decoded bytes plus page. */
export interface SdkScreenshot {
  data: Uint8Array;
  url: string;
  title: string;
}

/**
 * Turns the subject of `expect(subject)` into a capture function. A fixed Screenshot (or raw JSON) always
 * yields itself; a session-like object is asked again on every call, which is what polling needs.
 */
export function toCapture(subject: unknown, matcher: string): { capture: () => Promise<Screenshot>; label: string } {
  if (subject instanceof Screenshot) return { capture: async () => subject, label: 'screenshot' };
  if (isRawScreenshot(subject)) {
    const shot = Screenshot.fromApiJson(subject);
    return { capture: async () => shot, label: 'screenshot' };
  }
  if (typeof subject === 'object' && subject !== null && typeof (subject as { screenshot?: unknown }).screenshot === 'function') {
    const source = subject as { screenshot(): Promise<unknown> };
    return { capture: async () => toScreenshot(await source.screenshot(), matcher), label: 'session' };
  }
  throw new TypeError(
    `${matcher}: expect() needs a Session, a Screenshot, or an object with a screenshot() method, but received ${describeValue(subject)}.`,
  );
}

function toScreenshot(value: unknown, matcher: string): Screenshot {
  if (value instanceof Screenshot) return value;
  if (isRawScreenshot(value)) return Screenshot.fromApiJson(value);
  const sdk = value as Partial<SdkScreenshot> | null;
  if (typeof sdk === 'object' && sdk !== null && sdk.data instanceof Uint8Array) {
    if (typeof sdk.url !== 'string' || typeof sdk.title !== 'string') {
      throw new TypeError(`${matcher}: screenshot() resolved to { data } without string \`url\` and \`title\`.`);
    }
    return new Screenshot({ bytes: Buffer.from(sdk.data.buffer, sdk.data.byteOffset, sdk.data.byteLength), url: sdk.url, title: sdk.title });
  }
  throw new TypeError(
    `${matcher}: screenshot() should resolve to a Screenshot, the API's { screenshot, url, title } JSON, or { data, url, title }, but resolved to ${describeValue(value)}.`,
  );
}

function isRawScreenshot(value: unknown): value is RawScreenshot {
  return typeof value === 'object' && value !== null && typeof (value as { screenshot?: unknown }).screenshot === 'string';
}
