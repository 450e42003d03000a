import type { UpdateMode } from './update-mode.js';

/** `Symbol.for`, so a second copy of this module (src/ and dist/) reads the same mark. */
const TRIAL = Symbol.for('vitest-agi.trial');

interface TestTask {
  type?: string;
  result?: { retryCount?: number; repeatCount?: number };
  onFinished?: unknown;
}

/**
 * A stand-in for the running test, one per trial, for `createExpect(task)`: it reads every field of the test
 * (id, file, name, context, artifacts, so records and images land on the test) but has its own `result` and
 * `promises`. Vitest puts a failing `expect.soft` into `task.result.errors` and an assertion's pending promise into
 * `task.promises`: here they stay with the trial instead of failing the whole test. `onFinished` stays the test's,
 * so an assertion a trial forgot to await is still reported when the test ends.
 */
export function createTrialTask(test: object, trial: number): object {
  const real = test as TestTask;
  return Object.create(test, {
    result: {
      value: { state: 'run', errors: [], retryCount: real.result?.retryCount ?? 0, repeatCount: real.result?.repeatCount ?? 0 },
      writable: true,
      enumerable: true,
    },
    promises: { value: [], writable: true, enumerable: true },
    onFinished: {
      get: () => real.onFinished,
      set: (hooks: unknown) => {
        real.onFinished = hooks;
      },
    },
    [TRIAL]: { value: trial },
  }) as object;
}

/** The trial (from 1) a matcher's task stands for, or undefined outside `trials()`. */
export function trialOf(task: object | undefined): number | undefined {
  return (task as Record<symbol, number | undefined> | undefined)?.[TRIAL];
}

/**
 * Under `-u` only trial 1 rewrites a failing baseline: k trials of one test compare against one baseline, and letting
 * each rewrite it would leave whichever trial finished last. The other trials compare as without `-u`.
 */
export function updateModeInTrial(mode: UpdateMode, task: object | undefined): UpdateMode {
  const trial = trialOf(task);
  return mode === 'all' && trial !== undefined && trial !== 1 ? 'new' : mode;
}
