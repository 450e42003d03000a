import { defineConfig } from 'vitest/config';

// Three lanes, one per kind of cost. `npm test` runs them all; `vitest run --project unit` is the fast one.
// A file belongs to the lane its most expensive part needs: a node:http server on port 0 is unit; a child
// process, a child Vitest run or waiting in real time is e2e; Chromium (through the emulator's discovery) is browser.
// Unit tests that poll run on a fake poll clock (test/helpers/poll-clock.ts) and retry clock (retry-clock.ts).
/** Child Vitest runs (they use dist/, so `npm run build` first), and real-time bounds on hanging calls. */
const e2e = [
  'test/e2e/**/*.test.ts',
  'test/review/error-records.test.ts',
  'test/review/network-text.test.ts',
  'test/review/results-file.test.ts',
  'test/review/results.test.ts',
  'test/review/shards-and-prune.test.ts',
];
/** Real Chromium: the emulator, and the HTML report opened in a browser. */
const browser = ['test/emulator/**/*.test.ts', 'test/review/html-report.test.ts'];
const exclude = ['**/node_modules/**', 'test/fixtures/**'];
/** Unit files that assert on a worker's fresh module state. */
const isolatedUnit = ['test/unit/jpeg-decoder.test.ts'];

export default defineConfig({
  test: {
    setupFiles: ['./src/setup.ts'],
    // End-to-end tests start real Vitest runs and a real Chromium: give them room on 2 cores.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      // No child processes, no browser, no real sleeping: in-process code, real files, local HTTP servers.
      // One module graph for all unit files (isolate: false): 47 files start in ~18 s instead of ~33 s. Every unit test
      // resets what it configures; a file that needs a fresh graph (no wasm decoder loaded yet) runs isolated.
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...exclude, ...e2e, ...browser, ...isolatedUnit], isolate: false } },
      { extends: true, test: { name: 'unit-isolated', include: isolatedUnit, exclude } },
      { extends: true, test: { name: 'e2e', include: e2e, exclude } },
      { extends: true, test: { name: 'browser', include: browser, exclude } },
    ],
  },
});
