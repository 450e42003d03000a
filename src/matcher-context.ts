import type { MatcherUtils } from './message.js';
import { resolveUpdateMode, type UpdateMode } from './update-mode.js';

/** The parts of Vitest's matcher `this` that we use (Vitest 4 and 5 share them). */
export interface MatcherContext {
  isNot: boolean;
  promise: string;
  utils: MatcherUtils;
  currentTestName?: string;
  testPath?: string;
  snapshotState?: unknown;
  task?: { id?: string; file?: { filepath?: string }; result?: { retryCount?: number; repeatCount?: number } };
}

export interface TestInfo {
  root: string;
  testPath: string;
  testName: string;
  updateMode: UpdateMode;
}

/**
 * The Vitest project root: where `snapshots/` lives. Vitest keeps its resolved config in the worker state;
 * there is no public accessor from inside a matcher, so fall back to the working directory.
 */
export function projectRoot(): string {
  const worker = (globalThis as { __vitest_worker__?: { config?: { root?: string } } }).__vitest_worker__;
  return worker?.config?.root ?? process.cwd();
}

export function testInfo(context: MatcherContext): TestInfo {
  const testPath = context.testPath ?? context.task?.file?.filepath;
  if (!testPath) throw new Error('toMatchScreenshot must run inside a Vitest test (no test file is known).');
  return {
    root: projectRoot(),
    testPath,
    testName: context.currentTestName ?? '',
    updateMode: resolveUpdateMode(context.snapshotState),
  };
}

// Per test (and per retry/repeat), how many unnamed screenshots it has taken: "<test name> 1", "<test name> 2", …
const counters = new WeakMap<object, Map<string, number>>();
const countersByName = new Map<string, number>();

/** The default baseline name: the test's full name plus a counter, as Vitest names its snapshots. */
export function nextDefaultName(context: MatcherContext, testName: string): string {
  const task = context.task;
  let count: number;
  if (task) {
    const attempt = `${task.result?.retryCount ?? 0}:${task.result?.repeatCount ?? 0}`;
    const perTask = counters.get(task) ?? new Map<string, number>();
    counters.set(task, perTask);
    // A new retry or repeat starts again at 1, as Vitest's snapshot counters do.
    for (const key of perTask.keys()) if (key !== attempt) perTask.delete(key);
    count = (perTask.get(attempt) ?? 0) + 1;
    perTask.set(attempt, count);
  } else {
    const key = `${context.testPath}::${testName}`;
    count = (countersByName.get(key) ?? 0) + 1;
    countersByName.set(key, count);
  }
  return `${testName || 'screenshot'} ${count}`;
}
