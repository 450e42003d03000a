import type { AgentRun } from './api/agent-run.js';

/**
 * Every error this package throws, by origin: the API (AuthError … InvalidResponseError), image data that is not a
 * usable JPEG or PNG (InvalidScreenshotError), a mistake in how it is used (UsageError), and the file system
 * (FileSystemError). Assertion failures are not errors of this kind: they are ordinary matcher failures.
 * Every error has a stable `code`; the original error, if any, is kept as `cause`.
 * No message ever contains the API key or the Authorization header.
 */

/** `Symbol.for`, so a second copy of this module (src/ and dist/, two installs, a Vitest vm pool) brands alike. */
const brandOf = (name: string): symbol => Symbol.for(`vitest-agi.error.${name}`);

export class AgiError extends Error {
  readonly code: string;

  /**
   * `error instanceof AuthError` holds for an AuthError from any copy of this module: each instance carries the brand
   * of its class and of every class above it, and `instanceof` looks for the brand, not for the prototype.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brandOf(this.name)] === true;
  }

  constructor(message: string, code: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    for (let cls: Function = new.target; cls !== Error; cls = Object.getPrototypeOf(cls) as Function) {
      Object.defineProperty(this, brandOf(cls.name), { value: true });
    }
  }
}

/** 401 or 403: the API key was refused. */
export class AuthError extends AgiError {
  readonly status: number;
  constructor(request: string, status: number, detail?: string) {
    super(
      `${request} failed with ${status} ${status === 401 ? 'Unauthorized' : 'Forbidden'}${detail ? ` (${detail})` : ''}. Check AGI_API_KEY.`,
      'AGI_AUTH',
    );
    this.status = status;
  }
}

/** 404: the session does not exist (or belongs to another key). */
export class NotFoundError extends AgiError {
  readonly sessionId: string | undefined;
  /** `hint`: a sentence to add, e.g. about a base URL without /v1. */
  constructor(request: string, sessionId: string | undefined, hint?: string) {
    super(
      `${request} failed with 404 Not Found: ${sessionId === undefined ? 'no such resource' : `no session "${sessionId}" (deleted, expired, or created with another API key)`}.${hint ? ` ${hint}` : ''}`,
      'AGI_NOT_FOUND',
    );
    this.sessionId = sessionId;
  }
}

/** Any other non-2xx answer. */
export class HttpStatusError extends AgiError {
  readonly status: number;
  readonly method: string;
  readonly path: string;
  constructor(method: string, path: string, status: number, detail?: string, hint?: string) {
    // A detail that is a sentence already ("… is not an absolute http(s) URL.") ends the message without a second stop.
    const reason = detail ? `: ${detail}${/[.!?]$/.test(detail) ? '' : '.'}` : '.';
    super(`${method} ${path} failed with status ${status}${reason}${hint ? ` ${hint}` : ''}`, 'AGI_HTTP_STATUS');
    this.status = status;
    this.method = method;
    this.path = path;
  }
}

/** The request got no complete answer within the `timeout` option. */
export class TimeoutError extends AgiError {
  readonly timeoutMs: number;
  constructor(what: string, timeoutMs: number, hint = 'timeout option', options?: { cause?: unknown }) {
    super(`${what} did not answer within ${timeoutMs} ms (${hint}).`, 'AGI_TIMEOUT', options);
    this.timeoutMs = timeoutMs;
  }
}

/** The connection failed (refused, reset) and retries, if allowed, did not help. */
export class ConnectionError extends AgiError {
  constructor(request: string, origin: string, reason: string, options?: { cause?: unknown }) {
    // The origin, not just the path: a wrong AGI_BASE_URL is the usual cause.
    super(`${request} could not reach the API at ${origin}: ${reason}. Check AGI_BASE_URL and that the server is up.`, 'AGI_CONNECTION', options);
  }
}

/** The API answered 2xx, but with a body we cannot use. */
export class InvalidResponseError extends AgiError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(message, options?.code ?? 'AGI_INVALID_RESPONSE', options);
  }
}

/**
 * Image data that is not a usable JPEG or PNG: a screenshot the API sent (polling takes another capture), image
 * bytes a test passed, or a stored baseline (UnreadableBaselineError). Not an API error: a corrupt file is no answer.
 */
export class InvalidScreenshotError extends AgiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 'AGI_INVALID_SCREENSHOT', options);
  }
}

/** The package was used in a way that cannot work: an unknown or invalid option, a bad subject, region or name. */
export class UsageError extends AgiError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(message, options?.code ?? 'AGI_USAGE', options);
  }
}

/** Missing API key, or client options that cannot work. */
export class ConfigError extends UsageError {
  constructor(message: string) {
    super(message, { code: 'AGI_CONFIG' });
  }
}

/** A file we read or write could not be: a folder in the way, a full or read-only disk, no permission. */
export class FileSystemError extends AgiError {
  /** The file meant (a baseline, an image, results.json), never the temp file a write went through. */
  readonly path: string;
  constructor(message: string, path: string, options?: { cause?: unknown }) {
    super(message, 'AGI_FILE_SYSTEM', options);
    this.path = path;
  }
}

/** A stored baseline that is not a readable JPEG or PNG: `vitest -u` replaces it. */
export class UnreadableBaselineError extends InvalidScreenshotError {}

/** A matcher's promise was still running when its test ended: the `await` in front of `expect` is missing. */
export class NotAwaitedError extends UsageError {
  constructor(matcher: string) {
    super(`expect(…).${matcher}(…) was not awaited, so the test ended before its verdict. Write \`await expect(…).${matcher}(…)\`.`, { code: 'AGI_NOT_AWAITED' });
  }
}

/** A mask or clip region that does not lie inside the screenshot. */
export class RegionError extends UsageError {}

/** A results file that is missing, not JSON, not ours, or does not fit with the other shards given. */
export class ResultsError extends UsageError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, code: 'AGI_RESULTS' });
  }
}

/**
 * Reading text from a screenshot needs the optional peer dependencies tesseract.js and @tesseract.js-data/eng, and
 * one of them is not installed (or cannot be loaded). The other matchers never need them.
 */
export class OcrUnavailableError extends UsageError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, code: 'AGI_OCR_UNAVAILABLE' });
  }
}

// Agent runs and cassettes (issue 13).

/** `session.run()` reached its `timeout` before the task ended; `run` holds what was captured until then. */
export class RunTimeoutError extends TimeoutError {
  readonly run: AgentRun;
  constructor(sessionId: string, lastStatus: string, timeoutMs: number, run: AgentRun) {
    super(`session.run() on session ${sessionId}`, timeoutMs, '`timeout` option');
    const captures = run.captures.reduce((sum, capture) => sum + capture.count, 0);
    this.message =
      `session.run() on session ${sessionId} did not end within ${timeoutMs} ms (\`timeout\` option); last status ${JSON.stringify(lastStatus.slice(0, 40))}, ` +
      `${run.messages.length} message${run.messages.length === 1 ? '' : 's'}, ${captures} capture${captures === 1 ? '' : 's'}: see \`error.run\`.`;
    this.run = run;
  }
}

/**
 * A cassette that cannot answer: missing (in replay, or in CI under `auto`), unreadable, or without the request the
 * test made. `cassette` is its path relative to the project root.
 */
export class CassetteError extends UsageError {
  readonly cassette: string;
  constructor(message: string, cassette: string, code: 'AGI_CASSETTE_MISSING' | 'AGI_CASSETTE_UNMATCHED' | 'AGI_CASSETTE_UNREADABLE', options?: { cause?: unknown }) {
    super(message, { ...options, code });
    this.cassette = cassette;
  }
}
