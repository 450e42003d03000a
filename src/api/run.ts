import { RunTimeoutError, UsageError } from '../errors.js';
import { checkOptionNames, describeValue } from '../options/options.js';
import type { Screenshot } from '../image/screenshot.js';
import { isTransientCaptureFailure } from './capture-failure.js';
import { RUN_BRAND, type AgentRun, type RunCapture, type RunOptions } from './agent-run.js';
import type { AgentMessage, ExecutionStatus, Session } from './session.js';
import type { Clock } from './transport.js';


export const RUN_OPTION_NAMES = ['startUrl', 'timeout', 'capture'] as const;
const CAPTURE_OPTION_NAMES = ['everyMs', 'max'] as const;

export const DEFAULT_RUN_TIMEOUT_MS = 600_000; // the SDKs' runTask timeout (10 min)
/**
 * 100 screenshots: one per step of the SDKs' default `max_steps` (100), the last one kept for the end. A 1280×720
 * JPEG is ~50–200 KB, so a full run holds at most ~20 MB, and the API (which calls screenshots resource-intensive)
 * is asked at most 100 times per run.
 */
export const DEFAULT_MAX_CAPTURES = 100;
// Between polls of GET …/messages (which also answers the status): quick while the agent is busy, then slower, up to
// the docs' 1–3 s. The first polls are quick so a step is captured before the next one starts.
const POLL_FIRST_MS = 250;
const POLL_MAX_MS = 2_000;
const POLL_GROWTH = 1.5;
// The end's capture matters most (matchers on a run read it): it is retried while the page settles.
const FINAL_CAPTURE_ATTEMPTS = 4;
const FINAL_CAPTURE_RETRY_MS = 500;

const TERMINAL: ReadonlySet<string> = new Set(['finished', 'error', 'waiting_for_input']);
const isEndMessage = (m: AgentMessage) => m.type === 'DONE' || m.type === 'QUESTION' || m.type === 'ERROR';

interface Settings {
  startUrl: string | undefined;
  timeout: number;
  everyMs: number | undefined;
  max: number;
}

/**
 * Sends `text` and follows the task until it ends (finished, error, waiting for input), capturing the page after each
 * new step (a THOUGHT message), or every `capture.everyMs`, and once at the end.
 */
export async function runTask(session: Session, clock: Clock, text: string, options: RunOptions = {}): Promise<AgentRun> {
  const settings = resolveRunOptions(options);
  // The messages already there belong to earlier tasks; the run's own start after them.
  const before = await session.messages();
  let lastId = before.messages.reduce((max, m) => Math.max(max, m.id), 0);
  const start = clock.now();
  await session.sendMessage(text, settings.startUrl === undefined ? {} : { startUrl: settings.startUrl });

  const recorder = new CaptureRecorder(session, clock, start, settings.max);
  const messages: AgentMessage[] = [];
  let status: ExecutionStatus = 'running';
  let leftRunning = false; // a stale terminal status from the previous task must not end this run
  let pendingStep: number | undefined; // a step whose capture failed is tried again until the next step comes
  let nextClockCapture = start;
  let interval = POLL_FIRST_MS;

  for (;;) {
    const poll = await session.messages({ afterId: lastId });
    const fresh = poll.messages.filter((m) => m.id > lastId);
    messages.push(...fresh);
    lastId = fresh.reduce((max, m) => Math.max(max, m.id), lastId);
    status = poll.status;
    if (!TERMINAL.has(status)) leftRunning = true;
    const ended = TERMINAL.has(status) && (leftRunning || messages.some(isEndMessage));

    if (ended) {
      await recorder.captureFinal(pendingStep ?? messages.findLast((m) => m.type === 'THOUGHT')?.id);
      break;
    }
    if (settings.everyMs === undefined) {
      const step = fresh.findLast((m) => m.type === 'THOUGHT')?.id ?? pendingStep;
      if (step !== undefined) pendingStep = (await recorder.capture(step)) ? undefined : step;
    } else {
      const now = clock.now();
      if (now >= nextClockCapture) {
        await recorder.capture(undefined);
        nextClockCapture = now + settings.everyMs;
      }
    }

    const elapsed = clock.now() - start;
    if (elapsed >= settings.timeout) {
      const run = recorder.toRun(status, messages);
      throw new RunTimeoutError(session.id, status, settings.timeout, run);
    }
    interval = fresh.length > 0 ? POLL_FIRST_MS : Math.min(interval * POLL_GROWTH, POLL_MAX_MS);
    let wait = Math.min(interval, settings.timeout - elapsed);
    if (settings.everyMs !== undefined) wait = Math.min(wait, Math.max(0, nextClockCapture - clock.now()));
    await clock.sleep(Math.max(1, Math.round(wait)));
  }
  return recorder.toRun(status, messages);
}

/** The captures of one run: consecutive identical pages folded into one with a count, and the cap applied. */
class CaptureRecorder {
  readonly #captures: RunCapture[] = [];
  #taken = 0;
  #note: string | undefined;
  #lastAt = 0;

  constructor(
    readonly session: Session,
    readonly clock: Clock,
    readonly start: number,
    readonly max: number,
  ) {}

  /** Takes one capture along the way, unless the cap (less the one kept for the end) is reached. Resolves to whether it got one. */
  async capture(step: number | undefined): Promise<boolean> {
    if (this.#taken >= this.max - 1) {
      this.#note ??=
        `Capture cap reached: ${this.max} screenshots (\`capture.max\`), so nothing after ${this.#lastAt} ms was captured ` +
        'but the final page. Raise `capture.max` to see the whole way.';
      return true; // not worth retrying
    }
    return this.#take(step);
  }

  /** The end's capture, always taken (the cap keeps one for it), retried while the page settles. */
  async captureFinal(step: number | undefined): Promise<void> {
    for (let attempt = 1; attempt <= FINAL_CAPTURE_ATTEMPTS; attempt++) {
      if (await this.#take(step)) return;
      if (attempt < FINAL_CAPTURE_ATTEMPTS) await this.clock.sleep(FINAL_CAPTURE_RETRY_MS);
    }
    this.#note = [this.#note, `The final page could not be captured (${FINAL_CAPTURE_ATTEMPTS} attempts failed); the last capture is from ${this.#lastAt} ms.`]
      .filter(Boolean)
      .join(' ');
  }

  async #take(step: number | undefined): Promise<boolean> {
    // When the capture was asked for: the screenshot shows the page at some moment until its answer.
    const atMs = Math.max(0, Math.round(this.clock.now() - this.start));
    let shot: Screenshot;
    try {
      this.#taken++;
      shot = await this.session.screenshot();
    } catch (error) {
      // The agent's browser may be between pages: this capture is skipped, the run goes on.
      if (isTransientCaptureFailure(error)) return false;
      throw error;
    }
    this.#lastAt = atMs;
    const last = this.#captures.at(-1);
    if (last && last.url === shot.url && last.title === shot.title && last.screenshot.bytes.equals(shot.bytes)) {
      last.count++;
    } else {
      this.#captures.push({ atMs, url: shot.url, title: shot.title, screenshot: shot, ...(step === undefined ? {} : { step }), count: 1 });
    }
    return true;
  }

  toRun(status: ExecutionStatus, messages: AgentMessage[]): AgentRun {
    const run: AgentRun = {
      status,
      message: messages.findLast(isEndMessage),
      messages,
      captures: this.#captures,
      durationMs: Math.max(0, Math.round(this.clock.now() - this.start)),
      ...(this.#note === undefined ? {} : { note: this.#note }),
    };
    // Not enumerable: toEqual and JSON see the run's fields only.
    Object.defineProperty(run, RUN_BRAND, { value: true });
    return run;
  }
}

function resolveRunOptions(options: RunOptions): Settings {
  const where = 'session.run()';
  checkOptionNames(options, RUN_OPTION_NAMES, where);
  const { startUrl, timeout = DEFAULT_RUN_TIMEOUT_MS, capture = {} } = options;
  if (startUrl !== undefined && (typeof startUrl !== 'string' || !/^https?:\/\//.test(startUrl))) {
    throw new UsageError(`${where}: \`startUrl\` must be an absolute http(s) URL, but received ${describeValue(startUrl)}.`);
  }
  if (typeof timeout !== 'number' || !(timeout > 0) || !Number.isFinite(timeout)) {
    throw new UsageError(`${where}: \`timeout\` must be a positive number of ms, but received ${describeValue(timeout)}.`);
  }
  checkOptionNames(capture, CAPTURE_OPTION_NAMES, `${where} \`capture\``);
  const { everyMs, max = DEFAULT_MAX_CAPTURES } = capture;
  if (everyMs !== undefined && (typeof everyMs !== 'number' || !(everyMs >= 50) || !Number.isFinite(everyMs))) {
    throw new UsageError(`${where}: \`capture.everyMs\` must be a number of ms ≥ 50, but received ${describeValue(everyMs)}.`);
  }
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 1) {
    throw new UsageError(`${where}: \`capture.max\` must be a whole number ≥ 1, but received ${describeValue(max)}.`);
  }
  return { startUrl, timeout, everyMs, max };
}
