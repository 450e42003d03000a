import type { ServerResponse } from 'node:http';
import type { AgentMessage, EmulatedSession, SessionEvent } from './session.js';

/** The SSE event names of agi-api.md §2 (`user` as the SDKs add it). */
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

/** The SDK parsers need a heartbeat well inside their 60 s read timeout (agi-api.md §4.9). */
const HEARTBEAT_MS = 15_000;

export interface StreamOptions {
  /** `event_types`: only these names are sent (heartbeats always are). */
  eventTypes: ReadonlySet<string> | undefined;
  /** `include_history`: replay the session's messages first. */
  includeHistory: boolean;
}

/**
 * GET …/events: Server-Sent Events, one `event:` line and a single-line JSON `data:` each, `id:` = message id.
 * The stream ends after a live `done` or `error` event, when the session is deleted, or when the client
 * leaves. If history shows the task already over, it ends right after the replay.
 */
export function streamEvents(session: EmulatedSession, response: ServerResponse, { eventTypes, includeHistory }: StreamOptions): void {
  response.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  // Send the headers now: clients wait for them before they treat the stream as open.
  response.flushHeaders();
  const send = (event: EventName, data: Record<string, unknown>, id?: number) => {
    if (event !== 'heartbeat' && eventTypes && !eventTypes.has(event)) return;
    response.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };

  if (includeHistory) for (const message of session.messagesAfter(0)) send(...toEvent(message));
  if (session.status === 'finished' || session.status === 'error') {
    response.end();
    return;
  }

  const heartbeat = setInterval(() => send('heartbeat', { timestamp: new Date().toISOString() }), HEARTBEAT_MS);
  const stop = () => {
    clearInterval(heartbeat);
    unsubscribe();
    response.end();
  };
  const unsubscribe = session.subscribe((event: SessionEvent) => {
    if (event.kind === 'closed') return stop();
    if (event.kind !== 'message') return send(event.kind, { timestamp: event.timestamp });
    const [name, data, id] = toEvent(event.message);
    send(name, data, id);
    if (name === 'done' || name === 'error') stop();
  });
  response.on('close', () => {
    clearInterval(heartbeat);
    unsubscribe();
  });
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
