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
} from './errors.js';
import { escapeNetworkText, quoteNetworkText } from './network-text.js';
import { Session } from './session.js';

export interface AgiClientOptions {
  /** API key. @default process.env.AGI_API_KEY */
  apiKey?: string;
  /** API base URL; paths are appended, so a path prefix survives. @default process.env.AGI_BASE_URL ?? 'https://api.agi.tech/v1' */
  baseUrl?: string;
  /** Per-request limit, in ms, for the whole answer (headers and body). @default 30000 */
  timeout?: number;
  /** Extra attempts for idempotent requests (GET, DELETE) after 429, 502/503/504 or a reset connection. @default 3 */
  retries?: number;
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | boolean | undefined>;
  /** Session id the path is about, named in a 404. */
  sessionId?: string;
  timeout?: number;
}

export const DEFAULT_BASE_URL = 'https://api.agi.tech/v1';
/** Bodies beyond this are refused: a 1080p JPEG data URL is ~0.3 MB, so 50 MB is only reached by a broken server. */
export const MAX_RESPONSE_BYTES = 50 * 1024 * 1024;
const RETRY_BASE_MS = 250; // first backoff; doubles per attempt, with full jitter
const RETRY_MAX_MS = 4_000; // backoff cap
const RETRY_AFTER_MAX_MS = 10_000; // a server's Retry-After is honoured up to this
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);
const RETRYABLE_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ECONNREFUSED']);

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
  // A private field: never enumerated, never serialised, never printed by a test reporter.
  readonly #apiKey: string | undefined;

  constructor(options: AgiClientOptions = {}) {
    this.#apiKey = options.apiKey ?? process.env.AGI_API_KEY;
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
  }

  /** A handle on an existing session; makes no request. */
  session(id: string): Session {
    if (typeof id !== 'string' || id.length === 0) throw new ConfigError(`session id must be a non-empty string, but is ${JSON.stringify(id)}.`);
    return new Session(this, id);
  }

  /** POST /sessions: starts a new agent session. */
  async createSession(options: { agentName?: string } = {}): Promise<Session> {
    const body = await this.request<{ session_id?: unknown }>('POST', '/sessions', {
      body: options.agentName === undefined ? {} : { agent_name: options.agentName },
    });
    if (typeof body?.session_id !== 'string') {
      throw new InvalidResponseError('POST /sessions answered without a "session_id" string.');
    }
    return new Session(this, body.session_id);
  }

  /** GET /sessions: every session of this key. */
  async listSessions(): Promise<Array<{ sessionId: string; agentName: string; status: string; createdAt: string }>> {
    const body = await this.request<unknown>('GET', '/sessions');
    if (!Array.isArray(body)) throw new InvalidResponseError('GET /sessions did not answer a JSON array.');
    return body.map((s) => ({ sessionId: s.session_id, agentName: s.agent_name, status: s.status, createdAt: s.created_at }));
  }

  /** Sends one API request and parses its JSON answer, retrying idempotent requests on transient failures. */
  async request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, options: RequestOptions = {}): Promise<T> {
    const apiKey = this.#apiKey;
    if (!apiKey) {
      throw new ConfigError('No API key: set the AGI_API_KEY environment variable, or pass `apiKey` to new AgiClient().');
    }
    const url = new URL(this.baseUrl + path);
    for (const [key, value] of Object.entries(options.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    const label = `${method} ${url.pathname}`;
    const idempotent = method !== 'POST';
    const timeout = options.timeout ?? this.timeout;

    for (let attempt = 0; ; attempt++) {
      const mayRetry = idempotent && attempt < this.retries;
      let response: Dispatcher.ResponseData;
      try {
        response = await request(url, {
          method,
          dispatcher: dispatcher(),
          headers: {
            authorization: `Bearer ${apiKey}`,
            accept: 'application/json',
            ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          },
          body: options.body === undefined ? undefined : JSON.stringify(options.body),
          signal: AbortSignal.timeout(timeout),
        });
      } catch (error) {
        const failure = toTransportError(error, label, timeout, apiKey, url.origin);
        if (mayRetry && RETRYABLE_CODES.has((error as { code?: string }).code ?? '')) {
          await sleep(backoff(attempt));
          continue;
        }
        throw failure;
      }

      if (response.statusCode >= 200 && response.statusCode < 300) {
        const text = await readBody(response, label, timeout, apiKey, url.origin);
        try {
          return JSON.parse(text) as T;
        } catch (error) {
          throw new InvalidResponseError(`${label} answered ${response.statusCode} but the body is not JSON (starts with ${quoteNetworkText(text.slice(0, 40))}).`, { cause: error });
        }
      }

      const detail = await readErrorDetail(response, apiKey);
      if (mayRetry && RETRYABLE_STATUS.has(response.statusCode)) {
        await sleep(retryAfterMs(response.headers['retry-after']) ?? backoff(attempt));
        continue;
      }
      throw toStatusError(method, url.pathname, response.statusCode, detail, options.sessionId);
    }
  }
}

function toStatusError(method: string, path: string, status: number, detail: string | undefined, sessionId?: string): AgiError {
  const label = `${method} ${path}`;
  if (status === 401 || status === 403) return new AuthError(label, status, detail);
  if (status === 404) return new NotFoundError(label, sessionId);
  return new HttpStatusError(method, path, status, detail);
}

function toTransportError(error: unknown, label: string, timeoutMs: number, apiKey: string, origin: string): AgiError {
  if (error instanceof AgiError) return error;
  const err = error as { name?: string; code?: string; message?: string };
  if (err.name === 'TimeoutError' || err.name === 'AbortError' || err.code === 'UND_ERR_HEADERS_TIMEOUT' || err.code === 'UND_ERR_BODY_TIMEOUT') {
    return new TimeoutError(label, timeoutMs, 'timeout option', { cause: error });
  }
  return new ConnectionError(label, origin, redact(err.code ?? err.message ?? String(error), apiKey), { cause: error });
}

/** Reads a body up to MAX_RESPONSE_BYTES, refusing (and dropping the connection) beyond that. */
async function readBody(response: Dispatcher.ResponseData, label: string, timeoutMs: number, apiKey: string, origin: string): Promise<string> {
  const declared = Number(response.headers['content-length']);
  if (declared > MAX_RESPONSE_BYTES) {
    response.body.destroy();
    throw tooLarge(label, `${(declared / 1024 / 1024).toFixed(0)} MB`);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of response.body) {
      total += chunk.length;
      if (total > MAX_RESPONSE_BYTES) {
        response.body.destroy();
        throw tooLarge(label, 'more than that');
      }
      chunks.push(chunk);
    }
  } catch (error) {
    throw toTransportError(error, label, timeoutMs, apiKey, origin);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

function tooLarge(label: string, size: string): InvalidResponseError {
  return new InvalidResponseError(`${label} answered a body of ${size}, over the ${MAX_RESPONSE_BYTES / 1024 / 1024} MB limit; refused.`);
}

/** The error text the API put in its body (FastAPI `detail`, or `message`, or `error`), short and key-free. */
async function readErrorDetail(response: Dispatcher.ResponseData, apiKey: string): Promise<string | undefined> {
  let text: string;
  try {
    text = await response.body.text();
  } catch {
    return undefined;
  }
  let detail: unknown = text;
  try {
    const json = JSON.parse(text) as Record<string, unknown>;
    detail = json.detail ?? json.message ?? json.error ?? text;
    if (Array.isArray(detail)) detail = detail.map((d) => (d as { msg?: string }).msg ?? JSON.stringify(d)).join('; ');
    if (typeof detail === 'object' && detail !== null) detail = (detail as { message?: string }).message ?? JSON.stringify(detail);
  } catch {
    // not JSON: keep the text
  }
  const short = String(detail).trim().slice(0, 200);
  return short ? escapeNetworkText(redact(short, apiKey)) : undefined;
}

/** A server may echo the key back; it never reaches a message. */
export function redact(text: string, apiKey: string | undefined): string {
  return apiKey ? text.split(apiKey).join('[redacted]') : text;
}

function retryAfterMs(header: string | string[] | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), RETRY_AFTER_MAX_MS) : undefined;
}

function backoff(attempt: number): number {
  return Math.random() * Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** attempt);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
