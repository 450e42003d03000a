import { describe, expect, test } from 'vitest';
import { resolveUpdateMode } from '../../src/vitest/update-mode.js';

describe('resolveUpdateMode', () => {
  test('reads the public getter (Vitest ≥ 4.1.4, 5.x) first, then the private field (4.0–4.1.3)', () => {
    expect(resolveUpdateMode({ snapshotUpdateState: 'all', _updateSnapshot: 'none' })).toBe('all');
    expect(resolveUpdateMode({ _updateSnapshot: 'none' })).toBe('none');
  });

  test('without a snapshot state, CI means "none" and otherwise "new"', () => {
    expect(resolveUpdateMode(undefined, { CI: 'true' })).toBe('none');
    expect(resolveUpdateMode(undefined, { CI: 'false' })).toBe('new');
    expect(resolveUpdateMode(undefined, {})).toBe('new');
  });

  test('reads the live snapshot state of this very test run', ({ expect }) => {
    const mode = resolveUpdateMode((expect.getState() as { snapshotState?: unknown }).snapshotState);
    expect(mode).toBe(process.env.CI ? 'none' : 'new');
  });
});
