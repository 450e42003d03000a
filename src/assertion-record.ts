import { stripVTControlCharacters } from 'node:util';
import { withoutUndefined } from './options.js';
import type { CaptureRecord } from './poll.js';
import { escapeNetworkFields, type AssertionResult, type MatcherName } from './results.js';

/**
 * What a matcher knows about one assertion. `file` and `test` are added by the reporter, which also turns the
 * absolute paths here into paths relative to the Vitest root.
 */
export type AssertionRecord = Omit<AssertionResult, 'file' | 'test'>;

/** Where the records travel: `task.meta` is sent from the worker with the test's result (Vitest 4 and 5). */
export const META_KEY = 'vitestAgi';

export interface RecordedMeta {
  /** `<retry>:<repeat>`: a new attempt starts a new list, so results describe the attempt that counted. */
  attempt: string;
  assertions: AssertionRecord[];
}

export interface RecordingTask {
  type?: string;
  meta?: Record<string, unknown>;
  result?: { retryCount?: number; repeatCount?: number };
}

const TRAJECTORY_KEPT = 20;

/** Appends a record to the running test's `meta`; outside a test (no task) it is dropped. */
export function recordAssertion(testTask: object | undefined, record: AssertionRecord): void {
  const task = testTask as RecordingTask | undefined;
  if (!task || task.type !== 'test') return;
  task.meta ??= {};
  const attempt = `${task.result?.retryCount ?? 0}:${task.result?.repeatCount ?? 0}`;
  let recorded = task.meta[META_KEY] as RecordedMeta | undefined;
  if (recorded?.attempt !== attempt) {
    recorded = { attempt, assertions: [] };
    task.meta[META_KEY] = recorded;
  }
  recorded.assertions.push(escapeNetworkFields(record));
}

/** The polling fields every record has. */
export function describePolling(captures: CaptureRecord[], elapsedMs: number, timeout: number): Pick<AssertionRecord, 'captures' | 'durationMs' | 'timeout' | 'trajectory'> {
  return {
    captures: captures.length,
    durationMs: elapsedMs,
    timeout,
    ...(captures.length > 1 ? { trajectory: captures.slice(-TRAJECTORY_KEPT).map(withoutUndefined) } : {}),
  };
}

/** A failure message as plain text (the worker may colour it). */
export function plainMessage(message: string): string {
  return stripVTControlCharacters(message);
}

/** What a matcher body has learnt when it throws: kept in its `error` record. */
export type KnownSoFar = Partial<Pick<AssertionRecord, 'expected' | 'name' | 'timeout'>>;

/**
 * Runs a matcher body; if it throws (the API failed, an option was invalid), records an `error` assertion before
 * rethrowing, so results.json says why a test failed even when no comparison happened. The body fills `known` as it
 * learns the expectation, baseline name and timeout, so the record keeps them.
 */
export async function recordingErrors<T>(
  task: object | undefined,
  matcher: MatcherName,
  isNot: boolean,
  run: (known: KnownSoFar) => Promise<T>,
): Promise<T> {
  const started = Date.now();
  const known: KnownSoFar = {};
  try {
    return await run(known);
  } catch (error) {
    const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    recordAssertion(task, {
      matcher, not: isNot, outcome: 'error', pass: false, ...withoutUndefined(known), captures: 0, durationMs: Date.now() - started, timeout: known.timeout ?? 0, error: plainMessage(text),
    });
    throw error;
  }
}
