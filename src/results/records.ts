import type { AssertionResult, TrialsResult } from './results.js';

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

/** The try of a test that made a record. */
export interface RecordedTry {
  /** The test's `retryCount` then, which Vitest counts up across repeats too. */
  retry: number;
  repeat: number;
}

/** One record and the try that made it. */
export interface RecordedAssertion extends RecordedTry {
  assertion: AssertionRecord;
}

export interface AssertionArtifact extends RecordedAssertion {
  type: typeof ARTIFACT_TYPE;
}

/**
 * The assertions a test recorded, from its artifacts and (older Vitest) its meta, in the last try of each repeat:
 * a retried try did not count, but every repeat did (one that failed fails the test). `test` is a worker's task, or
 * what the reporter reads from a test case (`artifacts()`, `meta()`).
 */
export function recordedAssertions(test: { artifacts?: readonly unknown[]; meta?: object }): AssertionRecord[] {
  return lastTries<RecordedAssertion>(test, ARTIFACT_TYPE, META_KEY).map(({ assertion }) => assertion);
}

/** The records of one type, from artifacts and meta, kept from the last try of each repeat. */
function lastTries<R extends RecordedTry>(test: { artifacts?: readonly unknown[]; meta?: object }, type: string, metaKey: string): R[] {
  const artifacts = (test.artifacts ?? []).filter((artifact) => (artifact as { type?: unknown } | null)?.type === type) as unknown as R[];
  const meta = (test.meta as Record<string, unknown> | undefined)?.[metaKey];
  const all: R[] = [...artifacts, ...(Array.isArray(meta) ? (meta as R[]) : [])];
  const lastTry = new Map<number, number>();
  for (const { repeat, retry } of all) lastTry.set(repeat, Math.max(retry, lastTry.get(repeat) ?? retry));
  return all.filter(({ repeat, retry }) => lastTry.get(repeat) === retry);
}

// ---- trials() ----

/** What `trials()` knows about its call; `file` and `test` are added by the reporter. */
export type TrialsRecord = Omit<TrialsResult, 'file' | 'test'>;

/** One record per `trials()` call, the same way as assertions: an artifact of this type, or (before 4.0.11) meta. */
export const TRIALS_ARTIFACT_TYPE = 'vitest-agi:trials';
export const TRIALS_META_KEY = 'vitestAgiTrials';

export interface RecordedTrials extends RecordedTry {
  trials: TrialsRecord;
}

/** The `trials()` calls a test recorded, in the last try of each repeat (as {@link recordedAssertions}). */
export function recordedTrials(test: { artifacts?: readonly unknown[]; meta?: object }): TrialsRecord[] {
  return lastTries<RecordedTrials>(test, TRIALS_ARTIFACT_TYPE, TRIALS_META_KEY).map(({ trials }) => trials);
}
