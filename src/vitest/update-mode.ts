/** Vitest's snapshot update modes: `-u` → 'all', CI → 'none', otherwise 'new'. */
export type UpdateMode = 'all' | 'new' | 'none';

interface SnapshotStateLike {
  snapshotUpdateState?: unknown;
  _updateSnapshot?: unknown;
}

/**
 * Reads the update mode from the matcher's `snapshotState`, so `vitest -u` and CI behave as for Vitest's own snapshots.
 * `snapshotUpdateState` is the public getter (Vitest ≥ 4.1.4 and 5.x); 4.0–4.1.3 only have `_updateSnapshot`.
 * Without a snapshot state (a matcher called outside a test), fall back to the CI environment variable.
 */
export function resolveUpdateMode(snapshotState: unknown, env: Record<string, string | undefined> = process.env): UpdateMode {
  const state = snapshotState as SnapshotStateLike | undefined;
  const mode = state?.snapshotUpdateState ?? state?._updateSnapshot;
  if (mode === 'all' || mode === 'new' || mode === 'none') return mode;
  return isCI(env) ? 'none' : 'new';
}

/** `CI` set to anything but "false" or "0", as std-env (which Vitest uses) reads it. */
export function isCI(env: Record<string, string | undefined>): boolean {
  return Boolean(env.CI) && env.CI !== 'false' && env.CI !== '0';
}
