import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createProject, type Project } from '../helpers/vitest-project.js';

// The matchers on real Chromium screenshots: the example suite (examples/) copied into a user project and run
// by a real Vitest, with the shop site and the emulator started by its globalSetup — first run, second run, and
// a one-word change to the shop page.
const example = (file: string) => readFile(fileURLToPath(new URL(`../../examples/${file}`, import.meta.url)), 'utf8');
const CONFIG = `import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { globalSetup: ['./global-setup.ts'], setupFiles: ['vitest-agi/setup'], testTimeout: 60_000, hookTimeout: 60_000 } });
`;
const BASELINES = [
  'snapshots/checkout.test.ts/a-customer-buys-a-mug-and-lands-on-the-thank-you-page-1--2a493229.jpg',
  'snapshots/checkout.test.ts/t-shirt-ordered.jpg',
  'snapshots/checkout.test.ts/shop-front.jpg',
];

let project: Project;
let shopSite: string;

beforeAll(async () => {
  shopSite = await example('shop-site.ts');
  project = await createProject({
    'vitest.config.ts': CONFIG,
    'checkout.test.ts': await example('checkout.test.ts'),
    'global-setup.ts': await example('global-setup.ts'),
    'shop-site.ts': shopSite,
  });
});
afterAll(() => project?.remove());

describe('the example agent suite against the emulator', () => {
  test('the first run writes real Chromium JPEG baselines, and the second compares byte for byte and passes', async () => {
    const first = await project.run();
    expect(first.code, first.output).toBe(0);
    const written = await Promise.all(BASELINES.map((file) => project.read(file)));
    for (const bytes of written) expect([bytes[0], bytes[1], bytes.at(-2), bytes.at(-1)]).toEqual([0xff, 0xd8, 0xff, 0xd9]);

    const second = await project.run([], { CI: 'true' });
    expect(second.code, second.output).toBe(0);
    expect(await Promise.all(BASELINES.map((file) => project.read(file)))).toEqual(written);
    expect(project.exists('.vitest-agi')).toBe(false);
  });

  test('a one-word change on the shop page fails the screenshot of that page only', async () => {
    expect(shopSite).toContain('Two things, both good.');
    await project.write('shop-site.ts', shopSite.replace('Two things, both good.', 'Two things, both great.'));
    const result = await project.run(['--reporter=json', '--outputFile.json=report.json'], { CI: 'true' });
    expect(result.code).toBe(1);
    const report = JSON.parse((await project.read('report.json')).toString());
    const states = Object.fromEntries(report.testResults[0].assertionResults.map((t: { title: string; status: string }) => [t.title, t.status]));
    expect(states).toEqual({
      'a customer buys a mug and lands on the thank-you page': 'passed',
      'the agent asks for the size, and the answer reaches the order': 'passed',
      'the shop front looks the way it did': 'failed',
    });
    const failed = report.testResults[0].assertionResults.find((t: { status: string }) => t.status === 'failed');
    expect(failed.failureMessages[0]).toMatch(/Screenshot differs from baseline: [\d,]+ pixels differ .*\n.*\n\n1 changed region: \d+×\d+ at \(\d+, \d+\), [\d,]+ px\.\n\n {2}Baseline: snapshots\/checkout\.test\.ts\/shop-front\.jpg\n/);
    expect(project.exists('.vitest-agi/checkout.test.ts/shop-front-diff.png')).toBe(true);
  });
});
