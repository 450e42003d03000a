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
