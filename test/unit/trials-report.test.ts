import { expect, test } from 'vitest';
import { summarizeResults } from '../../src/commands/report.js';
import { passRate } from '../../src/results/pass-rate.js';
import { mergeShards, RESULTS_SCHEMA, type RunResults, type TrialsResult } from '../../src/results/results.js';
import { validateResults } from '../review/json-schema.js';

// `vitest-agi report` on trials records from two shards (the reporter writes them: test/e2e/trials.test.ts): the rate
// per test, with a test's calls from every shard summed (passes and k) and the interval recomputed from the sums.
const call = (test: string, passed: number, k: number, atLeast: number): TrialsResult => ({
  file: 'test/agent.test.ts',
  test,
  k,
  passed,
  atLeast,
  pass: passed >= atLeast,
  concurrency: 1,
  ...passRate(passed, k),
  durationMs: 1000 * k,
  trials: Array.from({ length: k }, (_, i) => ({ trial: i + 1, pass: i < passed, durationMs: 1000, ...(i < passed ? {} : { error: 'Expected URL or title to match: /thank/i' }) })),
});
const shard = (index: number, trials: TrialsResult[]) => ({
  file: `results.shard-${index}-of-2.json`,
  results: {
    schema: RESULTS_SCHEMA,
    vitest: '4.1.12',
    vitestAgi: '0.3.0',
    startedAt: '2026-12-01T10:00:00.000Z',
    durationMs: 5000,
    status: trials.every((t) => t.pass) ? 'passed' : 'failed',
    shard: { index, count: 2 },
    filters: [],
    tests: { total: 2, passed: 2, failed: 0, skipped: 0, todo: 0 },
    unhandledErrors: 0,
    files: [{ file: 'test/agent.test.ts', ran: true, state: 'passed', skippedTests: 0 }],
    assertions: [],
    trials,
  } satisfies RunResults,
});

test('report sums a test\'s trials over the shards and recomputes the interval; a failed call fails the summary', () => {
  const merged = mergeShards([shard(1, [call('checkout', 4, 5, 4), call('search', 5, 5, 5)]), shard(2, [call('checkout', 5, 5, 4), call('search', 3, 5, 5)])]);
  expect(validateResults(merged)).toEqual([]);
  expect(merged.trials).toHaveLength(4);
  const summary = summarizeResults(merged);
  expect(summary.split('\n')[0]).toBe('## vitest-agi: no assertions, 1 of 4 trials calls failed');
  expect(summary.slice(summary.indexOf('### Trials'), summary.indexOf('Not a complete run')).trim()).toMatchInlineSnapshot(`
    "### Trials

    | Test | Passed | Rate | 95 % interval | Required | Verdict |
    | --- | ---: | ---: | --- | --- | --- |
    | test/agent.test.ts › checkout | 9 of 10 | 90 % | 60–98 % | at least 4 of 5 | passed, not unanimous |
    | test/agent.test.ts › search | 8 of 10 | 80 % | 49–94 % | at least 5 of 5 | 1 of 2 calls failed |"
  `);
});
