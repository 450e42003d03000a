import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'test/fixtures/**'],
    setupFiles: ['./src/setup.ts'],
    // End-to-end tests start real Vitest runs and a real Chromium: give them room on 2 cores.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
