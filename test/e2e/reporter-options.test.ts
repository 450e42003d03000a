import { afterAll, beforeAll, expect, test } from 'vitest';
import { createProject, type Project } from '../helpers/vitest-project.js';

// A misspelt reporter option used to be ignored: results.json then went to the default place, not where the CI
// step looked. A real Vitest run with the typo must stop and name the option.
const configWith = (options: string) => `import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { setupFiles: ['vitest-agi/setup'], reporters: ['default', ['vitest-agi/reporter', ${options}]] } });
`;
const USER_TEST = `
import { expect, test } from 'vitest';
test('passes', () => expect(1).toBe(1));
`;

let project: Project;
beforeAll(async () => {
  project = await createProject({ 'test/a.test.ts': USER_TEST });
});
afterAll(() => project?.remove());

test('an unknown reporter option fails the run and names the known ones', async () => {
  await project.write('vitest.config.ts', configWith(`{ outFile: 'reports/agi.json' }`));
  const result = await project.run();
  expect(result.code).not.toBe(0);
  expect(result.output).toContain('vitest-agi/reporter: unknown option `outFile`. Known options: `outputFile`.');
  expect(project.exists('.vitest-agi/results.json')).toBe(false);
});

test('a known option is used', async () => {
  await project.write('vitest.config.ts', configWith(`{ outputFile: 'reports/agi.json' }`));
  const result = await project.run();
  expect(result.code, result.output).toBe(0);
  expect(JSON.parse((await project.read('reports/agi.json')).toString()).assertions).toEqual([]);
});
