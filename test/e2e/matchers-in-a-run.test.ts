import { afterAll, beforeAll, expect, test } from 'vitest';
import { startApiServer, type ApiServer } from '../helpers/api-server.js';
import { shot } from '../helpers/fixtures.js';
import { createProject, type Project } from '../helpers/vitest-project.js';

// One real Vitest run of a user's test file that uses every matcher and option once, against baselines the
// project already has. Each test's verdict and message come from Vitest's own JSON reporter.
const docsPage = { url: 'http://shop.test/docs', title: 'Docs — Shop' };
const thanksPage = { url: 'http://shop.test/thanks?order=42', title: 'Thank you — Shop' };

const USER_TEST = `
import { expect, test } from 'vitest';
import { AgiClient, configure } from 'vitest-agi';

configure({ interval: 50 });
const agi = new AgiClient();

test('not: a changed page differs', async () => {
  await expect(agi.session('edited')).not.toMatchScreenshot('docs');
});
test('not: an unchanged page fails', async () => {
  await expect(agi.session('docs')).not.toMatchScreenshot('docs');
});
test('polling: passes once the agent reaches the page', async () => {
  await expect(agi.session('arriving')).toMatchScreenshot('docs', { timeout: 10_000 });
});
test('polling: fails with the trajectory when it never does', async () => {
  await expect(agi.session('thanks')).toBeOnPage('checkout', { timeout: 400 });
});
test('mask: hides the edited line', async () => {
  await expect(agi.session('edited')).toMatchScreenshot('docs', { mask: [{ x: 0, y: 40, width: 1280, height: 680 }] });
});
test('clip: compares only the header', async () => {
  await expect(agi.session('edited')).toMatchScreenshot('docs', { clip: { x: 0, y: 0, width: 1280, height: 40 } });
});
test('size: another viewport fails', async () => {
  await expect(agi.session('small')).toMatchScreenshot('docs');
});
test('page: every form of expectation', async () => {
  const session = agi.session('thanks');
  await expect(session).toBeOnPage(/thank/i);
  await expect(session).toBeOnPage('THANK YOU');
  await expect(session).toBeOnPage({ url: /order=42/, title: 'Thank you — Shop' });
  await expect(session).not.toBeOnPage(/checkout/);
  await expect(session).toHaveURL('http://shop.test/thanks?order=42');
  await expect(session).toHaveTitle(/thank/i);
});
test('page: a wrong URL shows a diff', async () => {
  await expect(agi.session('thanks')).toHaveURL('http://shop.test/thanks');
});
test('page: .not shows what matched', async () => {
  await expect(agi.session('thanks')).not.toBeOnPage(/thank/i);
});
`;

let server: ApiServer;
let project: Project;
let tests: Record<string, { status: string; message?: string }>;

beforeAll(async () => {
  server = await startApiServer();
  server.script('docs', [{ image: shot('docs.jpg'), ...docsPage }]);
  server.script('edited', [{ image: shot('docs-edited.jpg'), ...docsPage }]);
  server.script('small', [{ image: shot('docs-640x360.jpg'), ...docsPage }]);
  server.script('thanks', [{ image: shot('thanks.jpg'), ...thanksPage }]);
  const loading = { image: shot('form.jpg'), url: 'http://shop.test/loading', title: 'Loading…' };
  server.script('arriving', [loading, loading, { image: shot('docs.jpg'), ...docsPage }]);
  project = await createProject({ 'test/user.test.ts': USER_TEST, 'snapshots/test/user.test.ts/docs.jpg': shot('docs.jpg') });
  const result = await project.run(['--reporter=json', '--outputFile.json=report.json'], { AGI_API_KEY: 'k', AGI_BASE_URL: server.baseUrl });
  expect(result.code, result.output).toBe(1);
  const json = JSON.parse((await project.read('report.json')).toString());
  tests = {};
  for (const t of json.testResults[0].assertionResults) {
    tests[t.fullName] = { status: t.status, message: t.failureMessages[0]?.split(/\n\s+at /)[0] };
  }
});

afterAll(async () => {
  await server?.close();
  await project?.remove();
});

test('each test passes or fails as a user expects', () => {
  expect(Object.fromEntries(Object.entries(tests).map(([name, t]) => [name, t.status]))).toEqual({
    'not: a changed page differs': 'passed',
    'not: an unchanged page fails': 'failed',
    'polling: passes once the agent reaches the page': 'passed',
    'polling: fails with the trajectory when it never does': 'failed',
    'mask: hides the edited line': 'passed',
    'clip: compares only the header': 'passed',
    'size: another viewport fails': 'failed',
    'page: every form of expectation': 'passed',
    'page: a wrong URL shows a diff': 'failed',
    'page: .not shows what matched': 'failed',
  });
  expect(server.requests.filter((r) => r.path.startsWith('/v1/sessions/arriving/')).length).toBe(3);
});

test('failure messages say what was expected and what was seen', () => {
  expect(tests['not: an unchanged page fails']?.message).toMatchInlineSnapshot(`
    "Error: expect(session).not.toMatchScreenshot("docs")

    Expected the screenshot to differ from the baseline, but it matches: its bytes are identical.

      Baseline: snapshots/test/user.test.ts/docs.jpg
      Page:     http://shop.test/docs  "Docs — Shop""
  `);
  expect(tests['size: another viewport fails']?.message).toContain('Screenshot is 640×360 but baseline is 1280×720.');
  expect(tests['polling: fails with the trajectory when it never does']?.message?.replace(/\d+ (times|captures)/g, 'N $1').replace(/\d\.\d/g, 'x.x')).toMatchInlineSnapshot(`
    "Error: expect(session).toBeOnPage("checkout")

      Expected:       URL or title to contain "checkout" (ignoring case)
      Received URL:   "http://shop.test/thanks?order=42"
      Received title: "Thank you — Shop"

    Captured N times over x.x s:
        +x.x–x.x s  http://shop.test/thanks?order=42  "Thank you — Shop"  (N captures)"
  `);
  expect(tests['page: a wrong URL shows a diff']?.message).toMatchInlineSnapshot(`
    "Error: expect(session).toHaveURL("http://shop.test/thanks")

      Expected:       URL to be "http://shop.test/thanks"
      Received URL:   "http://shop.test/thanks?order=42"
      Received title: "Thank you — Shop""
  `);
  expect(tests['page: .not shows what matched']?.message).toMatchInlineSnapshot(`
    "Error: expect(session).not.toBeOnPage(/thank/i)

      Expected:       URL and title not to match /thank/i
      Received URL:   "http://shop.test/thanks?order=42"
      Received title: "Thank you — Shop""
  `);
});
