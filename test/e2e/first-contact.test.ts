import { afterAll, beforeAll, expect, test } from 'vitest';
import { shot } from '../helpers/fixtures.js';
import { createProject, type Project } from '../helpers/vitest-project.js';

// Mistakes a new user makes on the first day, in a real child Vitest run, and what they see.
const CAPTURE = `const capture = (file) => ({ screenshot: 'data:image/jpeg;base64,' + readFileSync('fixtures/' + file).toString('base64'), url: 'https://shop.example/docs', title: 'Docs' });`;

let project: Project;

beforeAll(async () => {
  project = await createProject({
    'fixtures/docs.jpg': shot('docs.jpg'),
    // No await: the poll would run for 5 s, long after the test ended.
    'test/no-await.test.ts': `
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
${CAPTURE}
test('forgot the await', async () => {
  expect(capture('docs.jpg')).toBeOnPage(/thank/, { timeout: 5000 });
});
`,
    // No setupFiles, but the test imports vitest-agi, as every test that makes a client does.
    'no-setup.config.ts': `import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { include: ['test/imports.test.ts'] } });
`,
    'test/imports.test.ts': `
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import 'vitest-agi';
${CAPTURE}
test('matchers registered by the import', async () => {
  await expect(capture('docs.jpg')).toBeOnPage(/docs/);
  await expect(capture('docs.jpg')).not.toHaveTitle('Thanks');
});
`,
  });
});

afterAll(async () => {
  await project?.remove();
});

test('a matcher that is not awaited fails its test and says to await it', async () => {
  const { code, output } = await project.run(['test/no-await.test.ts']);
  expect(code, output).toBe(1);
  expect(output).toContain('FAIL  test/no-await.test.ts > forgot the await');
  expect(output).toContain(
    'NotAwaitedError: expect(…).toBeOnPage(…) was not awaited, so the test ended before its verdict. Write `await expect(…).toBeOnPage(…)`.',
  );
  expect(output).toMatch(/❯ test\/no-await\.test\.ts:6:\d+/);
});

test("`import 'vitest-agi'` registers the matchers without the setup file", async () => {
  const { code, output } = await project.run(['--config', 'no-setup.config.ts']);
  expect(code, output).toBe(0);
  expect(output).toContain('Tests  1 passed (1)');
});
