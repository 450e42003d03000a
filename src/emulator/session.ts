import { randomBytes, randomUUID } from 'node:crypto';
import type { DocumentedExecutionStatus, DocumentedMessageType, WireMessage } from '../api/wire.js';
import type { BrowserContext, Page } from 'playwright-core';
import type { SharedBrowser } from './browser.js';
import type { Viewport } from './index.js';
import { firstLine } from './browser.js';
import { HttpError, sessionNotFound } from './http-error.js';
import { parseScript, ScriptSyntaxError, substituteAnswer } from './script.js';
import type { Step } from './script.js';
import { describeStep, goTo, isActionStep, performStep, StepFailedError } from './scripted-agent.js';

/** `/status` and `/messages.status`: exactly the documented ones. */
export type ExecutionStatus = DocumentedExecutionStatus;

/** The lifecycle status of create/list/get (as the AGI API docs say). `initializing` and `terminated` never show here. */
export type SessionStatus = 'ready' | 'running' | 'paused' | 'completed' | 'error';

export type MessageType = DocumentedMessageType;

/** One entry of GET …/messages; the emulator's agent only writes text. */
export interface AgentMessage extends WireMessage<MessageType, string> {}

export type SessionEvent =
  | { kind: 'message'; message: AgentMessage }
  /** `cancelled`: the task ended without a DONE or ERROR. `closed`: the session was deleted. */
  | { kind: 'paused' | 'resumed' | 'cancelled' | 'closed'; timestamp: string };

/** Where a new event stream starts (see ./events.ts). */
export interface StreamStart {
  /** The messages to replay first. */
  history: AgentMessage[];
  /** The replayed task is over: close after the replay. Otherwise follow the current or next task. */
  ended: boolean;
}

export interface SessionSettings {
  viewport: Viewport;
  /** JPEG quality 0–100. */
  jpegQuality: number;
  /** How long one step may wait for its element or page, in ms. */
  stepTimeout: number;
}

/** GET /sessions/{id}: the documented fields plus `environment_id`, which the SDKs read (as the AGI API docs say). */
export interface SessionDescription {
  session_id: string;
  vnc_url: string;
  agent_name: string;
  status: SessionStatus;
  created_at: string;
  environment_id: string;
}

/** The AGI API docs' status table: a session stays `running` while its task waits for input. */
const SESSION_STATUS: Record<ExecutionStatus, SessionStatus> = {
  ready: 'ready',
  running: 'running',
  waiting_for_input: 'running',
  paused: 'paused',
  finished: 'completed',
  error: 'error',
};

interface Task {
  controller: AbortController;
}

/** Where a script stopped at `ask`: the next message is the answer and the steps after `next` run. */
interface Suspended {
  steps: Step[];
  next: number;
  answer: string | undefined;
}

interface Job {
  /** A new script to parse and run, or a suspended one to resume with `answer`. */
  script: string | { resume: Suspended; answer: string };
  startUrl: string | undefined;
}

/**
 * One emulated AGI session: an isolated browser context with one page, a message log and the scripted
 * agent's state machine. Statuses move as the real API's do: ready → running → finished | error |
 * waiting_for_input, with paused in between.
 */
export class EmulatedSession {
  readonly id = randomUUID();
  readonly createdAt = new Date().toISOString();
  /** The SDKs' `environment_id` (what a snapshot would restore); snapshots are not emulated. */
  readonly environmentId = randomUUID();
  /** The secret part of the session's live-view URL (`vnc_url`), which needs no Bearer token. */
  readonly viewKey = randomBytes(18).toString('base64url');

  #status: ExecutionStatus = 'ready';
  #statusBeforePause: ExecutionStatus | undefined;
  #pauseGate: { promise: Promise<void>; release: () => void } | undefined;
  #messages: AgentMessage[] = [];
  #task: Task | undefined;
  #suspended: Suspended | undefined;
  /** Messages sent while a task runs: new information, handled in order once the task ends. */
  #queue: Array<{ text: string; startUrl: string | undefined }> = [];
  #listeners = new Set<(event: SessionEvent) => void>();
  #closed = false;
  /** Id of the first message of the latest task (its USER message), for a stream's history. */
  #taskFirstId: number | undefined;
  /** Whether the client has learnt that the latest task ended (a status read, a stream, a cancel). */
  #endSeen = true;
  /** The latest task was cancelled: the session is idle and ready, not completed. */
  #cancelled = false;
  /** The URL of the page's last main-frame navigation request: what the address bar shows on an error page. */
  #requestedUrl = new WeakMap<Page, string>();

  private constructor(
    readonly owner: string,
    readonly agentName: string,
    private readonly context: BrowserContext,
    private page: Page,
    private readonly settings: SessionSettings,
  ) {
    this.#watch(page);
  }

  static async open(browser: SharedBrowser, owner: string, agentName: string, settings: SessionSettings): Promise<EmulatedSession> {
    const context = await browser.newContext(settings.viewport);
    try {
      const page = await context.newPage();
      return new EmulatedSession(owner, agentName, context, page, settings);
    } catch (error) {
      await context.close().catch(() => undefined);
      throw error;
    }
  }

  get status(): ExecutionStatus {
    return this.#status;
  }

  get sessionStatus(): SessionStatus {
    // A cancelled session stays active and takes a new message (as the AGI API docs say): `ready`, not `completed`.
    if (this.#cancelled && this.#status === 'finished') return 'ready';
    return SESSION_STATUS[this.#status];
  }

  /** The create/get/list shape (as the AGI API docs say); `origin` is the emulator's, for `vnc_url`. */
  describe(origin: string): SessionDescription {
    return {
      session_id: this.id,
      vnc_url: `${origin}/view/${this.viewKey}`,
      agent_name: this.agentName,
      status: this.sessionStatus,
      created_at: this.createdAt,
      environment_id: this.environmentId,
    };
  }

  /** The client read a status: if the latest task had ended, it knows now. */
  noteStatusRead(): void {
    if (this.#status === 'finished' || this.#status === 'error') this.#endSeen = true;
  }

  /**
   * Where a new event stream starts. A stream follows one task: the one in progress (replaying its messages
   * so far), else the latest one if it ended before the client could learn it (send, then stream: replay it,
   * then close), else the next one (nothing to replay: the previous task's DONE must not end the new stream).
   */
  startStream(includeHistory: boolean): StreamStart {
    const latest = this.#taskFirstId === undefined ? [] : this.messagesAfter(this.#taskFirstId - 1);
    if (this.#task !== undefined || this.#suspended !== undefined) return { history: includeHistory ? latest : [], ended: false };
    if (!this.#endSeen && includeHistory) {
      this.#endSeen = true;
      return { history: latest, ended: true };
    }
    return { history: [], ended: false };
  }

  /** A stream delivered the task's DONE or ERROR. */
  noteEndStreamed(): void {
    if (this.#task === undefined) this.#endSeen = true;
  }

  messagesAfter(afterId: number): AgentMessage[] {
    return this.#messages.filter((message) => message.id > afterId);
  }

  /** Calls `listener` for each new message, pause and resume; returns the unsubscribe function. */
  subscribe(listener: (event: SessionEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** POST …/message: starts a task, answers a QUESTION, or queues new information behind the running task. */
  sendMessage(text: string, startUrl: string | undefined): void {
    if (this.#status === 'paused') {
      throw new HttpError(409, `Session ${this.id} is paused; resume it (POST …/resume) before sending a message.`);
    }
    const user = this.#post('USER', text, startUrl === undefined ? {} : { start_url: startUrl });
    if (this.#task) {
      this.#queue.push({ text, startUrl });
    } else if (this.#suspended) {
      const resume = this.#suspended;
      this.#suspended = undefined;
      this.#start({ script: { resume, answer: text }, startUrl });
    } else {
      this.#taskFirstId = user.id;
      this.#start({ script: text, startUrl });
    }
  }

  /** POST …/pause: the task stops before its next step until resumed. */
  pause(): void {
    if (this.#status === 'paused') throw new HttpError(409, `already_paused: session ${this.id} is already paused.`);
    this.#statusBeforePause = this.#status;
    let release!: () => void;
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.#pauseGate = { promise, release };
    this.#status = 'paused';
    this.#emit({ kind: 'paused', timestamp: new Date().toISOString() });
  }

  /** POST …/resume: back to the status the session had when paused. */
  resume(): void {
    if (this.#status !== 'paused') throw new HttpError(409, `not_paused: session ${this.id} is not paused (status ${this.#status}).`);
    this.#status = this.#statusBeforePause ?? 'ready';
    this.#releasePause();
    this.#emit({ kind: 'resumed', timestamp: new Date().toISOString() });
  }

  /**
   * POST …/cancel: stops the task (and anything queued or waiting for an answer); the session stays usable.
   * The status becomes `finished` so pollers waiting for an end stop waiting (the AGI API docs leave it open).
   */
  cancel(): void {
    const busy = this.#task !== undefined || this.#suspended !== undefined;
    const beforePause = this.#status === 'paused' ? this.#statusBeforePause : undefined;
    this.#task?.controller.abort();
    this.#task = undefined;
    this.#suspended = undefined;
    this.#queue = [];
    this.#releasePause();
    if (busy) {
      this.#status = 'finished';
      this.#cancelled = true;
      this.#endSeen = true;
      this.#post('LOG', 'Task cancelled.', {});
      this.#emit({ kind: 'cancelled', timestamp: new Date().toISOString() });
    } else if (beforePause !== undefined) {
      // Paused while idle: nothing to stop, so cancel only lifts the pause.
      this.#status = beforePause;
    }
  }

  /** POST …/navigate → the URL after redirects. 400 for a URL that is not absolute http(s) or does not load. */
  async navigate(url: string): Promise<string> {
    if (!isHttpUrl(url)) throw new HttpError(400, `Invalid URL format: ${JSON.stringify(url)} is not an absolute http(s) URL.`);
    const page = await this.#livePage();
    try {
      await page.goto(url, { waitUntil: 'load', timeout: this.settings.stepTimeout });
    } catch (error) {
      if (this.#closed) throw sessionNotFound(this.id);
      // Playwright's "page.goto: Timeout 500ms exceeded." keeps its sentence, not its full stop (ours ends it).
      const reason = firstLine(error).replace(/^[\w.]+: /, '').replace(` at ${url}`, '').replace(/\.$/, '');
      // A network error commits Chromium's error page (URL chrome-error://chromewebdata/) just after goto fails.
      const where = reason.startsWith('net::') ? " The page now shows Chromium's error page; screenshots report the URL that failed." : '';
      throw new HttpError(400, `Navigation to ${url} failed: ${reason}.${where}`);
    }
    return this.#addressOf(page);
  }

  /**
   * GET …/screenshot: a real Chromium JPEG of the viewport, as the real API sends it, with the page's URL and
   * title at that moment. A page in the middle of a navigation cannot always be captured at once (Chromium
   * answers "Unable to capture screenshot" while it swaps renderers, and a capture can wait 30 s for a frame):
   * each attempt is bounded, a failed one waits for the next committed frame and retries, and only a page still
   * unshootable after CAPTURE_BUDGET_MS gets a 503 that says to retry. URL and title are read right after the
   * capture, as the real API's are: on a page in motion they may already belong to the next page.
   */
  async screenshot(): Promise<{ screenshot: string; url: string; title: string }> {
    const { jpeg, url, title } = await this.capture();
    return { screenshot: `data:image/jpeg;base64,${jpeg.toString('base64')}`, url, title };
  }

  /** The JPEG bytes with the page's URL and title (see screenshot()). */
  async capture(): Promise<{ jpeg: Buffer; url: string; title: string }> {
    const deadline = Date.now() + CAPTURE_BUDGET_MS;
    let problem = '';
    for (;;) {
      const page = await this.#livePage();
      const remaining = deadline - Date.now();
      try {
        // caret: 'initial' — the real API shoots with a bare CDP call, which leaves a focused field's caret in.
        const bytes = await page.screenshot({
          type: 'jpeg',
          quality: this.settings.jpegQuality,
          caret: 'initial',
          timeout: Math.max(1, Math.min(remaining, CAPTURE_ATTEMPT_MS)),
        });
        const title = await withTimeout(page.title(), Math.max(1, Math.min(deadline - Date.now(), CAPTURE_ATTEMPT_MS)));
        if (title !== undefined) {
          return { jpeg: bytes, url: this.#addressOf(page), title };
        }
        problem = 'its title could not be read';
      } catch (error) {
        problem = firstLine(error).replace(/^[\w.]+: /, '');
      }
      if (this.#closed) throw sessionNotFound(this.id);
      if (Date.now() >= deadline) {
        throw new HttpError(
          503,
          `Screenshot not available: the page of session ${this.id} could not be captured within ${CAPTURE_BUDGET_MS} ms ` +
            `(${problem}). Retry in a moment.`,
          {},
          { 'retry-after': '1' },
        );
      }
      // Wait for the navigation in progress to commit a new document (or a short while), then try again.
      await page.waitForLoadState('domcontentloaded', { timeout: Math.max(1, Math.min(deadline - Date.now(), 1_000)) }).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, CAPTURE_RETRY_MS));
    }
  }

  /** DELETE: stops the task and closes the context (its page, cookies and storage go with it). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.cancel();
    this.#emit({ kind: 'closed', timestamp: new Date().toISOString() });
    this.#listeners.clear();
    await this.context.close().catch(() => undefined);
  }

  #start(job: Job): void {
    const task: Task = { controller: new AbortController() };
    this.#task = task;
    this.#status = 'running';
    this.#cancelled = false;
    this.#endSeen = false;
    void this.#run(job, task).catch((error: unknown) => {
      // Only a bug gets here; report it rather than leave the task running forever.
      void this.#end(task, 'error', 'ERROR', `The emulator failed: ${firstLine(error)}`, {});
    });
  }

  async #run(job: Job, task: Task): Promise<void> {
    const { signal } = task.controller;
    let suspended: Suspended;
    if (typeof job.script === 'string') {
      try {
        suspended = { steps: parseScript(job.script), next: 0, answer: undefined };
      } catch (error) {
        if (!(error instanceof ScriptSyntaxError)) throw error;
        return await this.#end(task, 'error', 'ERROR', error.message, { line: error.line, step: error.text });
      }
    } else {
      suspended = { ...job.script.resume, answer: job.script.answer };
    }
    const { steps, answer } = suspended;

    if (job.startUrl !== undefined) {
      this.#post('THOUGHT', `Opening ${job.startUrl}`, { start_url: job.startUrl });
      try {
        await goTo(await this.#livePage(), job.startUrl, { timeout: this.settings.stepTimeout });
      } catch (error) {
        if (signal.aborted) return;
        return await this.#end(task, 'error', 'ERROR', `start_url ${job.startUrl} failed: ${reasonOf(error)}`, {
          start_url: job.startUrl,
        });
      }
    }

    let actions = 0;
    for (let index = suspended.next; index < steps.length; index++) {
      await this.#waitWhilePaused();
      if (signal.aborted) return;
      const step = substituteAnswer(steps[index]!, answer);
      const where = { line: step.line, step: step.text };
      if (step.kind === 'ask') {
        this.#suspended = { steps, next: index + 1, answer };
        return await this.#end(task, 'waiting_for_input', 'QUESTION', step.question, where);
      }
      if (step.kind === 'done') return await this.#end(task, 'finished', 'DONE', step.summary, { ...where, steps: actions });
      if (!isActionStep(step)) continue;
      this.#post('THOUGHT', describeStep(step), where);
      try {
        await performStep(await this.#livePage(), step, { timeout: this.settings.stepTimeout, signal });
      } catch (error) {
        if (signal.aborted) return;
        return await this.#end(task, 'error', 'ERROR', `Line ${step.line} \`${step.text}\` failed: ${reasonOf(error)}`, where);
      }
      actions++;
    }
    await this.#end(task, 'finished', 'DONE', `Completed ${actions} step${actions === 1 ? '' : 's'}.`, { steps: actions });
  }

  /** Ends `task` with its last message, unless it was cancelled meanwhile; then runs what was queued. */
  async #end(task: Task, status: ExecutionStatus, type: MessageType, content: string, metadata: Record<string, unknown>): Promise<void> {
    // A status change must not overwrite `paused`: let the pause end first.
    await this.#waitWhilePaused();
    if (task.controller.signal.aborted || this.#task !== task) return;
    this.#task = undefined;
    this.#post(type, content, metadata);
    this.#status = status;
    if (status === 'error') {
      if (this.#queue.length > 0) this.#post('LOG', `Dropped ${this.#queue.length} queued message(s): the task failed.`, {});
      this.#queue = [];
      return;
    }
    const next = this.#queue.shift();
    if (next === undefined) return;
    if (status === 'waiting_for_input' && this.#suspended) {
      const resume = this.#suspended;
      this.#suspended = undefined;
      this.#start({ script: { resume, answer: next.text }, startUrl: next.startUrl });
    } else {
      // Its USER message was posted while the previous task ran; its own messages start here.
      this.#taskFirstId = this.#messages.length + 1;
      this.#start({ script: next.text, startUrl: next.startUrl });
    }
  }

  async #waitWhilePaused(): Promise<void> {
    while (this.#pauseGate) await this.#pauseGate.promise;
  }

  #releasePause(): void {
    const gate = this.#pauseGate;
    this.#pauseGate = undefined;
    this.#statusBeforePause = undefined;
    gate?.release();
  }

  /** The session's page; a fresh one if a script closed it (`window.close()`). */
  async #livePage(): Promise<Page> {
    if (this.#closed) throw sessionNotFound(this.id);
    if (this.page.isClosed()) {
      this.page = await this.context.newPage();
      this.#watch(this.page);
    }
    return this.page;
  }

  #watch(page: Page): void {
    page.on('request', (request) => {
      if (request.isNavigationRequest() && request.frame() === page.mainFrame()) this.#requestedUrl.set(page, request.url());
    });
  }

  /**
   * The page's URL as the address bar shows it. A navigation that failed leaves Chromium's error page, whose
   * URL is chrome-error://chromewebdata/; a person (and the real API's browser) sees the URL that failed.
   */
  #addressOf(page: Page): string {
    const url = page.url();
    return url.startsWith('chrome-error://') ? (this.#requestedUrl.get(page) ?? url) : url;
  }

  #post(type: MessageType, content: string, metadata: Record<string, unknown>): AgentMessage {
    const message: AgentMessage = {
      id: this.#messages.length + 1,
      type,
      content,
      timestamp: new Date().toISOString(),
      metadata,
    };
    this.#messages.push(message);
    this.#emit({ kind: 'message', message });
    return message;
  }

  #emit(event: SessionEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}

/** Budget of one GET …/screenshot across all its attempts, and of one attempt, in ms. */
const CAPTURE_BUDGET_MS = 10_000;
const CAPTURE_ATTEMPT_MS = 3_000;
/** Pause between two attempts on a page in motion. */
const CAPTURE_RETRY_MS = 50;

/** `promise`'s value, or undefined once `ms` have passed (or it failed). */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(resolve, ms, undefined)));
  try {
    return await Promise.race([promise.catch(() => undefined), late]);
  } finally {
    clearTimeout(timer);
  }
}

function reasonOf(error: unknown): string {
  return error instanceof StepFailedError ? error.message : firstLine(error);
}

export function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
