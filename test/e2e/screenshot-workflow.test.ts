import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startApiServer, type ApiServer } from '../helpers/api-server.js';
import { shot } from '../helpers/fixtures.js';
import { createProject, type Project, type RunResult } from '../helpers/vitest-project.js';

// A user's project run by a real Vitest, against a real HTTP server speaking the API, over several runs:
// first run, second run, a change, `-u`, CI. Each step builds on the files the previous one left.
const API_KEY = 'sk-e2e-SECRET-7f3a9c';
const docsPage = { url: 'http://shop.test/docs', title: 'Docs — Shop' };

const SHOP_TEST = `
import { describe, expect, test } from 'vitest';
import { AgiClient } from 'vitest-agi';

const agi = new AgiClient();

test('writes or compares the home page', async () => {
  await expect(agi.session('home')).toMatchScreenshot('home');
});

test('checkout > ends on the thank-you page', async () => {
  const session = agi.session('thanks');
  await expect(session).toBeOnPage(/thank/i);
  await expect(session).toMatchScreenshot();
  await expect(session).toMatchScreenshot();
});

test('compares identical bytes without decoding', async () => {
  const seen = [];
  const recording = { screenshot: async () => { const s = await agi.session('home').screenshot(); seen.push(s); return s; } };
  await expect(recording).toMatchScreenshot('home');
  expect(seen.map((s) => s.isDecoded)).toEqual([false]);
});

describe.concurrent('pages in parallel', () => {
  for (const id of ['c1', 'c2', 'c3', 'c4']) {
    test(id, async ({ expect }) => {
      await expect(agi.session(id)).toMatchScreenshot(id);
    });
  }
});
`;

let server: ApiServer;
let project: Project;
const baseline = (name: string) => `snapshots/test/shop.test.ts/${name}`;
const output = (name: string) => `.vitest-agi/test/shop.test.ts/${name}`;
const run = (args: string[] = [], env: Record<string, string> = {}) =>
  project.run(['--reporter=default', '--reporter=json', '--outputFile.json=report.json', ...args], {
    AGI_API_KEY: API_KEY,
    AGI_BASE_URL: server.baseUrl,
    ...env,
  });

/** Per test: its state and the first line-block of its failure (no stack). */
async function report(): Promise<Record<string, { status: string; message?: string }>> {
  const json = JSON.parse((await project.read('report.json')).toString());
  const tests: Record<string, { status: string; message?: string }> = {};
  for (const file of json.testResults) {
    for (const t of file.assertionResults) {
      const message = t.failureMessages[0]?.split(/\n\s+at /)[0];
      tests[t.fullName] = { status: t.status, ...(message ? { message } : {}) };
    }
  }
  return tests;
}

async function mtimes(files: string[]): Promise<number[]> {
  return Promise.all(files.map(async (f) => (await stat(project.path(f))).mtimeMs));
}

beforeAll(async () => {
  server = await startApiServer({ apiKey: API_KEY });
  server.script('home', [{ image: shot('docs.jpg'), ...docsPage }]);
  server.script('thanks', [{ image: shot('thanks.jpg'), url: 'http://shop.test/thanks', title: 'Thank you — Shop' }]);
  ['docs.jpg', 'form.jpg', 'thanks.jpg', 'docs-640x360.jpg'].forEach((file, i) => server.script(`c${i + 1}`, [{ image: shot(file), ...docsPage }]));
  project = await createProject({ 'test/shop.test.ts': SHOP_TEST });
});

afterAll(async () => {
  await server?.close();
  await project?.remove();
});

describe('a user project, run after run', () => {
  let first: RunResult;

  test('the first local run writes every missing baseline, exactly as the API sent it, and passes', async () => {
    first = await run();
    expect(first.code, first.output).toBe(0);
    expect(await project.read(baseline('home.jpg'))).toEqual(shot('docs.jpg'));
    expect(await project.read(baseline('checkout-ends-on-the-thank-you-page-1--2851791b.jpg'))).toEqual(shot('thanks.jpg'));
    expect(await project.read(baseline('checkout-ends-on-the-thank-you-page-2--2846cbfd.jpg'))).toEqual(shot('thanks.jpg'));
    for (const [i, file] of ['docs.jpg', 'form.jpg', 'thanks.jpg', 'docs-640x360.jpg'].entries()) {
      expect(await project.read(baseline(`c${i + 1}.jpg`))).toEqual(shot(file));
    }
    expect(project.exists('.vitest-agi')).toBe(false);
  });

  test('the second run passes and leaves every baseline untouched', async () => {
    const files = ['home.jpg', 'c1.jpg', 'c4.jpg'].map(baseline);
    const before = await mtimes(files);
    const second = await run();
    expect(second.code, second.output).toBe(0);
    expect(await mtimes(files)).toEqual(before);
  });

  test('a changed page fails with a short message, writes actual and diff, and keeps the baseline', async () => {
    server.script('home', [{ image: shot('docs-edited.jpg'), ...docsPage }]);
    const result = await run();
    expect(result.code).toBe(1);
    const tests = await report();
    // The first run wrote the baseline with a provenance sidecar; its day varies from run to run.
    expect(tests['writes or compares the home page']?.message?.replace(/ on \d{4}-\d\d-\d\d$/m, ' on <day>')).toMatchInlineSnapshot(`
      "Error: expect(session).toMatchScreenshot("home")

      Screenshot differs from baseline: 1,832 pixels differ (0.20% of 1280×720);
      allowed: 32 pixels (maxDiffPixels 32), threshold 0.1.

      1 changed region: 463×15 at (607, 172), 1,832 px.

        Baseline: snapshots/test/shop.test.ts/home.jpg
                  captured from http://shop.test/docs on <day>
        Actual:   .vitest-agi/test/shop.test.ts/home-actual.jpg
        Diff:     .vitest-agi/test/shop.test.ts/home-diff.png
        Page:     http://shop.test/docs  "Docs — Shop"

      If the change is intended, run \`vitest -u\` to update the baseline."
    `);
    expect(await project.read(baseline('home.jpg'))).toEqual(shot('docs.jpg'));
    expect(await project.read(output('home-actual.jpg'))).toEqual(shot('docs-edited.jpg'));
    expect((await project.read(output('home-diff.png'))).subarray(1, 4).toString()).toBe('PNG');
    expect(result.output).toContain('Baseline: snapshots/test/shop.test.ts/home.jpg');
  });

  test('`vitest -u` rewrites the failing baseline only, and clears its artefacts', async () => {
    const untouched = ['c1.jpg', 'c2.jpg', 'checkout-ends-on-the-thank-you-page-1--2851791b.jpg'].map(baseline);
    const before = await mtimes(untouched);
    const result = await run(['-u']);
    expect(result.code, result.output).toBe(0);
    expect(await project.read(baseline('home.jpg'))).toEqual(shot('docs-edited.jpg'));
    expect(await mtimes(untouched)).toEqual(before);
    expect(project.exists(output('home-diff.png')) || project.exists(output('home-actual.jpg'))).toBe(false);
  });

  test('`vitest -u` with a timeout rewrites a changed baseline once the page settles, not after the whole timeout', async () => {
    // The agent is still working (form, then thanks) and then stays on thanks. Without settling, -u would capture for
    // the whole 60 s timeout (past the 30 s test timeout) before rewriting.
    server.script('settling', [{ image: shot('form.jpg'), ...docsPage }, { image: shot('thanks.jpg'), ...docsPage }]);
    await project.write('test/settling.test.ts', `
      import { expect, test } from 'vitest';
      import { AgiClient } from 'vitest-agi';
      test('settling', async () => {
        await expect(new AgiClient().session('settling')).toMatchScreenshot('settling', { timeout: 60_000, interval: 50 });
      });
    `);
    await project.write('snapshots/test/settling.test.ts/settling.jpg', shot('docs.jpg'));
    const before = server.requests.length;
    const result = await run(['test/settling.test.ts', '-u']);
    expect(result.code, result.output).toBe(0);
    expect(await project.read('snapshots/test/settling.test.ts/settling.jpg')).toEqual(shot('thanks.jpg'));
    // form ≠ baseline; thanks ≠ form; thanks = thanks: settled, so the third capture is the last.
    expect(server.requests.slice(before).filter((r) => r.path.includes('/settling/screenshot')).length).toBe(3);
  });

  test('`vitest -u` replaces an unreadable baseline, as the error without -u says', async () => {
    await project.write('snapshots/test/shop.test.ts/home.jpg', shot('docs.jpg').subarray(0, 1000));
    const failed = await run(['test/shop.test.ts', '-t', 'home page']);
    expect(failed.code).toBe(1);
    expect((await report())['writes or compares the home page']?.message).toMatch(
      /^UnreadableBaselineError: baseline snapshots\/test\/shop\.test\.ts\/home\.jpg is unreadable \(.*\); run `vitest -u` to replace it \(or delete it\)\.$/,
    );
    const updated = await run(['test/shop.test.ts', '-t', 'home page', '-u']);
    expect(updated.code, updated.output).toBe(0);
    expect(await project.read(baseline('home.jpg'))).toEqual(shot('docs-edited.jpg'));
  });

  test('under CI a missing baseline fails, nothing is written to snapshots/, and the actual image is kept', async () => {
    await project.write('test/new-page.test.ts', `
      import { expect, test } from 'vitest';
      import { AgiClient } from 'vitest-agi';
      test('new page', async () => { await expect(new AgiClient().session('home')).toMatchScreenshot('new-page'); });
    `);
    const result = await run(['test/new-page.test.ts'], { CI: 'true' });
    expect(result.code).toBe(1);
    expect((await report())['new page']?.message).toMatchInlineSnapshot(`
      "Error: expect(session).toMatchScreenshot("new-page")

      No baseline at snapshots/test/new-page.test.ts/new-page.jpg, and baselines are not written in CI (update mode "none").

        Actual: .vitest-agi/test/new-page.test.ts/new-page-actual.jpg
        Page:   http://shop.test/docs  "Docs — Shop"

      Run \`vitest -u\` locally and commit the file."
    `);
    expect(project.exists('snapshots/test/new-page.test.ts')).toBe(false);
    expect(await project.read('.vitest-agi/test/new-page.test.ts/new-page-actual.jpg')).toEqual(shot('docs-edited.jpg'));
  });

  test('`--update=none` refuses to write a missing baseline just as CI does (Vitest has no --ci flag)', async () => {
    const result = await run(['test/new-page.test.ts', '--update=none']);
    expect(result.code).toBe(1);
    expect((await report())['new page']?.message).toContain('baselines are not written in CI (update mode "none")');
    expect(project.exists('snapshots/test/new-page.test.ts')).toBe(false);
  });

  test('the API key appears in no output and no file, even when the API refuses it', async () => {
    await project.write('test/refused.test.ts', `
      import { expect, test } from 'vitest';
      import { AgiClient } from 'vitest-agi';
      test('refused', async () => { await expect(new AgiClient().session('home')).toMatchScreenshot('refused'); });
    `);
    const result = await run(['test/refused.test.ts'], { AGI_API_KEY: `${API_KEY}-wrong` });
    expect(result.code).toBe(1);
    expect((await report())['refused']?.message).toBe(
      'AuthError: GET /v1/sessions/home/screenshot failed with 401 Unauthorized (Invalid or missing API key). Check AGI_API_KEY.',
    );
    const outputs = [first.output, result.output];
    for (const file of await listFiles(project.dir)) outputs.push((await readFile(file)).toString('latin1'));
    expect(outputs.filter((text) => text.includes(API_KEY))).toEqual([]);
  });
});

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries
      .filter((e) => e.name !== 'node_modules')
      .map((e) => (e.isDirectory() ? listFiles(path.join(dir, e.name)) : Promise.resolve([path.join(dir, e.name)]))),
  );
  return nested.flat();
}
