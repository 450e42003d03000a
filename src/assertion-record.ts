import { stripVTControlCharacters } from 'node:util';
import { loadArtifactApi, type ArtifactApi } from './artifacts.js';
import { withoutUndefined } from './options.js';
import type { CaptureRecord } from './poll.js';
import { escapeNetworkFields, type AssertionResult, type MatcherName } from './results.js';

/**
 * What a matcher knows about one assertion. `file` and `test` are added by the reporter, which also turns the
 * absolute paths here into paths relative to the Vitest root.
 */
export type AssertionRecord = Omit<AssertionResult, 'file' | 'test'>;

/**
 * Where the records travel from the worker to the reporter. Vitest ≥ 4.0.11: one test artifact per assertion, of a
 * type of our own, which Vitest's report (`vitest --ui`, the HTML reporter) does not display, and which blob reports
 * keep for `--merge-reports`; it costs one round trip to the main process, about 1 ms per assertion. Before 4.0.11:
 * the test's `meta`, which the report shows as JSON in its "Test Meta" view.
 */
export const ARTIFACT_TYPE = 'vitest-agi:assertion';
export const META_KEY = 'vitestAgi';

/** One record and the try that made it. */
export interface RecordedAssertion {
  /** The test's `retryCount` then, which Vitest counts up across repeats too. */
  retry: number;
  repeat: number;
  assertion: AssertionRecord;
}

export interface AssertionArtifact extends RecordedAssertion {
  type: typeof ARTIFACT_TYPE;
}

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

/**
 * The assertions a test recorded, from its artifacts and (older Vitest) its meta, in the last try of each repeat:
 * a retried try did not count, but every repeat did (one that failed fails the test). `test` is a worker's task, or
 * what the reporter reads from a test case (`artifacts()`, `meta()`).
 */
export function recordedAssertions(test: { artifacts?: readonly unknown[]; meta?: object }): AssertionRecord[] {
  const artifacts = (test.artifacts ?? []).filter((artifact): artifact is AssertionArtifact => (artifact as { type?: unknown } | null)?.type === ARTIFACT_TYPE);
  const meta = (test.meta as Record<string, unknown> | undefined)?.[META_KEY];
  const all: RecordedAssertion[] = [...artifacts, ...(Array.isArray(meta) ? (meta as RecordedAssertion[]) : [])];
  const lastTry = new Map<number, number>();
  for (const { repeat, retry } of all) lastTry.set(repeat, Math.max(retry, lastTry.get(repeat) ?? retry));
  return all.filter(({ repeat, retry }) => lastTry.get(repeat) === retry).map(({ assertion }) => assertion);
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
    await recordAssertion(task, {
      matcher, not: isNot, outcome: 'error', pass: false, ...withoutUndefined(known), captures: 0, durationMs: Date.now() - started, timeout: known.timeout ?? 0, error: plainMessage(text),
    });
    throw error;
  }
}
