import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createProject, type Project } from '../helpers/vitest-project.js';

// The flake users hit most: send a task, then poll `toBeOnPage` while the agent is still navigating. Each
// capture may land mid-navigation; neither the emulator (a capture of a page in motion) nor the matcher (a
// transient 5xx or a slow answer is "not yet") may turn that into a red test. 20 real runs, 0 failures allowed.
const RUNS = 20;
const example = (file: string) => readFile(fileURLToPath(new URL(`../../examples/${file}`, import.meta.url)), 'utf8');
const CONFIG = `import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { globalSetup: ['./global-setup.ts'], setupFiles: ['vitest-agi/setup'], testTimeout: 60_000, hookTimeout: 60_000 } });
`;
const USER_TEST = `
import { expect, inject, test } from 'vitest';
import { AgiClient } from 'vitest-agi';

const agi = new AgiClient({ apiKey: 'demo-key', baseUrl: inject('agiBaseUrl') });
const shop = inject('shopUrl');

test.each(Array.from({ length: ${RUNS} }, (_, i) => i + 1))('run %i: polling while the agent navigates', async () => {
  const session = await agi.createSession();
  try {
    await session.sendMessage(
      \`click "Buy the mug"
       fill "Name" with "Ada Lovelace"
       fill "Email" with "ada@example.com"
       click "Place order"
       done "Ordered one mug"\`,
      { startUrl: shop },
    );
    // A short interval, so captures keep landing while pages load.
    await expect(session).toBeOnPage(/thank/i, { timeout: 30_000, interval: 50 });
  } finally {
    await session.delete();
  }
});
`;

let project: Project;

beforeAll(async () => {
  project = await createProject({
    'vitest.config.ts': CONFIG,
    'polling.test.ts': USER_TEST,
    'global-setup.ts': await example('global-setup.ts'),
    'shop-site.ts': await example('shop-site.ts'),
  });
});
afterAll(() => project?.remove());

test(`toBeOnPage polling during navigation passes in ${RUNS} of ${RUNS} runs against the emulator`, { timeout: 300_000 }, async () => {
  const result = await project.run(['--reporter=json', '--outputFile.json=report.json']);
  const report = JSON.parse((await project.read('report.json')).toString());
  const failed = report.testResults[0].assertionResults.filter((t: { status: string }) => t.status !== 'passed');
  expect(failed.map((t: { title: string; failureMessages: string[] }) => `${t.title}: ${t.failureMessages[0]?.split('\n')[0]}`)).toEqual([]);
  expect(report.numPassedTests).toBe(RUNS);
  expect(result.code, result.output).toBe(0);
});
