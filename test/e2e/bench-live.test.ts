import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

// `npm run bench:live` small: the live site, the emulator on real Chromium and real child Vitest runs, with two
// unchanged runs and one seeded regression (a price digit, outside every mask). The JSON must have the shape,
// and the price regression must be caught by the defaults and by `mask` (it lies outside the masked regions), which
// names a changed region on the price.
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

function benchLive(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^(VITEST|TEST$|NODE_ENV$|CI$|FORCE_COLOR$|GITHUB_)/.test(key)));
  return new Promise((resolve) => {
    execFile(process.execPath, ['bench/live.mjs', ...args], { cwd: repoRoot, env: { ...env, NO_COLOR: '1' }, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error.code as number | undefined) ?? 1) : 0, stdout, stderr });
    });
  });
}

test('bench:live --json reports every recipe in the issue shape, and the defaults and mask catch a changed price', { timeout: 240_000 }, async () => {
  const { code, stdout, stderr } = await benchLive(['--json', '--runs', '2', '--recipes', 'defaults,mask', '--regressions', 'price', '--concurrency', '2']);
  expect(code, stderr).toBe(0);
  const result = JSON.parse(stdout);
  expect(Object.keys(result)).toEqual(['machine', 'recipes']);
  expect(result.machine).toMatchObject({ node: process.version, chromium: expect.stringMatching(/\d+\.\d+/), concurrency: 2 });
  expect(result.recipes.map((r: { name: string }) => r.name)).toEqual(['defaults', 'mask']);
  for (const recipe of result.recipes) {
    expect(recipe).toMatchObject({
      recommended: expect.any(Boolean),
      unchangedRuns: 2,
      falseFailures: expect.any(Number),
      regressions: 1,
      msPerAssertion: expect.any(Number),
    });
    expect(recipe.falseFailures).toBeLessThanOrEqual(2);
    expect(recipe.msPerAssertion).toBeGreaterThan(0);
  }
  expect(result.recipes.filter((r: { recommended: boolean }) => r.recommended)).toHaveLength(1);
  const caught = Object.fromEntries(result.recipes.map((r: { name: string; regressionsCaught: number; missed: string[] }) => [r.name, [r.regressionsCaught, r.missed]]));
  expect(caught).toEqual({ defaults: [1, []], mask: [1, []] });
  // The mask leaves the price in: its failure names a changed region on the price, not somewhere else.
  expect(result.recipes.find((r: { name: string }) => r.name === 'mask').regressionsLocated).toBe(1);
});
