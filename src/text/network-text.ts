/**
 * Longest text from the network (a URL, a page title, an error detail) that we show or store, in characters as
 * shown. Real URLs and titles are far shorter; a server answering a 20 MB title once produced 105 MB of terminal
 * output and a 126 MB results.json.
 */
export const NETWORK_TEXT_MAX = 2000;

// C0 and C1 controls (ESC starts terminal sequences, CR overwrites a line, 0x9B is a one-byte CSI), DEL, bidi
// embeddings, overrides and isolates (they reorder what is shown), line and paragraph separators, lone surrogates.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
// The note a capped text ends with, so text escaped once (and stored) comes out the same when escaped again.
const CAP_NOTE = /… \(([\d,]+) more characters?\)$/;

/**
 * Text that came from the network, made safe to print: control characters shown as escapes (`\u001b`, `\r`), so
 * no terminal sequence, carriage return or OSC 8 link reaches a terminal raw, and capped at `max` shown characters
 * with "… (N more characters)". Ordinary Unicode is kept. Applying it twice gives the same text.
 */
export function escapeNetworkText(text: string, max = NETWORK_TEXT_MAX): string {
  if (text.length <= max && !UNSAFE.test(text)) return text;
  const note = CAP_NOTE.exec(text.slice(-48));
  const body = note ? text.slice(0, text.length - note[0].length) : text;
  let omitted = note ? Number(note[1]!.replace(/,/g, '')) : 0;
  let shown = '';
  let i = 0;
  while (i < body.length) {
    const code = body.charCodeAt(i);
    const isPair = code >= 0xd800 && code <= 0xdbff && i + 1 < body.length && (body.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    const char = body.slice(i, isPair ? i + 2 : i + 1);
    const piece = isPair || !UNSAFE.test(char) ? char : (SHORT_ESCAPES[char] ?? `\\u${code.toString(16).padStart(4, '0')}`);
    if (shown.length + piece.length > max) break;
    shown += piece;
    i += char.length;
  }
  omitted += body.length - i;
  return omitted > 0 ? `${shown}… (${omitted.toLocaleString('en-US')} more character${omitted === 1 ? '' : 's'})` : shown;
}

/** `escapeNetworkText` in double quotes, as JSON.stringify quotes ordinary text (`"Say \"hi\""`). */
export function quoteNetworkText(text: string, max = NETWORK_TEXT_MAX): string {
  return `"${escapeNetworkText(text, max).replace(/"/g, '\\"')}"`;
}
