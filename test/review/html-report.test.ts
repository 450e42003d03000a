import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';
import { shot } from '../helpers/fixtures.js';
import { createProject, toolchain, type Project } from '../helpers/vitest-project.js';

// A user's failing screenshot test, run by a real Vitest with its HTML reporter; the report is then opened in
// headless Chromium, as a reviewer would open it, and must show the baseline, actual and diff images of that test.
// `UPDATE=1` also saves the view as docs/html-report.png (the README's picture).
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

const CHECKOUT_TEST = `
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';

const capture = (file, url) => ({ screenshot: 'data:image/jpeg;base64,' + readFileSync('fixtures/' + file).toString('base64'), url, title: 'Docs — Shop' });

test('the docs page still reads the same', async ({ task }) => {
  task.meta.ticket = 'SHOP-12';
  await expect(capture('docs-edited.jpg', 'https://shop.example/docs/carts')).toMatchScreenshot('docs', { meta: { prompt: 'v7' } });
});

test('a new page gets a baseline', async () => {
  await expect(capture('thanks.jpg', 'https://shop.example/thanks')).toMatchScreenshot('thanks');
});
`;

let project: Project;
let reportDir: string;
let server: Server;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const tools = await toolchain();
  if (!existsSync(path.join(tools.nodeModules, '@vitest', 'ui', 'package.json'))) {
    throw new Error(`Vitest's HTML reporter needs @vitest/ui (the same version as vitest) in ${tools.nodeModules}: add it to devDependencies.`);
  }
  project = await createProject({
    'test/checkout.test.ts': CHECKOUT_TEST,
    'fixtures/docs-edited.jpg': shot('docs-edited.jpg'),
    'fixtures/thanks.jpg': shot('thanks.jpg'),
    'snapshots/test/checkout.test.ts/docs.jpg': shot('docs.jpg'),
    // The baseline's provenance, as an earlier run under prompt v6 wrote it.
    'snapshots/test/checkout.test.ts/docs.jpg.json': `${JSON.stringify({
      url: 'https://shop.example/docs/carts', title: 'Docs — Shop', width: 1280, height: 720,
      sha256: createHash('sha256').update(shot('docs.jpg')).digest('hex'),
      capturedAt: '2026-11-20T09:30:00.000Z', vitestAgi: '0.1.0', meta: { prompt: 'v6' },
    }, null, 2)}\n`,
  });
  // In colour, as from a terminal: Vitest 4's report prints a message holding colour codes twice, with a raw stack.
  const result = await project.run(['--reporter=default', '--reporter=html'], { NO_COLOR: undefined, FORCE_COLOR: '1' });
  expect(result.code, result.output).toBe(1);
  expect(result.output).toContain('HTML  Report is generated');

  // Vitest 4 writes the report to html/, Vitest 5 to .vitest/.
  reportDir = project.path(project.exists('html/index.html') ? 'html' : '.vitest');
  server = await serveFolder(reportDir);
  ({ browser } = await launchChromium());
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, { waitUntil: 'networkidle' });
});

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await project?.remove();
});

/** Opens a test's report and returns the panel Vitest's UI draws for its `internal:toMatchScreenshot` artifact. */
async function openArtifact(testName: string) {
  const name = page.getByText(testName, { exact: true });
  // Selected, the name shows twice: in the tree and above the report. The tree may still be settling when the page
  // has just loaded (a click can land on the row beside), so click until it is selected.
  await expect
    .poll(async () => {
      if ((await name.count()) === 1) await name.click();
      return name.count();
    }, { timeout: 15_000, interval: 500 })
    .toBe(2);
  const panel = page.getByRole('note').filter({ hasText: 'Visual Regression' });
  await panel.waitFor({ timeout: 10_000 });
  return panel;
}

async function tabs(panel: Awaited<ReturnType<typeof openArtifact>>): Promise<string[]> {
  return (await panel.getByRole('tab').allTextContents()).map((text) => text.trim());
}

/** After clicking a tab: the one visible image's bytes (as the report serves them) and decoded width. */
async function shownImage(panel: Awaited<ReturnType<typeof openArtifact>>, tab: string) {
  await panel.getByRole('tab', { name: tab, exact: true }).click();
  const image = panel.getByRole('tabpanel').locator('img').first();
  await expect.poll(() => image.evaluate((img: { complete: boolean; naturalWidth: number }) => img.complete && img.naturalWidth)).toBe(1280);
  const src = (await image.getAttribute('src'))!;
  return { bytes: await readFile(path.join(reportDir, src)), src };
}

test('the HTML report shows the baseline, actual and diff images of a failing toMatchScreenshot', async () => {
  const panel = await openArtifact('the docs page still reads the same');
  expect(await tabs(panel)).toEqual(['Diff', 'Reference', 'Actual', 'Slider']);
  expect(await panel.textContent()).toContain('Screenshot differs from baseline: 1,845 pixels differ (0.21%), 32 allowed.');
  expect(await page.getByText('captured from https://shop.example/docs/carts on 2026-11-20, prompt v6').first().isVisible()).toBe(true);

  const reference = await shownImage(panel, 'Reference');
  const actual = await shownImage(panel, 'Actual');
  const diff = await shownImage(panel, 'Diff');
  expect(reference.bytes.equals(shot('docs.jpg'))).toBe(true);
  expect(actual.bytes.equals(shot('docs-edited.jpg'))).toBe(true);
  expect(diff.bytes.equals(await project.read('.vitest-agi/test/checkout.test.ts/docs-diff.png'))).toBe(true);
  expect(new Set([reference.src, actual.src, diff.src]).size).toBe(3);

  if (process.env.UPDATE) {
    await page.getByRole('heading', { name: 'Test Artifacts' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(repoRoot, 'docs', 'html-report.png') });
  }
});

test('the HTML report shows the image a new baseline was written from', async () => {
  const panel = await openArtifact('a new page gets a baseline');
  expect(await tabs(panel)).toEqual(['Reference']);
  expect(await panel.textContent()).toContain('Baseline written to snapshots/test/checkout.test.ts/thanks.jpg.');
  expect((await shownImage(panel, 'Reference')).bytes.equals(shot('thanks.jpg'))).toBe(true);
});

test('the HTML report shows a failure message once, with its stack parsed into locations', async () => {
  await openArtifact('the docs page still reads the same');
  const text = await page.locator('body').innerText();
  const reason = 'Screenshot differs from baseline: 1,845 pixels differ (0.21% of 1280×720);';
  expect(text.split(reason).length - 1).toBe(1);
  // A parsed stack shows " - /test/checkout.test.ts:<line>:<column>"; a raw one "at file:///…".
  expect(text).toMatch(/ - \/test\/checkout\.test\.ts:\d+:\d+/);
  expect(text).not.toContain('at file://');
});

test("the HTML report's Test Meta view shows the user's meta, not vitest-agi's assertion records", async () => {
  await openArtifact('the docs page still reads the same');
  const heading = page.getByRole('heading', { name: 'Test Meta' });
  await heading.waitFor({ timeout: 10_000 });
  // The view lists each key, then its value (an object as JSON): the vitestAgi record was all of an assertion's
  // record, failure message included.
  const view = (await page.locator('body').innerText()).split('\nTest Meta\n')[1]!;
  expect(view.trim()).toBe('ticket\nSHOP-12');
});

/** A static file server for the report folder (the HTML reporter's page fetches its data, so file:// won't do). */
async function serveFolder(dir: string): Promise<Server> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
  const folder = createServer(async (req, res) => {
    let file = path.join(dir, decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname));
    if (file.endsWith(path.sep)) file = path.join(file, 'index.html');
    if (!file.startsWith(dir)) return void res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => folder.listen(0, '127.0.0.1', resolve));
  return folder;
}
