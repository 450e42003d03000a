import type { Dispatcher } from 'undici';
import { escapeNetworkText } from '../text/network-text.js';

// Reading a response body with a cap, and turning what a server said into text that is safe to print:
// the key redacted, control characters escaped, and length-capped (in that order, so no cut leaves a piece of the key).

/** Bodies beyond this are refused: a 1080p JPEG data URL is ~0.3 MB, so 50 MB is only reached by a broken server. */
export const MAX_RESPONSE_BYTES = 50 * 1024 * 1024;
/**
 * Error bodies are read only this far, then the connection is dropped: a message needs one sentence, and a broken
 * server streamed 3 GB of error body in 7.5 s (a ~4 GB one killed the worker) when error bodies had no cap.
 */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;
const DETAIL_CHARS = 200; // what a message quotes of an error detail
const START_CHARS = 40; // what a message quotes of a body that is not JSON
const TITLE_CHARS = 80; // what a message quotes of an HTML page's <title>
const MIN_KEY_LENGTH_IN_OWN_TEXT = 8; // shorter is a test key: a real one is far longer

export interface BodyText {
  text: string;
  /** Bytes the body has: its Content-Length, or what was read. */
  bytes: number;
  /** Reading stopped at the cap before the body ended. */
  truncated: boolean;
}

/**
 * Reads a body as UTF-8 up to `limit` bytes. Beyond it, the stream is destroyed (the server may never stop) and
 * the body is either cut there (`'cut'`, for error bodies) or refused with `tooLarge` (for answers we must parse).
 */
export async function readCapped(body: Dispatcher.ResponseData['body'], declaredLength: unknown, limit: number, overLimit: 'cut' | (() => Error)): Promise<BodyText> {
  const declared = Number(declaredLength);
  const knownLength = Number.isSafeInteger(declared) && declared >= 0 ? declared : undefined;
  if (knownLength !== undefined && knownLength > limit && overLimit !== 'cut') {
    body.destroy();
    throw overLimit();
  }
  const chunks: Buffer[] = [];
  let total = 0;
  let truncated = false;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (total + chunk.length > limit) {
      body.destroy();
      if (overLimit !== 'cut') throw overLimit();
      chunks.push(chunk.subarray(0, limit - total));
      total = limit;
      truncated = true;
      break;
    }
    chunks.push(chunk);
    total += chunk.length;
  }
  return { text: Buffer.concat(chunks, total).toString('utf8'), bytes: knownLength ?? total, truncated };
}

/** The server's own error text, for a message: FastAPI's `detail`, or `message`, `msg`, `error`; an HTML page only described. */
export function describeErrorBody(body: BodyText, contentType: string | undefined, apiKey: string | undefined): string | undefined {
  if (isHtml(body.text, contentType)) return describeHtml(body, contentType, apiKey);
  let detail: string | undefined;
  try {
    detail = textOfErrorJson(JSON.parse(body.text));
  } catch {
    // Not JSON, or JSON cut off by the cap: the leading text field if it has one, else the text itself.
    const field = /^\s*\{\s*"(?:detail|message|error)"\s*:\s*"((?:[^"\\]|\\.)*)/.exec(body.text)?.[1];
    detail = field === undefined ? body.text : field.replace(/\\(["\\/])/g, '$1');
  }
  const short = detail === undefined ? '' : excerpt(detail, apiKey, DETAIL_CHARS);
  return short === '' ? undefined : short;
}

/** "an HTML page (…)" for HTML, else `the body is not JSON (starts with "…")`, for a 2xx answer we cannot parse. */
export function describeNotJson(body: BodyText, contentType: string | undefined, apiKey: string | undefined): string {
  if (isHtml(body.text, contentType)) return `with ${describeHtml(body, contentType, apiKey)}, not JSON`;
  return `but the body is not JSON (starts with ${quote(excerpt(body.text, apiKey, START_CHARS, ''))})`;
}

export function isHtml(text: string, contentType: string | undefined): boolean {
  return /\bhtml\b/i.test(contentType ?? '') || /^\s*<(!doctype\s+html|html[\s>])/i.test(text);
}

/** "an HTML page (text/html, 12,345 bytes, titled "Bad Gateway")": never the page itself. */
function describeHtml(body: BodyText, contentType: string | undefined, apiKey: string | undefined): string {
  const type = (contentType ?? 'text/html').split(';')[0]!.trim().slice(0, 40);
  const size = `${body.truncated && body.bytes <= MAX_ERROR_BODY_BYTES ? 'more than ' : ''}${body.bytes.toLocaleString('en-US')} bytes`;
  const title = /<title[^>]*>([\s\S]*?)<\/title\s*>/i.exec(body.text)?.[1];
  const shownTitle = title === undefined ? '' : excerpt(title, apiKey, TITLE_CHARS);
  return `an HTML page (${excerpt(type, apiKey, 40)}, ${size}${shownTitle ? `, titled ${quote(shownTitle)}` : ''})`;
}

/**
 * Finds the text in a JSON error body without trusting its shape: only strings, numbers and booleans are printed,
 * so a `toString` field, a cycle-free but 30,000-deep array or a `null` can never throw (they did: TypeError,
 * RangeError). Unknown shapes are shown as JSON when that works.
 */
function textOfErrorJson(json: unknown): string | undefined {
  if (typeof json !== 'object' || json === null) return textOf(json, 0);
  const record = json as Record<string, unknown>;
  if (!Array.isArray(json) && !['detail', 'message', 'msg', 'error'].some((field) => field in record)) return jsonOf(json);
  return textOf(json, 0);
}

function textOf(value: unknown, depth: number): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'object' || value === null || depth > 3) return undefined;
  if (Array.isArray(value)) {
    const parts = value.slice(0, 5).map((item) => textOf(item, depth + 1)).filter((part) => part !== undefined && part !== '');
    return parts.length > 0 ? parts.join('; ') : undefined;
  }
  const record = value as Record<string, unknown>;
  for (const field of ['detail', 'message', 'msg', 'error']) {
    const text = Object.hasOwn(record, field) ? textOf(record[field], depth + 1) : undefined;
    if (text) return text;
  }
  return depth > 0 ? jsonOf(value) : undefined;
}

function jsonOf(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined; // too deep to print
  }
}

/**
 * Network text made safe for a terminal: the key redacted first, whitespace runs folded into one space, other
 * control and bidi characters escaped as \uXXXX, then cut to `max` characters (with "…").
 */
export function excerpt(text: string, apiKey: string | undefined, max: number, ellipsis = '…'): string {
  const safe = redact(text, apiKey)
    .slice(0, max * 8) // only after redacting: a cut key would no longer match
    .replace(/\s+/g, ' ')
    .trim();
  const escaped = escapeNetworkText(safe, Number.POSITIVE_INFINITY);
  if (escaped.length <= max) return escaped;
  let cut = escaped.slice(0, max - ellipsis.length);
  if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1); // never half a surrogate pair
  cut = cut.replace(/\\(u[0-9a-f]{0,3})?$/, ''); // never half an escape
  return cut + ellipsis;
}

/** Double quotes around an excerpt (already escaped, so not JSON.stringify, which would escape it twice). */
export function quote(text: string): string {
  return `"${text.replace(/"/g, '\\"')}"`;
}

/** A server may echo the key back; it never reaches a message. */
export function redact(text: string, apiKey: string | undefined): string {
  return apiKey ? text.split(apiKey).join('[redacted]') : text;
}

/**
 * Whether the key is also removed from our own words and from page data (URL, title). A test key like "k" is not:
 * it would turn "Check" into "Chec[redacted]" and a page's URL into another one. Quoted server text is redacted of
 * any key (excerpt()).
 */
export function isRedactedEverywhere(apiKey: string): boolean {
  return apiKey.length >= MIN_KEY_LENGTH_IN_OWN_TEXT;
}

/**
 * Removes the key from an error before it leaves the client: from its message, stack and other string fields, and
 * from each `cause` (a JSON.parse SyntaxError quotes the body it failed on).
 */
export function redactError<E>(error: E, apiKey: string, seen = new Set<unknown>()): E {
  if (!isRedactedEverywhere(apiKey)) return error;
  if (typeof error !== 'object' || error === null || seen.has(error) || seen.size > 10) return error;
  seen.add(error);
  for (const name of new Set([...Object.getOwnPropertyNames(error), 'message', 'stack'])) {
    let value: unknown;
    try {
      value = (error as Record<string, unknown>)[name];
    } catch {
      continue;
    }
    if (typeof value === 'string' && value.includes(apiKey)) {
      Object.defineProperty(error, name, { value: redact(value, apiKey), writable: true, configurable: true, enumerable: Object.keys(error).includes(name) });
    } else if (name === 'cause' || (typeof value === 'object' && value !== null && value instanceof Error)) {
      redactError(value, apiKey, seen);
    }
  }
  return error;
}
