import type { ServerResponse } from 'node:http';
import type { AgentMessage, EmulatedSession, SessionEvent } from './session.js';

/** The SSE event names of the AGI API docs (`user` as the SDKs add it). */
const EVENT_NAMES = ['step', 'thought', 'question', 'done', 'error', 'log', 'paused', 'resumed', 'heartbeat', 'user'] as const;
type EventName = (typeof EVENT_NAMES)[number];

const EVENT_OF_MESSAGE: Record<AgentMessage['type'], EventName> = {
  THOUGHT: 'thought',
  QUESTION: 'question',
  DONE: 'done',
  ERROR: 'error',
  USER: 'user',
  LOG: 'log',
};

/** The SDK parsers need a heartbeat well inside their 60 s read timeout (as the AGI API docs say). */
const HEARTBEAT_MS = 15_000;

export interface StreamOptions {
  /** `event_types`: only these names are sent (heartbeats always are). */
  eventTypes: ReadonlySet<string> | undefined;
  /** `include_history`: replay the followed task's messages so far first. */
  includeHistory: boolean;
}

/**
 * Bytes a stream may hold for a client that does not read (beyond what the kernel's socket buffers take). A
 * client this far behind is dropped: 300 such streams once grew the emulator to 6.2 GB until it stopped
 * answering. 1 MiB is thousands of events; a client that reads at all never gets near it.
 */
export const MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * GET …/events: Server-Sent Events, one `event:` line and a single-line JSON `data:` each, `id:` = message id.
 * A stream follows one task (EmulatedSession.startStream): the one in progress, or the next one. It ends after
 * that task's live `done` or `error`, when the task is cancelled, when the session is deleted, when the client
 * leaves, or when the client falls MAX_BUFFERED_BYTES behind. A task that ended before the client could see it
 * is replayed, and the stream ends right after.
 */
export function streamEvents(session: EmulatedSession, response: ServerResponse, { eventTypes, includeHistory }: StreamOptions): void {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  // Send the headers now: clients wait for them before they treat the stream as open.
  response.flushHeaders();
  let open = true;
  let heartbeat: NodeJS.Timeout | undefined;
  let unsubscribe = () => {};
  const send = (event: EventName, data: Record<string, unknown>, id?: number) => {
    if (!open || (event !== 'heartbeat' && eventTypes && !eventTypes.has(event))) return;
    response.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    if (response.writableLength > MAX_BUFFERED_BYTES) {
      // A slow client: drop it rather than buffer for it without limit.
      stop();
      response.destroy();
    }
  };

  const { history, ended } = session.startStream(includeHistory);
  for (const message of history) send(...toEvent(message));
  if (!open) return;
  if (ended) return end();

  heartbeat = setInterval(() => send('heartbeat', { timestamp: new Date().toISOString() }), HEARTBEAT_MS);
  unsubscribe = session.subscribe((event: SessionEvent) => {
    if (event.kind === 'closed' || event.kind === 'cancelled') return end();
    if (event.kind !== 'message') return send(event.kind, { timestamp: event.timestamp });
    const [name, data, id] = toEvent(event.message);
    send(name, data, id);
    if (name === 'done' || name === 'error') {
      session.noteEndStreamed();
      end();
    }
  });
  function stop() {
    open = false;
    clearInterval(heartbeat);
    unsubscribe();
  }
  function end() {
    stop();
    response.end();
  }
  response.on('close', stop);
}

/** The documented payloads (`text` + `message_id`, `done` adds `result`, `error` has `error`), plus `content`. */
function toEvent(message: AgentMessage): [EventName, Record<string, unknown>, number] {
  const name = EVENT_OF_MESSAGE[message.type];
  const common = { content: message.content, message_id: message.id, timestamp: message.timestamp };
  switch (name) {
    case 'done':
      return [name, { text: message.content, result: message.content, ...common }, message.id];
    case 'error':
      return [name, { error: message.content, status_code: 500, ...common }, message.id];
    default:
      return [name, { text: message.content, ...common }, message.id];
  }
}

export function parseEventTypes(raw: string | null): ReadonlySet<string> | undefined {
  if (raw === null || raw.trim() === '') return undefined;
  return new Set(raw.split(',').map((name) => name.trim().toLowerCase()).filter(Boolean));
}
