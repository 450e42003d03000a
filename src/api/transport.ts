/**
 * The seam between the client and the network: one HTTP attempt, its answer with the body already read. The client
 * sends through undici; a cassette (src/cassettes/) records each attempt, or answers it from a recording instead.
 * Types only.
 */

export interface HttpAttempt {
  method: string;
  /** Path and query below the base URL, e.g. `/sessions/abc/messages?after_id=0&sanitize=true`. */
  path: string;
  /** The JSON request body as sent, if any. */
  body: string | undefined;
  /** Removes the API key from text to be kept (a server may echo it). */
  redact: (text: string) => string;
}

export interface HttpAnswer {
  status: number;
  contentType: string | undefined;
  retryAfter: string | undefined;
  /** The body: all of a 2xx (up to the client's cap), the start of an error body; undefined if it could not be read. */
  body: { text: string; bytes: number; truncated: boolean } | undefined;
}

/** How the client's sessions read the time and wait between polls. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<unknown>;
}

export interface Transport {
  /**
   * Answers one attempt: by calling `network` (and recording what it answered), or from a recording. A failure to get
   * any answer (refused, reset, timed out) is thrown as it came; a recorded one is thrown again as an Error of the same
   * `name`, `code` and `message`.
   */
  send(attempt: HttpAttempt, network: () => Promise<HttpAnswer>): Promise<HttpAnswer>;
  /** The clock polls and runs wait on: a replayed recording's waits take no time. */
  readonly clock: Clock;
}
