import { stripVTControlCharacters } from 'node:util';
import { NotAwaitedError, UsageError } from '../errors.js';
import type { AssertionRecord } from '../results/records.js';
import { recordReviewImages, type ReviewImage } from './artifacts.js';
import { recordAssertion } from './assertion-record.js';
import { resolveUpdateMode, type UpdateMode } from './update-mode.js';
import { updateModeInTrial } from './trial-task.js';

/** The colour helpers and hint builder Vitest hands every matcher in `this.utils`. */
export interface MatcherUtils {
  matcherHint(name: string, received?: string, expected?: string, options?: { isNot?: boolean; promise?: string }): string;
  EXPECTED_COLOR(text: string): string;
  RECEIVED_COLOR(text: string): string;
  DIM_COLOR(text: string): string;
}

/** The parts of Vitest's matcher `this` that we read (Vitest 4 and 5 share them). Only this module reads them. */
export interface VitestMatcherThis {
  isNot?: boolean;
  promise?: string;
  utils: MatcherUtils;
  currentTestName?: string;
  testPath?: string;
  snapshotState?: unknown;
  task?: { id?: string; type?: string; file?: { filepath?: string }; result?: { retryCount?: number; repeatCount?: number } };
}

export interface TestInfo {
  root: string;
  testPath: string;
  testName: string;
  updateMode: UpdateMode;
}

/**
 * Everything a matcher needs from Vitest, read once from its `this` (as Vitest's snapshot package keeps its I/O
 * behind one environment object): the matchers never touch Vitest internals, and a unit test can hand a matcher a
 * fake one (`matcher.call(fakeContext, subject, …)`).
 */
export interface AssertionContext {
  readonly isNot: boolean;
  readonly promise: string;
  readonly utils: MatcherUtils;
  /** The Vitest project root: where `snapshots/` lives. */
  readonly root: string;
  /** The running test's file, name and update mode; a UsageError outside a test file. */
  test(matcherName: string): TestInfo;
  /** The default baseline name: the test's full name plus a counter per test and attempt ("checkout > done 1"). */
  nextDefaultName(testName: string): string;
  /** Records an assertion on the running test, for results.json; dropped outside a test. */
  record(record: AssertionRecord): Promise<void>;
  /** Puts review images (baseline, actual, diff) into Vitest's report; never fails. */
  attachImages(message: string, images: ReviewImage[]): Promise<void>;
}

/**
 * The Vitest project root. Vitest keeps its resolved config in the worker state; there is no public accessor from
 * inside a matcher, so fall back to the working directory.
 */
export function projectRoot(): string {
  const worker = (globalThis as { __vitest_worker__?: { config?: { root?: string } } }).__vitest_worker__;
  return worker?.config?.root ?? process.cwd();
}

/** Reads Vitest's matcher `this` into an {@link AssertionContext}. */
export function readAssertionContext(vitest: VitestMatcherThis): AssertionContext {
  const task = vitest.task;
  return {
    isNot: Boolean(vitest.isNot), // Vitest leaves the flag undefined without .not
    promise: vitest.promise ?? '',
    utils: vitest.utils,
    root: projectRoot(),
    test(matcherName) {
      const testPath = vitest.testPath ?? task?.file?.filepath;
      if (!testPath) throw new UsageError(`${matcherName} must run inside a Vitest test (no test file is known).`);
      return { root: this.root, testPath, testName: vitest.currentTestName ?? '', updateMode: updateModeInTrial(resolveUpdateMode(vitest.snapshotState), task) };
    },
    nextDefaultName: (testName) => nextDefaultName(task, `${vitest.testPath}::${testName}`, testName),
    record: (record) => recordAssertion(task, record),
    attachImages: (message, images) => recordReviewImages(task, message, images),
  };
}

// Per test (and per retry/repeat), how many unnamed screenshots it has taken: "<test name> 1", "<test name> 2", …
const counters = new WeakMap<object, Map<string, number>>();
const countersByName = new Map<string, number>();

function nextDefaultName(task: VitestMatcherThis['task'], fallbackKey: string, testName: string): string {
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
    count = (countersByName.get(fallbackKey) ?? 0) + 1;
    countersByName.set(fallbackKey, count);
  }
  return `${testName || 'screenshot'} ${count}`;
}

type Matcher = (this: AssertionContext, ...args: never[]) => unknown;
// What expect.extend takes: its matchers are called with any arguments.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type VitestMatcher = (this: VitestMatcherThis, ...args: any[]) => Promise<{ pass: boolean; message: () => string }>;

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
export function forVitest<T extends Record<string, Matcher>>(matchers: T): Record<keyof T, VitestMatcher> {
  const wrapped: Record<string, VitestMatcher> = {};
  for (const [name, matcher] of Object.entries(matchers)) {
    wrapped[name] = function (this: VitestMatcherThis, ...args: unknown[]) {
      let settled = false;
      const running = Promise.resolve(matcher.apply(readAssertionContext(this), args as never[])).then(
        (result) => {
          settled = true;
          const { pass, message } = result as { pass: boolean; message: () => string };
          return { ...(result as object), pass, message: () => stripVTControlCharacters(message()) };
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
  return wrapped as Record<keyof T, VitestMatcher>;
}
