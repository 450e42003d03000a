/**
 * An API error the emulator answers with. The body carries the text under both `detail` (what FastAPI sends
 * and the Python SDK reads) and `message` (what the Node SDK reads), so every client shows it (as the AGI API docs say).
 */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    /** Extra body fields, e.g. `errors` on a 422. */
    readonly extra: Record<string, unknown> = {},
    /** Extra response headers, e.g. `retry-after` on a 503. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  get body(): Record<string, unknown> {
    return { detail: this.message, message: this.message, ...this.extra };
  }
}

/** 422 for a request field that is missing or malformed, with a FastAPI-like `errors` entry for C#/Python. */
export function invalidField(location: 'body' | 'query', field: string, message: string, type = 'value_error'): HttpError {
  return new HttpError(422, message, { errors: [{ loc: [location, field], msg: message, type }] });
}

export function sessionNotFound(id: string): HttpError {
  return new HttpError(404, `Session ${id} not found.`);
}
