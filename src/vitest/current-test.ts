import { projectRoot } from './matcher-context.js';

/** The test running now in this worker, as code outside a matcher (the client's cassette) sees it. */
export interface CurrentTest {
  root: string;
  /** The test file's absolute path. */
  testPath: string;
  /** The full name (`describe > test`, as Vitest names snapshots); undefined in a beforeAll/afterAll or at module level. */
  testName: string | undefined;
  /** Which try of the test this is ("<retry>:<repeat>"): a retry records afresh. */
  attempt: string;
  /** Runs `hook` when the test (and its afterEach hooks) has finished; undefined outside a test. */
  onFinished: ((hook: () => Promise<void> | void) => void) | undefined;
}

interface WorkerTask {
  type?: string;
  name?: string;
  suite?: WorkerTask;
  file?: WorkerTask & { filepath?: string };
  result?: { retryCount?: number; repeatCount?: number };
  context?: { onTestFinished?: (hook: () => Promise<void> | void) => void };
}

/**
 * Read from Vitest's worker state (`__vitest_worker__`, in Vitest 4 and 5): a request has no matcher `this`, and the
 * state knows the current task even in a beforeAll (then a suite, not a test). Undefined outside Vitest.
 * Tests of one file that run concurrently (`test.concurrent`) share one "current" test, so they cannot be told apart.
 */
export function currentTest(): CurrentTest | undefined {
  const worker = (globalThis as { __vitest_worker__?: { filepath?: string; current?: WorkerTask } }).__vitest_worker__;
  if (!worker) return undefined;
  const task = worker.current;
  const testPath = task?.file?.filepath ?? worker.filepath;
  if (!testPath) return undefined;
  if (task?.type !== 'test') return { root: projectRoot(), testPath, testName: undefined, attempt: '0:0', onFinished: undefined };
  // As Vitest's getTestName: the describe blocks' names and the test's, without the file's (the root suite).
  const names = [task.name ?? ''];
  for (let suite = task.suite; suite && suite !== task.file && !('filepath' in suite); suite = suite.suite) if (suite.name) names.unshift(suite.name);
  const hook = task.context?.onTestFinished;
  return {
    root: projectRoot(),
    testPath,
    testName: names.join(' > '),
    attempt: `${task.result?.retryCount ?? 0}:${task.result?.repeatCount ?? 0}`,
    onFinished: hook ? (fn) => hook(fn) : undefined,
  };
}
