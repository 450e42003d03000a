import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request, type Dispatcher } from 'undici';
import {
  AgiError,
  AuthError,
  ConfigError,
  ConnectionError,
  HttpStatusError,
  InvalidResponseError,
  NotFoundError,
  TimeoutError,
} from '../errors.js';
import { describeErrorBody, describeNotJson, excerpt, isHtml, isRedactedEverywhere, MAX_ERROR_BODY_BYTES, MAX_RESPONSE_BYTES, readCapped, redact, redactError, type BodyText } from './response-body.js';
import { Session } from './session.js';
import type { Clock, HttpAnswer, Transport } from './transport.js';
import { pollClock } from './clock.js';
import { resolveCassette, type CassetteMode, type CassetteOptions } from '../cassettes/cassette-transport.js';

export interface AgiClientOptions {
  /** API key. @default process.env.AGI_API_KEY */
  apiKey?: string;
  /** API base URL; paths are appended, so a path prefix survives. @default process.env.AGI_BASE_URL ?? 'https://api.agi.tech/v1' */
  baseUrl?: string;
  /** Per-request limit, in ms, for the whole answer (headers and body). @default 30000 */
  timeout?: number;
  /** Extra attempts for idempotent requests (GET, DELETE) after 429, 502/503/504 or a reset connection. @default 3 */
  retries?: number;
  /**
   * Record every API exchange of a test to `cassettes/<test file>/<test name>.json`, or answer from it with no network
   * and no key: `'record' | 'replay' | 'auto' | 'off'`, or `{ mode, dir }` (`dir` relative to the project root).
   * `auto` replays a cassette that exists and records one that does not (in CI, a missing one fails).
   * @default process.env.AGI_CASSETTE ?? 'off', dir process.env.AGI_CASSETTE_DIR ?? 'cassettes'
   */
  cassette?: CassetteMode | CassetteOptions;
}

export interface RequestOptions<T = unknown> {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  /** Session id the path is about, named in a 404. */
  sessionId?: string;
  /** Per-attempt limit in ms. @default the client's `timeout` */
  timeout?: number;
  /**
   * Limit in ms for the whole call, retries and backoff included (a polling matcher passes what is left of its own
   * `timeout`). Each attempt gets the smaller of this and `timeout`.
   */
  timeLimit?: number;
  /**
   * Turns the parsed JSON into the result. It runs inside the client's safety net: whatever it throws reaches the
   * caller as an AgiError with the key redacted. `redact` removes the key from text it keeps.
   */
  parse?: (json: unknown, context: { label: string; redact: (text: string) => string }) => T;
}

export const DEFAULT_BASE_URL = 'https://api.agi.tech/v1';
export { MAX_RESPONSE_BYTES };
export type { Clock, CassetteMode, CassetteOptions };
// Why a hand-written retry loop and body caps, not undici's `interceptors.retry` and `maxResponseSize` (measured on
// undici 7.30.2 against a local server, minTimeout 250 / maxTimeout 4000 / factor 2, 3 retries):
// - no jitter: three runs waited [270,507,1003], [252,502,1002], [252,502,1002] ms, so clients retry in lockstep;
// - the final 5xx is a RequestRetryError without its body (our message quotes the API's `detail`), unless
//   throwOnError is false;
// - one `maxTimeout` caps both the backoff and Retry-After (Retry-After: 3 with maxTimeout 1000 waited 1002 ms), so
//   a 4 s backoff cap and a 10 s Retry-After cap cannot both hold; Retry-After: 0 waited the 250 ms backoff;
// - it retries only after an error body ends: a never-ending 503 body stalled it until the 8 s abort (1 request);
//   we read the first 64 KB of an error body and go on;
// - it knows no deadline: a 1 s signal during a 2 s Retry-After settled after 2007 ms; we retry only if the wait
//   ends before the caller's `timeLimit`;
// - `maxResponseSize` is one limit per dispatcher and rejects (UND_ERR_RES_EXCEEDED_MAX_SIZE, status lost): it
//   cannot refuse a 2xx over 50 MB while cutting an error body to its first 64 KB and keeping the status.
const RETRY_BASE_MS = 250; // first backoff; doubles per attempt, with full jitter
const RETRY_MAX_MS = 4_000; // backoff cap
const RETRY_AFTER_MAX_MS = 10_000; // a server's Retry-After is honoured up to this
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const RETRYABLE_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNREFUSED']);

/**
 * How the retry loop reads the time, waits and draws its jitter. Internal, not part of the package's API: tests
 * swap these for a clock that records each wait instead of sleeping it, so they can assert the exact delays.
 */
export const retryClock = {
  now: (): number => Date.now(),
  sleep: (ms: number): Promise<unknown> => sleep(ms),
  random: (): number => Math.random(),
};

/** Keep-alive connections shared by every client in the process: screenshots are fetched again and again. */
let sharedDispatcher: Dispatcher | undefined;
function dispatcher(): Dispatcher {
  sharedDispatcher ??= new Agent({ keepAliveTimeout: 10_000, connections: 16 });
  return sharedDispatcher;
}

/** Client for the AGI Agent Sessions API over undici. */
export class AgiClient {
  readonly baseUrl: string;
  readonly timeout: number;
  readonly retries: number;
  /** What runs and polls wait on (and, under a cassette, retries): the cassette's, or the poll clock (which tests fake). */
  readonly clock: Clock;
  /** A cassette that records the exchanges or answers them; undefined: straight to the network. */
  readonly #transport: Transport | undefined;
  // A private field: never enumerated, never serialised, never printed by a test reporter.
  readonly #apiKey: string | undefined;
  /** How the user set the base URL, for a hint that names it: `baseUrl`, AGI_BASE_URL, or the default. */
  readonly #baseUrlSource: string | undefined;

  constructor(options: AgiClientOptions = {}) {
    this.#apiKey = options.apiKey ?? process.env.AGI_API_KEY;
    this.#baseUrlSource = options.baseUrl !== undefined ? '`baseUrl`' : process.env.AGI_BASE_URL !== undefined ? 'AGI_BASE_URL' : undefined;
    this.baseUrl = (options.baseUrl ?? process.env.AGI_BASE_URL ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    if (!/^https?:\/\//.test(this.baseUrl)) {
      throw new ConfigError(`\`baseUrl\` must be an http(s) URL such as ${DEFAULT_BASE_URL}, but is "${this.baseUrl}".`);
    }
    this.timeout = options.timeout ?? 30_000;
    this.retries = options.retries ?? 3;
    if (!(this.timeout > 0)) throw new ConfigError(`\`timeout\` must be a positive number of ms, but is ${this.timeout}.`);
    if (!Number.isInteger(this.retries) || this.retries < 0) {
      throw new ConfigError(`\`retries\` must be a whole number ≥ 0, but is ${this.retries}.`);
    }
    this.#transport = resolveCassette(options.cassette, pollClock);
    this.clock = this.#transport?.clock ?? pollClock;
  }

  /** A handle on an existing session; makes no request. */
  session(id: string): Session {
    if (typeof id !== 'string' || id.length === 0) throw new ConfigError(`session id must be a non-empty string, but is ${JSON.stringify(id)}.`);
    return new Session(this, id);
  }

  /** POST /sessions: starts a new agent session. */
  async createSession(options: { agentName?: string } = {}): Promise<Session> {
    const id = await this.request('POST', '/sessions', {
      body: options.agentName === undefined ? {} : { agent_name: options.agentName },
      parse: (body, { label }) => {
        const sessionId = (body as { session_id?: unknown } | null)?.session_id;
        if (typeof sessionId !== 'string') throw new InvalidResponseError(`${label} answered without a "session_id" string.`);
        return sessionId;
      },
    });
    return new Session(this, id);
  }

  /** GET /sessions: every session of this key. */
  async listSessions(): Promise<Array<{ sessionId: string; agentName: string; status: string; createdAt: string }>> {
    return this.request('GET', '/sessions', {
      parse: (body, { label }) => {
        if (!Array.isArray(body)) throw new InvalidResponseError(`${label} did not answer a JSON array.`);
        return body.map((s: unknown, i) => {
          if (typeof s !== 'object' || s === null) throw new InvalidResponseError(`${label} answered an array whose item ${i} is not an object.`);
          const { session_id, agent_name, status, created_at } = s as Record<string, unknown>;
          return { sessionId: textOf(session_id), agentName: textOf(agent_name), status: textOf(status), createdAt: textOf(created_at) };
        });
      },
    });
  }

  /**
   * Sends one API request and parses its JSON answer, retrying idempotent requests on transient failures.
   * Every failure is an AgiError, and none shows the API key, whatever the server sent.
   */
  async request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, options: RequestOptions<T> = {}): Promise<T> {
    const apiKey = this.#apiKey;
    // A replayed cassette needs no key; without one, it is asked for when a request goes to the network.
    if (!apiKey && !this.#transport) {
      throw new ConfigError('No API key: set the AGI_API_KEY environment variable, or pass `apiKey` to new AgiClient().');
    }
    if (apiKey) checkHeaderSafe(apiKey);
    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const label = `${method} ${url.pathname}`;
    const redactKey = (text: string) => (apiKey && isRedactedEverywhere(apiKey) ? redact(text, apiKey) : text);
    try {
      const json = await this.#send(method, url, path, label, apiKey, redactKey, options);
      return options.parse ? options.parse(json, { label, redact: redactKey }) : (json as T);
    } catch (error) {
      const failure =
        error instanceof AgiError
          ? error
          : new InvalidResponseError(`${label} answered a body the client could not use (${(error as Error)?.name ?? 'error'}: ${excerpt(String((error as Error)?.message ?? ''), apiKey, 200)}).`, { cause: error });
      throw apiKey ? redactError(failure, apiKey) : failure;
    }
  }

  async #send(method: string, url: URL, path: string, label: string, apiKey: string | undefined, redactKey: (text: string) => string, options: RequestOptions<unknown>): Promise<unknown> {
    const idempotent = method !== 'POST';
    const perAttempt = options.timeout ?? this.timeout;
    // A cassette's clock under a cassette (a replay waits no time), else the retry clock (which tests record).
    const clock: Clock = this.#transport?.clock ?? retryClock;
    const deadline = options.timeLimit === undefined ? Infinity : clock.now() + options.timeLimit;
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    for (let attempt = 0; ; attempt++) {
      const left = deadline - clock.now();
      const timeout = Math.max(1, Math.round(Math.min(perAttempt, left)));
      const timeoutHint = timeout < perAttempt ? "what was left of the caller's `timeout`" : 'timeout option';
      // A retry starts only if its backoff ends before the deadline.
      const mayRetry = (waitMs: number) => idempotent && attempt < this.retries && clock.now() + waitMs < deadline;
      const network = () => this.#attempt(method, url, label, apiKey, body, timeout, timeoutHint);
      let answer: HttpAnswer;
      try {
        answer = this.#transport ? await this.#transport.send({ method, path: path + url.search, body, redact: redactKey }, network) : await network();
      } catch (error) {
        const failure = toTransportError(error, label, timeout, timeoutHint, apiKey, url.origin);
        const wait = backoff(attempt);
        if (RETRYABLE_CODES.has((error as { code?: string }).code ?? '') && mayRetry(wait)) {
          await clock.sleep(wait);
          continue;
        }
        throw failure;
      }

      const { status, contentType } = answer;
      if (status >= 200 && status < 300 && answer.body) {
        try {
          return JSON.parse(answer.body.text);
        } catch (error) {
          const hint = isHtml(answer.body.text, contentType) ? this.#baseUrlHint() : undefined;
          throw new InvalidResponseError(`${label} answered ${status} ${describeNotJson(answer.body, contentType, apiKey)}.${hint ? ` ${hint}` : ''}`, { cause: error });
        }
      }

      const wait = retryAfterMs(answer.retryAfter, clock.now()) ?? backoff(attempt);
      if (RETRYABLE_STATUS.has(status) && mayRetry(wait)) {
        await clock.sleep(wait);
        continue;
      }
      const detail = answer.body && describeErrorBody(answer.body, contentType, apiKey);
      const hint = status === 404 || (answer.body && isHtml(answer.body.text, contentType)) ? this.#baseUrlHint() : undefined;
      throw toStatusError(method, url.pathname, status, detail, options.sessionId, hint);
    }
  }

  /** One request over undici, its body read: all of a 2xx (up to 50 MB), the first 64 KB of an error body. */
  async #attempt(method: string, url: URL, label: string, apiKey: string | undefined, body: string | undefined, timeout: number, timeoutHint: string): Promise<HttpAnswer> {
    if (!apiKey) throw new ConfigError('No API key: set the AGI_API_KEY environment variable, or pass `apiKey` to new AgiClient().');
    checkHeaderSafe(apiKey);
    const response = await request(url, {
      method: method as Dispatcher.HttpMethod,
      dispatcher: dispatcher(),
      headers: {
        authorization: `Bearer ${apiKey}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body,
      signal: AbortSignal.timeout(timeout),
    });
    const answer = { status: response.statusCode, contentType: headerOf(response.headers['content-type']), retryAfter: headerOf(response.headers['retry-after']) };
    if (response.statusCode >= 200 && response.statusCode < 300) {
      try {
        return { ...answer, body: await readCapped(response.body, response.headers['content-length'], MAX_RESPONSE_BYTES, () => tooLarge(label)) };
      } catch (error) {
        // Not retried (the answer had begun): an AgiError, which the retry loop passes on as it is.
        throw toTransportError(error, label, timeout, timeoutHint, apiKey, url.origin);
      }
    }
    // Only the start of an error body: it may never end. A failure to read it leaves the status to speak.
    return { ...answer, body: await readCapped(response.body, response.headers['content-length'], MAX_ERROR_BODY_BYTES, 'cut').catch(() => undefined) };
  }

  /** "AGI_BASE_URL is https://host — did you mean https://host/v1?", when the base URL has no version segment. */
  #baseUrlHint(): string | undefined {
    if (this.#baseUrlSource === undefined || /\/v\d+(\/|$)/.test(new URL(this.baseUrl).pathname)) return undefined;
    return `${this.#baseUrlSource} is ${this.baseUrl} — did you mean ${this.baseUrl}/v1?`;
  }
}

/** A key with a line break, space or non-ASCII character cannot go into an Authorization header (undici refuses it). */
function checkHeaderSafe(apiKey: string): void {
  const position = apiKey.search(/[^\x21-\x7e]/);
  if (position === -1) return;
  const code = apiKey.codePointAt(position)!;
  const names: Record<number, string> = { 0x0a: 'a line feed', 0x0d: 'a carriage return', 0x09: 'a tab', 0x20: 'a space', 0x00: 'a NUL' };
  const hex = code.toString(16).toUpperCase().padStart(4, '0');
  const what = names[code] ? `${names[code]} (U+${hex})` : `a character U+${hex}`;
  throw new ConfigError(
    `The API key has ${what} at position ${position + 1}, which an HTTP header cannot carry. Check AGI_API_KEY for a stray newline, space or quote.`,
  );
}

/** A field of a listed session as text: a missing one is '', and an object cannot throw from its own toString. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  return value === undefined || value === null ? '' : (JSON.stringify(value) ?? '');
}

function headerOf(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function toStatusError(method: string, path: string, status: number, detail: string | undefined, sessionId: string | undefined, hint: string | undefined): AgiError {
  const label = `${method} ${path}`;
  if (status === 401 || status === 403) return new AuthError(label, status, detail);
  if (status === 404) return new NotFoundError(label, sessionId, hint);
  return new HttpStatusError(method, path, status, detail, hint);
}

function toTransportError(error: unknown, label: string, timeoutMs: number, hint: string, apiKey: string | undefined, origin: string): AgiError {
  if (error instanceof AgiError) return error;
  const err = error as { name?: string; code?: string; message?: string };
  if (err.name === 'TimeoutError' || err.name === 'AbortError' || err.code === 'UND_ERR_HEADERS_TIMEOUT' || err.code === 'UND_ERR_BODY_TIMEOUT') {
    // The abort reason is a DOMException: as a cause, reporters print its stack and all 25 of its code constants.
    const cause = new Error(`the request was aborted after ${timeoutMs} ms (${err.name ?? 'timeout'}: ${err.message ?? ''})`);
    cause.stack = `Error: ${cause.message}`;
    return new TimeoutError(label, timeoutMs, hint, { cause });
  }
  return new ConnectionError(label, origin, excerpt(String(err.code ?? err.message ?? error), apiKey, 200), { cause: error });
}

function tooLarge(label: string): InvalidResponseError {
  return new InvalidResponseError(`${label} answered a body of more than ${MAX_RESPONSE_BYTES / 1024 / 1024} MB; refused.`);
}

function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), RETRY_AFTER_MAX_MS) : undefined;
}

function backoff(attempt: number): number {
  return retryClock.random() * Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** attempt);
}
