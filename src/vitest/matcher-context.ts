import { stripVTControlCharacters } from 'node:util';
import { NotAwaitedError } from '../errors.js';
import { resolveUpdateMode, type UpdateMode } from './update-mode.js';
import { updateModeInTrial } from './trial-task.js';

/** The colour helpers and hint builder Vitest hands every matcher in `this.utils`. */
export interface MatcherUtils {
  matcherHint(name: string, received?: string, expected?: string, options?: { isNot?: boolean; promise?: string }): string;
  EXPECTED_COLOR(text: string): string;
  RECEIVED_COLOR(text: string): string;
  DIM_COLOR(text: string): string;
}

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
    updateMode: updateModeInTrial(resolveUpdateMode(context.snapshotState), context.task),
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

type Matcher = (this: MatcherContext, ...args: never[]) => unknown;

interface FinishingTask {
  result?: { errors?: unknown[] };
  context?: { onTestFinished?: (hook: () => void) => void };
}

/**
 * The matchers as `expect.extend` gets them, with two things Vitest does for its own assertions but not for
 * extended ones:
 * - Failure messages are plain text. Vitest stores a matcher's message as the error's message and stack, and
 *   Vitest 4's HTML report shows a message holding colour codes twice, then the raw stack instead of its locations.
 *   Vitest's own matchers keep messages plain and colour only the diff (still made from `actual`/`expected`).
 * - A matcher still running when its test ends was not awaited: it fails the test. Vitest 4 checks that only for
 *   `.resolves`/`.rejects`; for ours, the test passed at once and a failing verdict arrived after the worker was gone.
 */
export function forVitest<T extends Record<string, Matcher>>(matchers: T): T {
  const wrapped: Record<string, Matcher> = {};
  for (const [name, matcher] of Object.entries(matchers)) {
    wrapped[name] = function (this: MatcherContext, ...args: never[]) {
      let settled = false;
      const running = Promise.resolve(matcher.apply(this, args)).then(
        (result) => {
          settled = true;
          const { message } = result as { message: () => string };
          return { ...(result as object), message: () => stripVTControlCharacters(message()) };
        },
        (error: unknown) => {
          settled = true;
          throw error;
        },
      );
      // Made here, so its stack points at the line with the missing await.
      const notAwaited = new NotAwaitedError(`${this.isNot ? 'not.' : ''}${name}`);
      const task = this.task as FinishingTask | undefined;
      task?.context?.onTestFinished?.(() => {
        // An earlier failure can end the test while this one runs (Promise.all): that failure is the news.
        if (!settled && !(task.result?.errors?.length)) throw notAwaited;
      });
      return running;
    };
  }
  return wrapped as T;
}
