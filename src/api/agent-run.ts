import type { Screenshot } from '../image/screenshot.js';
import type { AgentMessage, ExecutionStatus } from './session.js';

/**
 * Every run `session.run()` resolves to (and the `run` of a RunTimeoutError) carries this brand as a non-enumerable
 * property set to `true`: `Symbol.for`, so runs made by another copy of the package (src/ and dist/, two installs) are
 * recognised too. Tell a run from other subjects with `isAgentRun(value)`, never by its fields.
 */
export const RUN_BRAND: unique symbol = Symbol.for('vitest-agi.run') as never;

/** Whether `value` is a run made by `session.run()` (it carries RUN_BRAND). */
export function isAgentRun(value: unknown): value is AgentRun {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[RUN_BRAND] === true;
}

/**
 * What `session.run()` records of one agent task: the way there, not only where it ended. A finished record:
 * matchers on a run read it and never fetch. No imports at run time, so every area may load it without the client.
 */
export interface AgentRun {
  /** The status the run ended in: `finished`, `error`, `waiting_for_input` (or the last one seen, on a timeout). */
  status: ExecutionStatus;
  /** The agent's last DONE, QUESTION or ERROR message, if it sent one. */
  message: AgentMessage | undefined;
  /** Every message the task produced, in order. */
  messages: AgentMessage[];
  /** Screenshots taken along the way, oldest first; the last one is the page the run ended on. */
  captures: RunCapture[];
  /** From sending the message to the final capture. */
  durationMs: number;
  /**
   * Set when the capture cap was reached and later steps were not captured, or the final page could not be
   * captured. A capture that fails transiently along the way (the browser between pages) is skipped without a note.
   */
  note?: string;
}

/** One screenshot of a run. Identical consecutive screenshots are kept once, with how many times they were seen. */
export interface RunCapture {
  /** When the screenshot was asked for, in ms since the message was sent (under a replayed cassette: as recorded). */
  atMs: number;
  url: string;
  title: string;
  screenshot: Screenshot;
  /** The agent step (message id of the THOUGHT) this capture followed, if it followed one. */
  step?: number;
  /** How many consecutive captures had exactly these bytes (1 when it was seen once). */
  count: number;
}

export interface RunOptions {
  /** Opened before the task starts (the API's `start_url`). */
  startUrl?: string;
  /**
   * How long the task may take, in ms, before `run()` rejects with a TimeoutError that still carries the captures.
   * @default 600000
   */
  timeout?: number;
  /**
   * Capture after each agent step (the default), or on a clock with `{ everyMs }` (ms, ≥ 50). `max` caps the
   * screenshots taken (one is kept for the end); reaching it sets the run's `note`.
   * @default { max: 100 }
   */
  capture?: { everyMs?: number; max?: number };
}
