import type { Screenshot } from '../image/screenshot.js';
import type { AgentMessage, ExecutionStatus } from './session.js';

/**
 * What `session.run()` records of one agent task: the way there, not only where it ended. A finished record:
 * matchers on a run read it and never fetch. Types only, so every area may take them without loading the client.
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
  /** Set when the capture cap was reached and later steps were not captured. */
  note?: string;
}

/** One screenshot of a run. Identical consecutive screenshots are kept once, with how many times they were seen. */
export interface RunCapture {
  /** ms since the message was sent. */
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
  /** Capture after each agent step (the default), or on a clock with `{ everyMs }`. */
  capture?: { everyMs?: number; max?: number };
}
