import type { AssertionResult } from './results.js';

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
