import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { recordAssertion } from '../../src/vitest/assertion-record.js';
import { recordedAssertions, type AssertionRecord } from '../../src/results/records.js';
import type { ArtifactApi } from '../../src/vitest/artifacts.js';
import { shot } from '../helpers/fixtures.js';
import { createProject, type Project } from '../helpers/vitest-project.js';

// How a matcher's record reaches vitest-agi/reporter: as a test artifact of vitest-agi's own type, so that Vitest's
// report does not show it as "Test Meta" (html-report.test.ts looks in a browser), through retries, repeats and
// concurrent tests; and through the test's meta on a Vitest without recordArtifact (4.0.0–4.0.10).
const CONFIG = `import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { setupFiles: ['vitest-agi/setup'], reporters: ['default', 'vitest-agi/reporter', ['json', { outputFile: 'vitest.json' }]] } });
`;
const TEST = `import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { expect, test } from 'vitest';
const jpeg = 'data:image/jpeg;base64,' + readFileSync('fixtures/docs.jpg').toString('base64');
const page = (path) => ({ screenshot: jpeg, url: 'http://shop.test/' + path, title: 'Shop' });

let tries = 0;
test('retried', { retry: 2 }, async () => {
  tries++;
  await expect(page('try-' + tries)).toBeOnPage('try-');
  await expect(page('try-' + tries)).toHaveURL('http://shop.test/try-3');
});

let runs = 0;
test('repeated and retried', { repeats: 1, retry: 1 }, async () => {
  runs++;
  await expect(page('run-' + runs)).not.toHaveURL('http://shop.test/run-1');
});

let laps = 0;
test('repeated', { repeats: 1 }, async () => {
  laps++;
  await expect(page('lap-' + laps)).toHaveURL('http://shop.test/lap-2');
});

// The test context's expect, as Vitest requires in concurrent tests (the global one knows only the test last started).
for (const name of ['a', 'b']) {
  test.concurrent('concurrent ' + name, async ({ expect }) => {
    await expect(page(name)).toHaveURL('http://shop.test/' + name);
    await sleep(name === 'a' ? 200 : 0);
    await expect(page(name)).toBeOnPage(name);
  });
}
`;

let project: Project;
let results: { assertions: Array<Record<string, unknown>>; tests: Record<string, number> };

beforeAll(async () => {
  project = await createProject({ 'vitest.config.ts': CONFIG, 'test/attempts.test.ts': TEST, 'fixtures/docs.jpg': shot('docs.jpg') });
  const result = await project.run();
  expect(result.code, result.output).toBe(1);
  results = JSON.parse((await project.read('.vitest-agi/results.json')).toString());
});
afterAll(() => project?.remove());

const seen = (test: string) => results.assertions.filter((a) => a.test === test).map((a) => `${a.matcher} ${a.url} ${a.outcome} ${a.pass}`);

describe('vitest-agi/reporter', () => {
  test('keeps the records of the last try of a retried test', () => {
    expect(seen('retried')).toEqual(['toBeOnPage http://shop.test/try-3 matched true', 'toHaveURL http://shop.test/try-3 matched true']);
  });

  test('keeps the last try of each repeat, so a repeat that failed shows in the results', () => {
    expect(seen('repeated and retried')).toEqual(['toHaveURL http://shop.test/run-2 page-differs true', 'toHaveURL http://shop.test/run-3 page-differs true']);
    expect(seen('repeated')).toEqual(['toHaveURL http://shop.test/lap-1 page-differs false', 'toHaveURL http://shop.test/lap-2 matched true']);
    expect(results.tests).toMatchObject({ total: 5, passed: 4, failed: 1 });
  });

  test('gives each of two concurrent tests its own records', () => {
    expect(seen('concurrent a')).toEqual(['toHaveURL http://shop.test/a matched true', 'toBeOnPage http://shop.test/a matched true']);
    expect(seen('concurrent b')).toEqual(['toHaveURL http://shop.test/b matched true', 'toBeOnPage http://shop.test/b matched true']);
  });

  test("leaves the tests' meta empty, as Vitest's JSON reporter shows", async () => {
    const json = JSON.parse((await project.read('vitest.json')).toString()) as { testResults: Array<{ assertionResults: Array<{ title: string; meta: object }> }> };
    const metas = json.testResults.flatMap((file) => file.assertionResults.map(({ title, meta }) => [title, meta]));
    expect(metas).toHaveLength(5);
    for (const [title, meta] of metas) expect(meta, String(title)).toEqual({});
  });
});

// Vitest 4.0.0–4.0.10 has no recordArtifact (and is not installed here): the records go to the test's meta.
describe('without recordArtifact', () => {
  const record = (url: string): AssertionRecord => ({ matcher: 'toHaveURL', not: false, outcome: 'matched', pass: true, url, captures: 1, durationMs: 1, timeout: 0 });
  const refusing: ArtifactApi = {
    recordArtifact: async () => {
      throw new Error("Test runner doesn't support test artifacts.");
    },
  };

  test('the records go to the meta, and the reporter reads those of the last try of each repeat', async () => {
    for (const api of [{}, refusing]) {
      const task = { type: 'test', meta: {}, artifacts: [], result: { retryCount: 0, repeatCount: 0 } };
      const tries = [[0, 0, 'first'], [1, 0, 'retried'], [1, 0, 'retried, again'], [1, 1, 'repeated']] as const;
      for (const [retryCount, repeatCount, path] of tries) {
        task.result = { retryCount, repeatCount };
        await recordAssertion(task, record(`http://shop.test/${path}`), Promise.resolve(api));
      }
      expect(task.meta).toEqual({ vitestAgi: tries.map(([retry, repeat, path]) => ({ retry, repeat, assertion: record(`http://shop.test/${path}`) })) });
      expect(recordedAssertions(task).map((a) => a.url)).toEqual(['http://shop.test/retried', 'http://shop.test/retried, again', 'http://shop.test/repeated']);
    }
  });

  test('records nothing outside a test', async () => {
    const suite = { type: 'suite', meta: {} };
    await recordAssertion(suite, record('http://shop.test/x'), Promise.resolve({}));
    await recordAssertion(undefined, record('http://shop.test/x'), Promise.resolve({}));
    expect(suite.meta).toEqual({});
  });
});
