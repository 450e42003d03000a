import { chai, createExpect, type ExpectStatic } from 'vitest';
import { isAgentRun, type AgentRun } from '../api/agent-run.js';
import { UsageError } from '../errors.js';
import { describeValue, resolveTrialsOptions, type TrialsOptions } from '../options/options.js';
import { passRate } from '../results/pass-rate.js';
import { plainMessage, recordTrials } from '../vitest/assertion-record.js';
import { createTrialTask } from '../vitest/trial-task.js';
import { describeFailure, describeFlakyPass, runPath, shortenFailure } from './trials-message.js';

/** What each trial's body receives. */
export interface TrialContext {
  /**
   * This trial's own `expect`: a failing assertion (`expect.soft` too) fails this trial, not the test, and the
   * vitest-agi matchers on it record their results under this trial. Use it, not the global `expect`.
   */
  expect: ExpectStatic;
  /** Which trial this is, from 1 to k. */
  trial: number;
}

/** One trial's verdict. */
export interface TrialVerdict {
  /** From 1. */
  trial: number;
  pass: boolean;
  /** From the body's start to its end (and its pending assertions'), in ms. */
  durationMs: number;
  /** A failing trial's first failure: its first failed assertion, or what the body threw. */
  error?: Error;
  /** The trial's agent run: what the body returned, else the last run it passed to `expect(…)`. */
  run?: AgentRun;
}

/** What `trials()` resolves to when enough trials passed. */
export interface TrialsSummary {
  k: number;
  passed: number;
  atLeast: number;
  trials: TrialVerdict[];
}

export type TrialBody = (context: TrialContext) => unknown;

interface RunningTest {
  type?: string;
  name?: string;
  context?: { annotate?: (message: string, type?: string) => Promise<unknown> };
}

/**
 * Runs `body` k times inside the current test and passes when at least `atLeast` trials pass (default: all):
 * agents are nondeterministic, so gate on how often the task succeeds, not on one lucky or unlucky run.
 * Each trial gets its own `expect`, so one trial's failure never stops the others. Resolves to the verdicts;
 * rejects with an assertion error (failing the test) that lists each failing trial's first failure and path.
 * A pass with failures is annotated on the test; every call is a `trials` record in results.json.
 *
 * @example
 * test('checkout succeeds in at least 4 of 5 runs', async () => {
 *   await trials(5, { atLeast: 4, concurrency: 2 }, async ({ expect, trial }) => {
 *     const session = await agi.createSession();
 *     try {
 *       const run = await session.run('Buy the mug', { startUrl: shop });
 *       await expect(run).toBeOnPage(/thank you/i);
 *       return run;
 *     } finally {
 *       await session.delete();
 *     }
 *   });
 * });
 */
export async function trials(k: number, options: TrialsOptions, body: TrialBody): Promise<TrialsSummary>;
export async function trials(k: number, body: TrialBody): Promise<TrialsSummary>;
export async function trials(k: number, optionsOrBody: TrialsOptions | TrialBody, maybeBody?: TrialBody): Promise<TrialsSummary> {
  const [options, body] = typeof optionsOrBody === 'function' ? [{}, optionsOrBody] : [optionsOrBody, maybeBody];
  const resolved = resolveTrialsOptions(k, options);
  if (typeof body !== 'function') {
    throw new UsageError(`trials(): the body must be a function ({ expect, trial }) => …, but received ${describeValue(body)}.`);
  }
  const test = currentTest();
  const started = Date.now();
  const verdicts: TrialVerdict[] = [];
  let next = 1;
  // `concurrency` lanes, each taking the next trial when its last one ends: never more trials (sessions) at once.
  const lane = async () => {
    while (next <= resolved.k) {
      const trial = next++;
      verdicts[trial - 1] = await runTrial(test, trial, body);
    }
  };
  await Promise.all(Array.from({ length: Math.min(resolved.concurrency, resolved.k) }, lane));

  const passed = verdicts.filter((verdict) => verdict.pass).length;
  const rate = passRate(passed, resolved.k);
  const outcomes = verdicts.map((verdict) => ({ ...verdict, path: verdict.run ? runPath(verdict.run) : undefined }));
  const tally = { ...resolved, passed, interval: rate.interval, trials: outcomes };
  const pass = passed >= resolved.atLeast;
  await recordTrials(test, {
    k: resolved.k,
    passed,
    atLeast: resolved.atLeast,
    pass,
    concurrency: resolved.concurrency,
    ...rate,
    durationMs: Date.now() - started,
    trials: outcomes.map(({ trial, pass: held, durationMs, error, path }) => ({
      trial,
      pass: held,
      durationMs,
      ...(error ? { error: plainMessage(shortenFailure(error)) } : {}),
      ...(path && path.length > 0 ? { path } : {}),
    })),
  });
  if (!pass) throw new chai.AssertionError(describeFailure(tally));
  if (passed < resolved.k) await annotate(test, describeFlakyPass(tally));
  return { k: resolved.k, passed, atLeast: resolved.atLeast, trials: verdicts };
}

/** The test running now. Vitest's worker state names it; in a hook or at a file's top level it names a suite. */
function currentTest(): object {
  const worker = (globalThis as { __vitest_worker__?: { current?: RunningTest } }).__vitest_worker__;
  const current = worker?.current;
  if (current?.type !== 'test') throw new UsageError('trials() must be called inside a Vitest test (not in a hook or at the top of a file).');
  return current;
}

async function runTrial(test: object, trial: number, body: TrialBody): Promise<TrialVerdict> {
  const task = createTrialTask(test, trial) as { result: { errors: unknown[] }; promises: Promise<unknown>[] };
  const own = createExpect(task as never);
  let run: AgentRun | undefined;
  const noteRun = (value: unknown) => {
    if (isAgentRun(value)) run = value;
  };
  const expect = Object.assign((value: unknown, message?: string) => (noteRun(value), own(value, message)), own, {
    soft: (value: unknown, message?: string) => (noteRun(value), own.soft(value, message)),
  }) as ExpectStatic;

  const started = Date.now();
  const failures: unknown[] = [];
  try {
    const returned = await body({ expect, trial });
    if (isAgentRun(returned)) run = returned;
  } catch (error) {
    failures.push(error);
    // A run that timed out still carries what it captured.
    const carried = (error as { run?: unknown } | null)?.run;
    if (run === undefined && isAgentRun(carried)) run = carried;
  }
  // Vitest settles a test's pending assertions when it ends; a trial's end is that point for its own.
  for (const settled of await Promise.allSettled(task.promises)) if (settled.status === 'rejected') failures.push(settled.reason);
  // Soft failures came first: they were recorded before the body threw or ended.
  const errors = [...task.result.errors, ...failures];
  return {
    trial,
    pass: errors.length === 0,
    durationMs: Date.now() - started,
    ...(errors.length > 0 ? { error: asError(errors[0]) } : {}),
    ...(run ? { run } : {}),
  };
}

/** Vitest keeps soft failures serialised (plain objects with `name`, `message`, `stack`); a body may throw anything. */
function asError(value: unknown): Error {
  if (value instanceof Error) return value;
  const like = value as { name?: unknown; message?: unknown; stack?: unknown } | null;
  const error = new Error(typeof like?.message === 'string' ? like.message : String(value));
  if (typeof like?.name === 'string') error.name = like.name;
  if (typeof like?.stack === 'string') error.stack = like.stack;
  return error;
}

async function annotate(test: object, message: string): Promise<void> {
  try {
    // 'warning': GitHub Actions shows it on the test's line, so a flaky task is seen before it fails CI.
    await (test as RunningTest).context?.annotate?.(message, 'warning');
  } catch {
    // A Vitest without annotations shows none; results.json still has the record.
  }
}
