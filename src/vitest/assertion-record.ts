import { stripVTControlCharacters } from 'node:util';
import { loadArtifactApi, type ArtifactApi } from './artifacts.js';
import { withoutUndefined } from '../options/options.js';
import type { CaptureRecord } from '../matchers/poll.js';
import { ARTIFACT_TYPE, META_KEY, type AssertionArtifact, type AssertionRecord, type RecordedAssertion } from '../results/records.js';
import { escapeNetworkFields, type MatcherName } from '../results/results.js';

export interface RecordingTask {
  type?: string;
  meta?: Record<string, unknown>;
  result?: { retryCount?: number; repeatCount?: number };
}

const TRAJECTORY_KEPT = 20;

/** Records an assertion on the running test (see {@link ARTIFACT_TYPE}); outside a test (no task) it is dropped. */
export async function recordAssertion(testTask: object | undefined, record: AssertionRecord, api: Promise<ArtifactApi> = loadArtifactApi()): Promise<void> {
  const task = testTask as RecordingTask | undefined;
  if (!task || task.type !== 'test') return;
  const recorded: RecordedAssertion = { retry: task.result?.retryCount ?? 0, repeat: task.result?.repeatCount ?? 0, assertion: escapeNetworkFields(record) };
  const { recordArtifact } = await api;
  if (typeof recordArtifact === 'function') {
    try {
      await recordArtifact(task as never, { type: ARTIFACT_TYPE, ...recorded } satisfies AssertionArtifact);
      return;
    } catch {
      // fall back to meta below
    }
  }
  task.meta ??= {};
  const list = (task.meta[META_KEY] ??= []) as RecordedAssertion[];
  list.push(recorded);
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
  context: { record(record: AssertionRecord): Promise<void> },
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
    await context.record({
      matcher, not: isNot, outcome: 'error', pass: false, ...withoutUndefined(known), captures: 0, durationMs: Date.now() - started, timeout: known.timeout ?? 0, error: plainMessage(text),
    });
    throw error;
  }
}
