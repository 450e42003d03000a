import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The example suite, set up the way a user's project would be. Its root is this folder, so baselines go to
// examples/snapshots/<test file>/ and diffs to examples/.vitest-agi/.
export default defineConfig({
  // Keep Vite's cache with the repo's, not in a stray examples/node_modules/.
  cacheDir: fileURLToPath(new URL('../node_modules/.vite/examples', import.meta.url)),
  test: {
    root: import.meta.dirname,
    include: ['**/*.test.ts'],
    globalSetup: ['./global-setup.ts'],
    setupFiles: ['vitest-agi/setup'],
    // results.json for `vitest-agi report`/`prune`, and a line at the end on the baselines written or updated.
    reporters: ['default', 'vitest-agi/reporter'],
    // An agent task takes seconds, not milliseconds.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
