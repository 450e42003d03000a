import { stripVTControlCharacters } from 'node:util';
import { loadArtifactApi, type ArtifactApi } from './artifacts.js';
import { withoutUndefined } from '../options/options.js';
import type { CaptureRecord } from '../matchers/poll.js';
import { ARTIFACT_TYPE, META_KEY, TRIALS_ARTIFACT_TYPE, TRIALS_META_KEY, type AssertionRecord, type RecordedAssertion, type RecordedTrials, type RecordedTry, type TrialsRecord } from '../results/records.js';
import { trialOf } from './trial-task.js';
import { escapeNetworkFields, type MatcherName } from '../results/results.js';

export interface RecordingTask {
  type?: string;
  meta?: Record<string, unknown>;
  result?: { retryCount?: number; repeatCount?: number };
}

const TRAJECTORY_KEPT = 20;

/** Records an assertion on the running test (see {@link ARTIFACT_TYPE}); outside a test (no task) it is dropped. */
export async function recordAssertion(testTask: object | undefined, record: AssertionRecord, api: Promise<ArtifactApi> = loadArtifactApi()): Promise<void> {
  const trial = trialOf(testTask);
  const assertion = escapeNetworkFields(trial === undefined ? record : { ...record, trial });
  await recordOnTest(testTask, ARTIFACT_TYPE, META_KEY, (attempt): RecordedAssertion => ({ ...attempt, assertion }), api);
}

/** Records a `trials()` call on the running test, as assertions are recorded. */
export async function recordTrials(testTask: object | undefined, trials: TrialsRecord, api: Promise<ArtifactApi> = loadArtifactApi()): Promise<void> {
  await recordOnTest(testTask, TRIALS_ARTIFACT_TYPE, TRIALS_META_KEY, (attempt): RecordedTrials => ({ ...attempt, trials }), api);
}

async function recordOnTest(
  testTask: object | undefined,
  type: string,
  metaKey: string,
  make: (attempt: RecordedTry) => object,
  api: Promise<ArtifactApi>,
): Promise<void> {
  const task = testTask as RecordingTask | undefined;
  if (!task || task.type !== 'test') return;
  const recorded = make({ retry: task.result?.retryCount ?? 0, repeat: task.result?.repeatCount ?? 0 });
  const { recordArtifact } = await api;
  if (typeof recordArtifact === 'function') {
    try {
      await recordArtifact(task as never, { type, ...recorded });
      return;
    } catch {
      // fall back to meta below
    }
  }
  task.meta ??= {};
  const list = (task.meta[metaKey] ??= []) as object[];
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
