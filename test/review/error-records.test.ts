import { afterAll, beforeAll, expect, test } from 'vitest';
import { shot } from '../helpers/fixtures.js';
import { createProject, type Project } from '../helpers/vitest-project.js';

// A matcher that throws (the API refused, a region outside the image) still says in results.json what it expected
// and with which timeout: a reader of the results cannot see the test's source.
const CONFIG = `import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { setupFiles: ['vitest-agi/setup'], reporters: ['default', 'vitest-agi/reporter'] } });
`;
const TEST = `import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
const page = { screenshot: 'data:image/jpeg;base64,' + readFileSync('fixtures/docs.jpg').toString('base64'), url: 'http://shop.test/docs', title: 'Docs' };
const broken = { screenshot: async () => { throw new Error('the SDK failed'); } };
test('url', async () => { await expect(broken).toHaveURL(/checkout/, { timeout: 2000, interval: 50 }); });
test('title', async () => { await expect(broken).not.toHaveTitle('Docs', { timeout: 1500 }); });
test('shot', async () => { await expect(page).toMatchScreenshot('docs', { timeout: 2500, clip: { x: 0, y: 0, width: 2000, height: 10 } }); });
`;

let project: Project;
beforeAll(async () => {
  project = await createProject({ 'vitest.config.ts': CONFIG, 'test/errors.test.ts': TEST, 'fixtures/docs.jpg': shot('docs.jpg') });
});
afterAll(() => project?.remove());

test('an `error` record keeps the expectation (or baseline name) and the timeout', async () => {
  const result = await project.run();
  expect(result.code).toBe(1);
  const results = JSON.parse((await project.read('.vitest-agi/results.json')).toString());
  const records = results.assertions.map(({ test, matcher, outcome, expected, name, timeout }: Record<string, unknown>) => ({ test, matcher, outcome, expected, name, timeout }));
  expect(records).toEqual([
    { test: 'url', matcher: 'toHaveURL', outcome: 'error', expected: '/checkout/', name: undefined, timeout: 2000 },
    { test: 'title', matcher: 'toHaveTitle', outcome: 'error', expected: '"Docs"', name: undefined, timeout: 1500 },
    { test: 'shot', matcher: 'toMatchScreenshot', outcome: 'error', expected: undefined, name: 'docs', timeout: 2500 },
  ]);
  expect(project.exists('snapshots')).toBe(false);
});
