import { afterAll, beforeAll, expect, test } from 'vitest';
import { shot } from '../helpers/fixtures.js';
import { createProject, type Project } from '../helpers/vitest-project.js';

// What a run says about the baselines it wrote, updated, failed or no longer uses, as Vitest says "Snapshots 2
// written": a user's project with the README's config (setup file and reporter), run by a real Vitest, four times.
const CONFIG = `import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { setupFiles: ['vitest-agi/setup'], reporters: ['default', 'vitest-agi/reporter'] } });
`;

// THANKS picks the image the "thanks" page shows; NEW=1 adds a test whose baseline does not exist yet.
const SHOP_TEST = `
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';

const capture = (file) => ({ screenshot: 'data:image/jpeg;base64,' + readFileSync('fixtures/' + file).toString('base64'), url: 'https://shop.example/', title: 'Shop' });

test('home', async () => {
  await expect(capture('docs.jpg')).toMatchScreenshot('home');
});

test('thanks', async () => {
  await expect(capture(process.env.THANKS ?? 'thanks.jpg')).toMatchScreenshot('thanks');
});

// Not test.runIf: a skipped test would make the run incomplete, and unused baselines unknown.
if (process.env.NEW) {
  test('a new page', async () => {
    await expect(capture('form.jpg')).toMatchScreenshot('new-page');
  });
}
`;

let project: Project;

beforeAll(async () => {
  project = await createProject({
    'vitest.config.ts': CONFIG,
    'test/shop.test.ts': SHOP_TEST,
    'fixtures/docs.jpg': shot('docs.jpg'),
    'fixtures/thanks.jpg': shot('thanks.jpg'),
    'fixtures/form.jpg': shot('form.jpg'),
  });
});

afterAll(async () => {
  await project?.remove();
});

/** The lines from "vitest-agi:" on, or '' when the run said nothing about baselines. */
async function summaryOf(args: string[], env: Record<string, string> = {}) {
  const { code, output } = await project.run(args, env);
  const start = output.indexOf('vitest-agi:');
  return { code, summary: start === -1 ? '' : output.slice(start).trimEnd() };
}

test('the first run says which baselines it wrote', async () => {
  const { code, summary } = await summaryOf([]);
  expect(code).toBe(0);
  expect(summary).toMatchInlineSnapshot(`
    "vitest-agi: 2 baselines written
      written  snapshots/test/shop.test.ts/home.jpg
      written  snapshots/test/shop.test.ts/thanks.jpg"
  `);
});

test('a run where everything matches says nothing about baselines', async () => {
  expect(await summaryOf([])).toEqual({ code: 0, summary: '' });
});

test('a -u run says which baseline it updated', async () => {
  const { code, summary } = await summaryOf(['-u'], { THANKS: 'form.jpg' });
  expect(code).toBe(0);
  expect(summary).toMatchInlineSnapshot(`
    "vitest-agi: 1 baseline updated
      updated  snapshots/test/shop.test.ts/thanks.jpg"
  `);
});

test('a CI run writes nothing and says which baseline failed', async () => {
  const { code, summary } = await summaryOf([], { THANKS: 'form.jpg', NEW: '1', CI: 'true' });
  expect(code).toBe(1);
  expect(project.exists('snapshots/test/shop.test.ts/new-page.jpg')).toBe(false);
  expect(summary).toMatchInlineSnapshot(`
    "vitest-agi: 1 baseline failed
      failed   snapshots/test/shop.test.ts/new-page.jpg (baseline-missing)"
  `);
});

test('a complete run counts the baselines no assertion used', async () => {
  // A baseline vitest-agi wrote (its provenance sidecar describes its bytes) that no test uses any more.
  const dir = 'snapshots/test/shop.test.ts';
  await project.write(`${dir}/old-page.jpg`, await project.read(`${dir}/home.jpg`));
  await project.write(`${dir}/old-page.jpg.json`, await project.read(`${dir}/home.jpg.json`));
  const { code, summary } = await summaryOf([], { THANKS: 'form.jpg' });
  expect(code).toBe(0);
  expect(summary).toMatchInlineSnapshot(`
    "vitest-agi: 1 baseline unused
      unused: \`npx vitest-agi prune\` lists them, \`--delete\` deletes them"
  `);
});
