import { afterAll, beforeAll, expect, test } from 'vitest';
import { shot } from '../helpers/fixtures.js';
import { createProject, type Project } from '../helpers/vitest-project.js';

// A real Vitest run of a user's test file whose subjects are the official TypeScript SDK's objects: the
// `Screenshot` class that `await sdkSession.screenshot()` returns (own keys data/format/timestamp/width/height/
// url/title and a save() method, no screenshot() method), and an SDK session-like object that returns one.
const USER_TEST = `
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';

class Screenshot {
  format = 'jpg';
  timestamp = new Date();
  width = 1280;
  height = 720;
  constructor(data, url, title) {
    this.data = data;
    this.url = url;
    this.title = title;
  }
  async save(path) {}
}
const thanks = () => new Screenshot(readFileSync('pages/thanks.jpg'), 'https://shop.example/thanks', 'Thank you — Shop');
const docs = () => new Screenshot(readFileSync('pages/docs.jpg'), 'https://shop.example/docs', 'Docs — Shop');
const sdkSession = { screenshot: async () => thanks() };

test('sdk screenshot: page matchers', async () => {
  await expect(thanks()).toBeOnPage(/thank/i);
  await expect(thanks()).toHaveURL('https://shop.example/thanks');
  await expect(thanks()).not.toHaveTitle(/checkout/);
});
test('sdk screenshot: baseline', async () => {
  await expect(thanks()).toMatchScreenshot('thanks');
});
test('sdk screenshot: a different page fails against the baseline', async () => {
  await expect(docs()).toMatchScreenshot('thanks');
});
test('sdk session: polled through screenshot()', async () => {
  await expect(sdkSession).toBeOnPage('thank you', { timeout: 1000 });
});
`;

let project: Project;

beforeAll(async () => {
  project = await createProject({
    'test/sdk.test.js': USER_TEST,
    'pages/thanks.jpg': shot('thanks.jpg'),
    'pages/docs.jpg': shot('docs.jpg'),
  });
});

afterAll(async () => {
  await project?.remove();
});

test('the SDK Screenshot is a subject in a real run: baseline written from its bytes, then compared', async () => {
  const first = await project.run(['--reporter=json', '--outputFile.json=first.json']);
  const results = JSON.parse((await project.read('first.json')).toString()).testResults[0].assertionResults;
  const status = Object.fromEntries(results.map((t: { title: string; status: string }) => [t.title, t.status]));
  expect(status).toEqual({
    'sdk screenshot: page matchers': 'passed',
    'sdk screenshot: baseline': 'passed',
    'sdk screenshot: a different page fails against the baseline': 'failed',
    'sdk session: polled through screenshot()': 'passed',
  });
  expect(first.code).toBe(1);
  // The baseline is the SDK's bytes exactly, as with every other subject.
  expect((await project.read('snapshots/test/sdk.test.js/thanks.jpg')).equals(shot('thanks.jpg'))).toBe(true);
  const failure = results.find((t: { title: string }) => t.title.includes('different page')).failureMessages[0];
  expect(failure).toMatch(/pixels differ/);
  expect(failure).not.toMatch(/TypeError/);
});
