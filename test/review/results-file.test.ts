import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { summarizeResults } from '../../src/commands/report.js';
import { incompleteReasons, mergeShards, RESULTS_SCHEMA, type AssertionResult, type RunResults } from '../../src/results/results.js';
import { validateResults } from './json-schema.js';

// Merging and summarising, on results shaped like the reporter's (which real runs in shards-and-prune.test.ts and
// results.test.ts produce): the refusals of mergeShards and the Markdown of a failing run.
const run = (overrides: Partial<RunResults> = {}): RunResults => ({
  schema: RESULTS_SCHEMA,
  vitest: '4.1.12',
  vitestAgi: '0.1.0',
  startedAt: '2026-11-20T09:30:00.000Z',
  durationMs: 12_300,
  status: 'passed',
  filters: [],
  tests: { total: 2, passed: 2, failed: 0, skipped: 0, todo: 0 },
  unhandledErrors: 0,
  files: [
    { file: 'test/a.test.ts', ran: true, state: 'passed', skippedTests: 0 },
    { file: 'test/b.test.ts', ran: false, state: 'not-run', skippedTests: 0 },
  ],
  assertions: [],
  ...overrides,
});
const shard = (index: number, count = 2, overrides: Partial<RunResults> = {}) => ({
  file: `results.shard-${index}-of-${count}.json`,
  results: run({ shard: { index, count }, ...overrides }),
});

describe('mergeShards', () => {
  test('refuses shards of different counts, the same shard twice, and shards that saw different test files', () => {
    expect(() => mergeShards([shard(1), shard(2, 3)])).toThrowError('results.shard-2-of-3.json is shard 2 of 3, but results.shard-1-of-2.json is of 2.');
    expect(() => mergeShards([shard(1), shard(1)])).toThrowError('results.shard-1-of-2.json and results.shard-1-of-2.json are both shard 1 of 2.');
    const other = shard(2, 2, { files: [{ file: 'test/a.test.ts', ran: false, state: 'not-run', skippedTests: 0 }] });
    expect(() => mergeShards([shard(1), other])).toThrowError('results.shard-2-of-2.json and results.shard-1-of-2.json list different test files: they come from different runs.');
  });

  test('a merge where no shard ran a test file is not complete', () => {
    const merged = mergeShards([shard(1), shard(2)]);
    expect(validateResults(merged)).toEqual([]);
    expect(incompleteReasons(merged)).toEqual(['no shard ran test/b.test.ts.']);
  });
});

const failed = (overrides: Partial<AssertionResult>): AssertionResult => ({
  file: 'test/checkout.test.ts', test: 'checkout > pays', matcher: 'toMatchScreenshot', not: false, outcome: 'matched', pass: false,
  captures: 1, durationMs: 40, timeout: 0, ...overrides,
});

test('the summary of a failing run lists each failed assertion with what it saw, and the baselines written', () => {
  const results = run({
    status: 'failed',
    tests: { total: 4, passed: 2, failed: 2, skipped: 0, todo: 0 },
    files: [{ file: 'test/checkout.test.ts', ran: true, state: 'failed', skippedTests: 0 }],
    assertions: [
      failed({ outcome: 'pixels-differ', name: 'paid', url: 'https://shop.example/checkout/done', title: 'Order | Shop', diffPixels: 1832, comparedPixels: 921_600, allowedPixels: 32, diff: '.vitest-agi/test/checkout.test.ts/paid-diff.png' }),
      failed({ matcher: 'toBeOnPage', outcome: 'page-differs', expected: '/thank/i', url: 'https://shop.example/checkout/payment', title: 'Payment', captures: 9, durationMs: 8_040, timeout: 8_000 }),
      failed({ outcome: 'error', error: 'AuthError: GET /v1/sessions/s_1/screenshot failed with 401 Unauthorized.\nCheck AGI_API_KEY.' }),
      failed({ matcher: 'toShowText', outcome: 'text-missing', expected: '"Order confirmed"', url: 'https://shop.example/checkout/done', title: 'Done', capture: '.vitest-agi/test/checkout.test.ts/checkout-pays--1a2b3c4d-text-5e6f7a8b.jpg' }),
      failed({ matcher: 'toShowText', not: true, outcome: 'matched', expected: '"declined"', url: 'https://shop.example/checkout/payment', title: 'Payment', found: { text: 'Card declined | try again', box: { x: 32, y: 80, width: 240, height: 18 }, lines: { first: 2, last: 2 } } }),
      failed({ test: 'home', outcome: 'baseline-written', pass: true, name: 'home', url: 'https://shop.example/', baseline: 'snapshots/test/checkout.test.ts/home.jpg' }),
    ],
  });
  expect(validateResults(results)).toEqual([]);
  expect(summarizeResults(results)).toMatchInlineSnapshot(`
    "## vitest-agi: 5 of 6 assertions failed

    4 tests (2 passed, 2 failed, 0 skipped) · Vitest 4.1.12 · 12.3 s

    | Outcome | Passed | Failed |
    | --- | ---: | ---: |
    | pixels-differ | 0 | 1 |
    | page-differs | 0 | 1 |
    | text-missing | 0 | 1 |
    | error | 0 | 1 |
    | baseline-written | 1 | 0 |
    | matched (.not) | 0 | 1 |

    ### Failed

    | Test | Assertion | Outcome | Seen |
    | --- | --- | --- | --- |
    | test/checkout.test.ts › checkout > pays | \`toMatchScreenshot("paid")\` | pixels-differ | 1,832 px differ (0.20%), 32 allowed; diff \`.vitest-agi/test/checkout.test.ts/paid-diff.png\`; on https://shop.example/checkout/done "Order \\| Shop" |
    | test/checkout.test.ts › checkout > pays | \`toBeOnPage(/thank/i)\` | page-differs | on https://shop.example/checkout/payment "Payment"; 9 captures over 8.0 s |
    | test/checkout.test.ts › checkout > pays | \`toMatchScreenshot()\` | error | AuthError: GET /v1/sessions/s_1/screenshot failed with 401 Unauthorized. |
    | test/checkout.test.ts › checkout > pays | \`toShowText("Order confirmed")\` | text-missing | not read in \`.vitest-agi/test/checkout.test.ts/checkout-pays--1a2b3c4d-text-5e6f7a8b.jpg\`; on https://shop.example/checkout/done "Done" |
    | test/checkout.test.ts › checkout > pays | \`.not.toShowText("declined")\` | matched | read "Card declined \\| try again"; on https://shop.example/checkout/payment "Payment" |

    ### Baselines written or updated

    Review them before committing:

    - \`snapshots/test/checkout.test.ts/home.jpg\` (new) from https://shop.example/

    Not a complete run, so \`vitest-agi prune\` will refuse it: the run had failures (2 failed tests): a failed test may stop before its later assertions, so their baselines look unused. Fix the failures and run again.
    "
  `);
});

describe('`vitest-agi report` exit code', () => {
  const cliPath = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'agi-report-exit-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  async function report(results: RunResults) {
    await writeFile(path.join(dir, 'results.json'), JSON.stringify(results));
    const { GITHUB_STEP_SUMMARY: _, ...env } = process.env;
    return await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      execFile(process.execPath, [cliPath, 'report', 'results.json'], { cwd: dir, env }, (error, stdout) =>
        error && typeof error.code !== 'number' ? reject(error) : resolve({ code: error ? (error.code as number) : 0, stdout }),
      );
    });
  }

  test('is 1 when an assertion failed, and the heading says how many', async () => {
    const result = await report(run({ assertions: [failed({ outcome: 'pixels-differ' }), failed({ outcome: 'matched', pass: true })] }));
    expect(result.stdout.split('\n')[0]).toBe('## vitest-agi: 1 of 2 assertions failed');
    expect(result.code).toBe(1);
  });

  test('is 1 when an assertion errored', async () => {
    const result = await report(run({ assertions: [failed({ outcome: 'error', error: 'TimeoutError: …' })] }));
    expect(result.code).toBe(1);
  });

  test('is 0 when every assertion held, .not ones included, and the table says which outcomes held', async () => {
    const result = await report(run({ assertions: [
      failed({ matcher: 'toBeOnPage', not: true, outcome: 'page-differs', pass: true }),
      failed({ outcome: 'matched', pass: true }),
    ] }));
    expect(result.stdout.replace(/Vitest \S+ · \S+ s/, 'Vitest X · X s')).toMatchInlineSnapshot(`
      "## vitest-agi: all 2 assertions passed

      2 tests (2 passed, 0 failed, 0 skipped) · Vitest X · X s

      | Outcome | Passed | Failed |
      | --- | ---: | ---: |
      | page-differs (.not) | 1 | 0 |
      | matched | 1 | 0 |

      Not a complete run, so \`vitest-agi prune\` will refuse it: 1 test file was not run (test/b.test.ts).
      "
    `);
    expect(result.code).toBe(0);
  });
});
