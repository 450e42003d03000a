import { afterEach, beforeEach, expect, vi } from 'vitest';

/**
 * For in-process tests of the local update mode ("new": a missing baseline is written): under `CI=true` the outer
 * Vitest run is in mode "none", which these tests do not mean to test (test/e2e covers CI in real child runs).
 * Sets this file's snapshot state to "new" and unsets `CI` around each test of the calling block, then puts both back.
 */
export function useLocalUpdateMode(): void {
  let saved: unknown;
  beforeEach(() => {
    const state = expect.getState().snapshotState as unknown as { _updateSnapshot: unknown };
    saved = state._updateSnapshot;
    state._updateSnapshot = 'new';
    vi.stubEnv('CI', '');
  });
  afterEach(() => {
    (expect.getState().snapshotState as unknown as { _updateSnapshot: unknown })._updateSnapshot = saved;
    vi.unstubAllEnvs();
  });
}
