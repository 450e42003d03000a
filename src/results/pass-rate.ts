import type { TrialsResult } from './results.js';

/** z for a two-sided 95 % interval. */
const Z_95 = 1.959964;

/**
 * The Wilson score interval of a pass rate: unlike `p ± z·√(p(1−p)/k)` it stays inside [0, 1] and is not empty at
 * 0 or k passes (5 of 5 still leaves 0.57–1), which is the usual case for a handful of agent trials.
 */
export function wilsonInterval(passed: number, k: number, z = Z_95): { low: number; high: number } {
  const p = passed / k;
  const z2 = z * z;
  const denominator = 1 + z2 / k;
  const centre = (p + z2 / (2 * k)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / k + z2 / (4 * k * k));
  // Exactly 0 and 1 at the ends (rounding would leave 1e-17 there).
  return { low: passed === 0 ? 0 : centre - half, high: passed === k ? 1 : centre + half };
}

export interface PassRate {
  /** passed / k. */
  rate: number;
  /** The 95 % Wilson score interval of the rate. */
  interval: { low: number; high: number; confidence: 0.95 };
}

/** The rate and its interval as results.json keeps them: 4 decimals. */
export function passRate(passed: number, k: number): PassRate {
  const { low, high } = wilsonInterval(passed, k);
  return { rate: round(passed / k), interval: { low: round(low), high: round(high), confidence: 0.95 } };
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

/** What the report needs of one `trials()` record. */
export type TrialsTotals = Pick<TrialsResult, 'file' | 'test' | 'k' | 'passed' | 'atLeast' | 'pass'>;

export interface MergedTrials extends PassRate {
  file: string;
  test: string;
  /** Trials run over every call of this test (shards, repeats, several calls), and how many passed. */
  k: number;
  passed: number;
  calls: number;
  failedCalls: number;
  /** Each call's requirement, "4 of 5", once each. */
  required: string[];
}

/**
 * One row per test: its `trials()` calls (from every shard and repeat) summed, passes and k, and the interval
 * recomputed from the sums: 9 of 10 is a narrower interval than two 4.5-of-5s.
 */
export function mergeTrials(records: readonly TrialsTotals[]): MergedTrials[] {
  const rows = new Map<string, Omit<MergedTrials, keyof PassRate>>();
  for (const record of records) {
    const key = `${record.file}\n${record.test}`;
    const row = rows.get(key) ?? { file: record.file, test: record.test, k: 0, passed: 0, calls: 0, failedCalls: 0, required: [] };
    row.k += record.k;
    row.passed += record.passed;
    row.calls++;
    if (!record.pass) row.failedCalls++;
    const required = `${record.atLeast} of ${record.k}`;
    if (!row.required.includes(required)) row.required.push(required);
    rows.set(key, row);
  }
  return [...rows.values()].map((row) => ({ ...row, ...passRate(row.passed, row.k) }));
}
