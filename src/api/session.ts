import type { AgiClient } from './client.js';
import { InvalidResponseError, NotFoundError, TimeoutError } from '../errors.js';
import { Screenshot } from '../image/screenshot.js';
import type { AgentRun, RunOptions } from './agent-run.js';
import { runTask } from './run.js';
import type { DocumentedExecutionStatus, DocumentedMessageType, WireMessage } from './wire.js';

/** Execution status of a session's task (GET …/status): open, so a status the API adds later is no type error. */
export type ExecutionStatus = DocumentedExecutionStatus | (string & {});

export type MessageType = DocumentedMessageType | (string & {});

export interface AgentMessage extends WireMessage<MessageType> {}

export interface WaitResult {
  status: ExecutionStatus;
  /** The last DONE, QUESTION or ERROR message, if the agent sent one. */
  message: AgentMessage | undefined;
}

const TERMINAL: ReadonlySet<string> = new Set(['finished', 'error', 'waiting_for_input']);
const POLL_FIRST_MS = 250; // the first status poll comes quickly: scripted or short tasks end fast
const POLL_MAX_MS = 3_000; // the API docs ask for polls every 1–3 s

/** A handle on one agent session. Creating it makes no request. */
export class Session {
  readonly id: string;
  readonly #client: AgiClient;

  constructor(client: AgiClient, id: string) {
    this.#client = client;
    this.id = id;
  }

  #path(suffix = ''): string {
    return `/sessions/${encodeURIComponent(this.id)}${suffix}`;
  }

  /**
   * GET …/screenshot: what the agent's browser shows now.
   * `timeout` (ms) bounds the whole call, retries included; without it, each attempt has the client's `timeout`.
   */
  async screenshot(options: { timeout?: number } = {}): Promise<Screenshot> {
    return this.#client.request('GET', this.#path('/screenshot'), {
      sessionId: this.id,
      timeLimit: options.timeout,
      parse: (json, { redact }) => {
        // A server that echoes the key must not get it into a message: not through the page fields, and not through
        // the data URL's header, which an InvalidScreenshotError quotes cut short (cut, the key could not be found).
        if (typeof json === 'object' && json !== null) {
          const fields = json as Record<string, unknown>;
          if (typeof fields.url === 'string') fields.url = redact(fields.url);
          if (typeof fields.title === 'string') fields.title = redact(fields.title);
          if (typeof fields.screenshot === 'string' && fields.screenshot.startsWith('data:')) {
            const comma = fields.screenshot.indexOf(',');
            if (comma === -1) fields.screenshot = redact(fields.screenshot);
            else fields.screenshot = redact(fields.screenshot.slice(0, comma)) + fields.screenshot.slice(comma);
          }
        }
        return Screenshot.fromApiJson(json);
      },
    });
  }

  /** POST …/message: starts a task, answers a QUESTION, or adds information. */
  async sendMessage(text: string, options: { startUrl?: string } = {}): Promise<void> {
    await this.#client.request('POST', this.#path('/message'), {
      sessionId: this.id,
      body: { message: text, ...(options.startUrl === undefined ? {} : { start_url: options.startUrl }) },
    });
  }

  /** GET …/status: the task's execution status. */
  async status(): Promise<ExecutionStatus> {
    return this.#client.request('GET', this.#path('/status'), {
      sessionId: this.id,
      parse: (body, { label, redact }) => {
        const status = (body as { status?: unknown } | null)?.status;
        if (typeof status !== 'string') throw new InvalidResponseError(`${label} answered without a "status" string.`);
        return redact(status); // quoted by waitUntilFinished's TimeoutError
      },
    });
  }

  /** GET …/messages: messages with an id above `afterId`. */
  async messages(options: { afterId?: number } = {}): Promise<{ messages: AgentMessage[]; status: ExecutionStatus; hasAgent: boolean }> {
    return this.#client.request('GET', this.#path('/messages'), {
      sessionId: this.id,
      query: { after_id: options.afterId ?? 0, sanitize: true },
      parse: (json, { label }) => {
        const body = json as { messages?: unknown; status?: unknown; has_agent?: unknown } | null;
        if (!Array.isArray(body?.messages)) throw new InvalidResponseError(`${label} answered without a "messages" array.`);
        if (body.status !== undefined && typeof body.status !== 'string') throw new InvalidResponseError(`${label} answered a "status" that is not a string.`);
        return { messages: body.messages as AgentMessage[], status: body.status ?? 'unknown', hasAgent: body.has_agent === true };
      },
    });
  }

  /**
   * Polls the status, with a growing interval, until the task is finished, failed or waiting for input.
   * Resolves to that status and the agent's last DONE/QUESTION/ERROR message.
   */
  async waitUntilFinished(options: { timeout?: number } = {}): Promise<WaitResult> {
    const timeout = options.timeout ?? 600_000;
    const clock = this.#client.clock; // a replayed cassette's clock waits no time
    const deadline = clock.now() + timeout;
    let interval = POLL_FIRST_MS;
    let status: ExecutionStatus;
    for (;;) {
      status = await this.status();
      if (TERMINAL.has(status)) break;
      const left = deadline - clock.now();
      if (left <= 0) {
        throw new TimeoutError(`Session ${this.id} (last status ${JSON.stringify(status.slice(0, 40))})`, timeout, 'waitUntilFinished timeout');
      }
      await clock.sleep(Math.min(interval, left));
      interval = Math.min(interval * 1.5, POLL_MAX_MS);
    }
    const { messages } = await this.messages();
    // The last one, not the first: a session can run several tasks.
    const message = messages.findLast((m) => m.type === 'DONE' || m.type === 'QUESTION' || m.type === 'ERROR');
    return { status, message };
  }

  /**
   * Sends `message` and follows the task until it is finished, failed or waiting for input, capturing the page after
   * each agent step (each new THOUGHT message) and once at the end, or every `capture.everyMs` ms instead.
   * Resolves to the run: its status, last DONE/QUESTION/ERROR message, every message, the captures (consecutive
   * identical pages kept once, with a count) and its duration. A screenshot that fails while the agent is between
   * pages is skipped. After `timeout` ms it rejects with a RunTimeoutError whose `run` holds what was captured.
   *
   * @example
   * const run = await session.run('Buy a mug and check out', { startUrl: 'https://shop.example/' });
   * expect(run.status).toBe('finished');
   * expect(run.captures.map((c) => c.title)).toEqual(['Shop', 'Cart', 'Checkout', 'Thank you']);
   */
  async run(message: string, options: RunOptions = {}): Promise<AgentRun> {
    return runTask(this, this.#client.clock, message, options);
  }

  /** POST …/navigate: loads a URL in the session's browser; resolves to the URL reached. */
  async navigate(url: string): Promise<string> {
    return this.#client.request('POST', this.#path('/navigate'), {
      sessionId: this.id,
      body: { url },
      parse: (json, { label }) => {
        const reached = (json as { current_url?: unknown } | null)?.current_url ?? url;
        if (typeof reached !== 'string') throw new InvalidResponseError(`${label} answered a "current_url" that is not a string.`);
        return reached;
      },
    });
  }

  async pause(): Promise<void> {
    await this.#client.request('POST', this.#path('/pause'), { sessionId: this.id });
  }

  async resume(): Promise<void> {
    await this.#client.request('POST', this.#path('/resume'), { sessionId: this.id });
  }

  async cancel(): Promise<void> {
    await this.#client.request('POST', this.#path('/cancel'), { sessionId: this.id });
  }

  /** DELETE the session. Resolves to whether it existed; an unknown session is not an error (as the API says). */
  async delete(): Promise<boolean> {
    try {
      const body = await this.#client.request<{ deleted?: unknown }>('DELETE', this.#path(), { sessionId: this.id, query: { save_snapshot_mode: 'none' } });
      return body?.deleted !== false;
    } catch (error) {
      if (error instanceof NotFoundError) return false; // already gone: the docs' own examples treat 404 so
      throw error;
    }
  }
}
