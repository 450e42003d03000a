import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CassetteError } from '../errors.js';
import { baselineFileStem, writeFileAtomically } from '../baselines/baseline.js';
import type { HttpAnswer } from '../api/transport.js';

/**
 * A cassette on disk: `<dir>/<test file relative to the root>/<test name>.json`, the test name made a file name as a
 * baseline's is (one-to-one, never outside the folder), and each screenshot once beside it as `<sha-256>.jpg`, shared
 * by the file's tests. Requests are stored without headers, so neither the Authorization header nor the key is written.
 */
export const CASSETTE_FORMAT = 'vitest-agi-cassette/1';

/** Requests made outside a test (beforeAll, afterAll): a stem no test name maps to (baseline stems have no parentheses). */
const HOOKS_STEM = '(hooks)';
const IMAGE_EXTENSION: Record<string, string> = { 'image/jpeg': '.jpg', 'image/jpg': '.jpg', 'image/png': '.png' };

export interface RecordedResponse {
  status: number;
  contentType?: string;
  retryAfter?: string;
  /** The body, when it was JSON (a screenshot's image replaced by `{ file, prefix }`). */
  json?: unknown;
  /** The body as text, when it was not JSON. */
  text?: string;
  /** Bytes a cut error body had (its Content-Length, or what was read). */
  bytes?: number;
  truncated?: true;
  /** The error body could not be read. */
  unread?: true;
}

export interface Interaction {
  request: { method: string; path: string; body?: unknown };
  /** What the API answered, or `error`: why no answer came (refused, reset, timed out). */
  response?: RecordedResponse;
  error?: { name: string; code?: string; message: string };
  /** ms since the test's first exchange or clock reading. */
  atMs: number;
}

export interface CassetteData {
  format: typeof CASSETTE_FORMAT;
  /** The test, for people reading the file: `<test file> > <test name>`. */
  test: string;
  interactions: Interaction[];
  /** Every time reading the client's runs and polls made, in ms since the first: a replay reads them back. */
  clock: number[];
}

export interface CassettePath {
  file: string;
  /** Relative to the project root, for messages. */
  shown: string;
  /** `<test file> > <test name>`. */
  label: string;
}

export function resolveCassettePath(input: { root: string; dir: string; testPath: string; testName: string | undefined }): CassettePath {
  let relative = path.relative(input.root, input.testPath);
  if (relative.startsWith('..') || path.isAbsolute(relative)) relative = path.basename(input.testPath);
  const stem = input.testName === undefined ? HOOKS_STEM : baselineFileStem(input.testName || 'unnamed test');
  const file = path.resolve(input.root, input.dir, relative, `${stem}.json`);
  const label = `${relative.split(path.sep).join('/')} > ${input.testName ?? '(beforeAll/afterAll)'}`;
  return { file, shown: path.relative(input.root, file).split(path.sep).join('/'), label };
}

export function cassetteExists(where: CassettePath): boolean {
  return existsSync(where.file);
}

/** Reads a cassette synchronously: a replay's clock may be read before its first request. */
export function readCassette(where: CassettePath): CassetteData {
  let data: CassetteData;
  try {
    data = JSON.parse(readFileSync(where.file, 'utf8')) as CassetteData;
  } catch (error) {
    throw new CassetteError(
      `The cassette ${where.shown} could not be read (${(error as Error).message.slice(0, 200)}). Re-record it with AGI_CASSETTE=record.`,
      where.shown,
      'AGI_CASSETTE_UNREADABLE',
      { cause: error },
    );
  }
  if (data?.format !== CASSETTE_FORMAT || !Array.isArray(data.interactions) || !Array.isArray(data.clock)) {
    throw new CassetteError(`${where.shown} is not a vitest-agi cassette (format ${CASSETTE_FORMAT}). Re-record it with AGI_CASSETTE=record.`, where.shown, 'AGI_CASSETTE_UNREADABLE');
  }
  return data;
}

/** Writes the cassette and any screenshot not yet beside it, each atomically. */
export async function writeCassette(where: CassettePath, data: CassetteData, images: Map<string, Buffer>): Promise<void> {
  const folder = path.dirname(where.file);
  for (const [name, bytes] of images) {
    const file = path.join(folder, name);
    // Named by content: an existing file already holds these bytes.
    if (!existsSync(file)) await writeFileAtomically(file, bytes, `the cassette image ${path.relative(path.dirname(folder), file)}`);
  }
  images.clear();
  await writeFileAtomically(where.file, Buffer.from(`${JSON.stringify(data, null, 2)}\n`), `the cassette ${where.shown}`);
}

/**
 * The stored form of an answer: JSON kept as JSON (readable in a diff), a screenshot's image moved to a file named by
 * its content. `images` collects the files to write. The key is already redacted from the text.
 */
export function storeAnswer(answer: HttpAnswer, isScreenshot: boolean, images: Map<string, Buffer>): RecordedResponse {
  const stored: RecordedResponse = { status: answer.status };
  if (answer.contentType !== undefined) stored.contentType = answer.contentType;
  if (answer.retryAfter !== undefined) stored.retryAfter = answer.retryAfter;
  const body = answer.body;
  if (!body) return { ...stored, unread: true };
  let json: unknown;
  let isJson = false;
  if (!body.truncated) {
    try {
      json = JSON.parse(body.text);
      isJson = true;
    } catch {
      // kept as text
    }
  }
  if (isJson) {
    stored.json = isScreenshot ? extractImage(json, images) : json;
  } else {
    stored.text = body.text;
    if (body.truncated) Object.assign(stored, { bytes: body.bytes, truncated: true });
  }
  return stored;
}

/** The answer a stored response stands for, its screenshot read back from its file. */
export async function loadAnswer(stored: RecordedResponse, where: CassettePath): Promise<HttpAnswer> {
  const answer = { status: stored.status, contentType: stored.contentType, retryAfter: stored.retryAfter };
  if (stored.unread) return { ...answer, body: undefined };
  const text = stored.text ?? JSON.stringify(await restoreImage(stored.json, where));
  return { ...answer, body: { text, bytes: stored.bytes ?? Buffer.byteLength(text), truncated: stored.truncated === true } };
}

function extractImage(json: unknown, images: Map<string, Buffer>): unknown {
  const shot = json as { screenshot?: unknown } | null;
  if (typeof shot?.screenshot !== 'string') return json;
  const comma = shot.screenshot.indexOf(',');
  const prefix = shot.screenshot.slice(0, comma + 1);
  const mime = /^data:([^;,]+);base64,$/.exec(prefix)?.[1]?.toLowerCase();
  const payload = shot.screenshot.slice(comma + 1);
  const bytes = Buffer.from(payload, 'base64');
  // Only what comes back exactly: an odd payload stays inline, so a replay answers the very same text.
  if (comma === -1 || mime === undefined || bytes.toString('base64') !== payload) return json;
  const name = `${createHash('sha256').update(bytes).digest('hex').slice(0, 32)}${IMAGE_EXTENSION[mime] ?? '.bin'}`;
  images.set(name, bytes);
  return { ...(json as object), screenshot: { file: name, prefix } };
}

async function restoreImage(json: unknown, where: CassettePath): Promise<unknown> {
  const shot = json as { screenshot?: { file?: unknown; prefix?: unknown } } | null;
  const image = shot?.screenshot;
  if (typeof image !== 'object' || image === null || typeof image.file !== 'string' || typeof image.prefix !== 'string') return json;
  // A file name only: a cassette edited to point elsewhere cannot read outside its folder.
  const file = path.join(path.dirname(where.file), path.basename(image.file));
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new CassetteError(
      `The cassette ${where.shown} refers to the screenshot ${path.basename(image.file)}, which is missing beside it. Commit the cassette's images too, or re-record it with AGI_CASSETTE=record.`,
      where.shown,
      'AGI_CASSETTE_UNREADABLE',
      { cause: error },
    );
  }
  return { ...(json as object), screenshot: image.prefix + bytes.toString('base64') };
}
