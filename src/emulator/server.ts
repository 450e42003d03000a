import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { firstLine } from './browser.js';
import { parseEventTypes, streamEvents } from './events.js';
import { HttpError, invalidField, sessionNotFound } from './http-error.js';
import { readBooleanQuery, readIntegerQuery, readJsonBody, readStringField } from './request.js';
import { isHttpUrl } from './session.js';
import type { EmulatedSession } from './session.js';
import type { SessionStore } from './session-store.js';

/** The agent names the AGI API docs list; anything else is a 422 on create, as on the real API. */
export const AGENT_NAMES: readonly string[] = ['agi-0', 'agi-0-fast'];

const SNAPSHOT_MODES = ['none', 'memory', 'filesystem'];

/** Limits from the AGI API docs. */
const MAX_MESSAGE_CHARS = 10_000;
const MAX_URL_CHARS = 2_000;

/** A handler returns the JSON body of a 200, or STREAMED when it wrote the response itself (SSE). */
const STREAMED = Symbol('streamed');
type Handler = (request: Call) => Promise<unknown>;

interface Call {
  /** `http://<Host>`, for URLs in answers (`vnc_url`). */
  origin: string;
  owner: string;
  query: URLSearchParams;
  request: IncomingMessage;
  response: ServerResponse;
  /** The session of a /sessions/{id}/… path, looked up for this token. */
  session(): EmulatedSession;
  sessionId: string;
}

export interface ApiOptions {
  store: SessionStore;
  /** The only accepted Bearer token; undefined accepts any non-empty one. */
  token: string | undefined;
  /** Host names accepted besides `localhost` and IP addresses (the bound host, `allowedHosts`). */
  allowedHosts: readonly string[];
}

/**
 * The HTTP side of the emulator: the paths, JSON fields, statuses and error codes of the AGI API docs
 * Unknown request fields are ignored, as the real API does.
 */
export function createApiListener({ store, token, allowedHosts }: ApiOptions): RequestListener {
  const acceptedNames = new Set(allowedHosts.map((name) => name.toLowerCase()));
  const routes: Array<[method: string, path: RegExp, handler: Handler]> = [
    ['POST', /^\/v1\/sessions$/, async ({ owner, origin, request }) => {
      const body = await readJsonBody(request);
      const agentName = readStringField(body, 'agent_name') ?? 'agi-0';
      if (!AGENT_NAMES.includes(agentName)) {
        throw invalidField('body', 'agent_name', `Invalid agent_name ${JSON.stringify(agentName)}; use one of: ${AGENT_NAMES.join(', ')}.`);
      }
      return (await store.create(owner, agentName)).describe(origin);
    }],
    ['GET', /^\/v1\/sessions$/, async ({ owner, origin }) => store.list(owner).map((session) => session.describe(origin))],
    ['DELETE', /^\/v1\/sessions$/, async ({ owner }) => {
      const count = await store.deleteAll(owner);
      return { success: true, deleted: count > 0, message: 'Sessions deleted successfully' };
    }],
    ['GET', /^\/v1\/sessions\/([^/]+)$/, async ({ session, origin }) => {
      const target = session();
      target.noteStatusRead();
      return target.describe(origin);
    }],
    ['DELETE', /^\/v1\/sessions\/([^/]+)$/, async ({ owner, sessionId, query }) => {
      const mode = query.get('save_snapshot_mode');
      if (mode !== null && !SNAPSHOT_MODES.includes(mode)) {
        throw invalidField('query', 'save_snapshot_mode', `save_snapshot_mode must be one of ${SNAPSHOT_MODES.join(', ')}, got ${JSON.stringify(mode)}.`);
      }
      readBooleanQuery(query, 'save_as_default', false);
      // Snapshots are not emulated: memory/filesystem are accepted and nothing is saved.
      const deleted = await store.delete(owner, sessionId);
      return { success: true, deleted, message: deleted ? 'Session deleted successfully' : 'Session not found' };
    }],
    ['POST', /^\/v1\/sessions\/([^/]+)\/message$/, async ({ session, request }) => {
      const target = session();
      const body = await readJsonBody(request);
      const message = readStringField(body, 'message', { required: true, nonEmpty: true, maxLength: MAX_MESSAGE_CHARS });
      const startUrl = readStringField(body, 'start_url', { maxLength: MAX_URL_CHARS });
      if (startUrl !== undefined && !isHttpUrl(startUrl)) {
        throw invalidField('body', 'start_url', `Field \`start_url\` must be an absolute http(s) URL, got ${JSON.stringify(startUrl)}.`);
      }
      target.sendMessage(message, startUrl);
      return { success: true, message: 'Message sent successfully' };
    }],
    ['GET', /^\/v1\/sessions\/([^/]+)\/status$/, async ({ session }) => {
      const target = session();
      target.noteStatusRead();
      return { status: target.status };
    }],
    ['GET', /^\/v1\/sessions\/([^/]+)\/messages$/, async ({ session, query }) => {
      const target = session();
      const afterId = readIntegerQuery(query, 'after_id', 0);
      readBooleanQuery(query, 'sanitize', true);
      target.noteStatusRead();
      // `sanitize` is accepted and has nothing to remove: the emulator posts no system prompts or images.
      return { messages: target.messagesAfter(afterId), status: target.status, has_agent: true };
    }],
    ['GET', /^\/v1\/sessions\/([^/]+)\/events$/, async ({ session, query, response }) => {
      const target = session();
      const includeHistory = readBooleanQuery(query, 'include_history', true);
      readBooleanQuery(query, 'sanitize', true);
      streamEvents(target, response, { eventTypes: parseEventTypes(query.get('event_types')), includeHistory });
      return STREAMED;
    }],
    ['POST', /^\/v1\/sessions\/([^/]+)\/pause$/, async ({ session }) => {
      session().pause();
      return { success: true, message: 'Session paused successfully' };
    }],
    ['POST', /^\/v1\/sessions\/([^/]+)\/resume$/, async ({ session }) => {
      session().resume();
      return { success: true, message: 'Session resumed successfully' };
    }],
    ['POST', /^\/v1\/sessions\/([^/]+)\/cancel$/, async ({ session }) => {
      session().cancel();
      return { success: true, message: 'Session cancelled successfully' };
    }],
    ['POST', /^\/v1\/sessions\/([^/]+)\/navigate$/, async ({ session, request }) => {
      const target = session();
      const body = await readJsonBody(request);
      const url = readStringField(body, 'url', { required: true, nonEmpty: true, maxLength: MAX_URL_CHARS });
      return { current_url: await target.navigate(url) };
    }],
    ['GET', /^\/v1\/sessions\/([^/]+)\/screenshot$/, async ({ session }) => await session().screenshot()],
    ['GET', /^\/v1\/models$/, async ({ query }) => ({
      // The emulator drives a browser only: no desktop models.
      models: query.get('filter') === 'desktop' ? [] : [...AGENT_NAMES],
    })],
  ];

  return (request, response) => {
    void handle(request, response).catch((error: unknown) => {
      const problem = error instanceof HttpError ? error : new HttpError(500, `Emulator error: ${firstLine(error)}`);
      if (response.headersSent) {
        response.end();
        return;
      }
      const headers: Record<string, string> = problem.status === 401 ? { 'www-authenticate': 'Bearer', ...problem.headers } : problem.headers;
      sendJson(response, problem.status, problem.body, headers);
    });
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    checkHost(request.headers.host, acceptedNames);
    if (request.method === 'OPTIONS') {
      // No Access-Control-Allow-* anywhere: a web page must not drive this browser, even when asked nicely.
      throw new HttpError(403, 'CORS preflight refused: the emulator answers programs (Node, Python, curl), not web pages.');
    }
    const url = new URL(request.url ?? '/', 'http://emulator');
    const path = url.pathname.length > 1 ? url.pathname.replace(/\/+$/, '') : url.pathname;
    const origin = `http://${request.headers.host ?? `${request.socket.localAddress}:${request.socket.localPort}`}`;
    const view = /^\/view\/([\w-]+)(\/frame\.jpg)?$/.exec(path);
    if (view && request.method === 'GET') return await serveLiveView(response, store.findByViewKey(view[1]!), view[2] !== undefined);
    const owner = authenticate(request.headers.authorization, token);

    const matching = routes.filter(([, pattern]) => pattern.test(path));
    if (matching.length === 0) throw new HttpError(404, `Not Found: ${request.method} ${path} is not an AGI API endpoint.`);
    const route = matching.find(([method]) => method === request.method);
    if (!route) {
      const allowed = matching.map(([method]) => method).join(', ');
      response.setHeader('allow', allowed);
      throw new HttpError(405, `Method Not Allowed: ${request.method} ${path} (allowed: ${allowed}).`);
    }
    const [, pattern, handler] = route;
    const sessionId = decodeURIComponent(pattern.exec(path)?.[1] ?? '');
    const result = await handler({
      origin,
      owner,
      query: url.searchParams,
      request,
      response,
      sessionId,
      session: () => {
        if (sessionId === '') throw sessionNotFound(sessionId);
        return store.get(owner, sessionId);
      },
    });
    if (result !== STREAMED) sendJson(response, 200, result);
  }
}

/**
 * The session's `vnc_url`: a page that shows its browser live, refreshing a JPEG twice a second. There is no
 * VNC here; the page gives what a VNC viewer would, read-only. The unguessable key in the URL is the credential,
 * as a VNC link is: it opens in any browser without the Bearer token.
 */
async function serveLiveView(response: ServerResponse, session: EmulatedSession | undefined, frame: boolean): Promise<void> {
  if (session === undefined) throw new HttpError(404, 'No such live view: the session was deleted, or the URL is wrong.');
  const headers = { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff' };
  if (frame) {
    const { jpeg } = await session.capture();
    response.writeHead(200, { ...headers, 'content-type': 'image/jpeg', 'content-length': jpeg.length });
    response.end(jpeg);
    return;
  }
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Session ${session.id} (vitest-agi emulator)</title>
<style>html,body{margin:0;background:#202124}img{display:block;max-width:100%;margin:auto}</style></head>
<body><img id="frame" alt="The session's browser">
<script>const img=document.getElementById('frame');const next=()=>{img.src=location.pathname+'/frame.jpg?t='+Date.now()};
img.onload=img.onerror=()=>setTimeout(next,500);next();</script></body></html>`;
  response.writeHead(200, { ...headers, 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
  response.end(html);
}

/**
 * DNS rebinding: a page on evil.example can point its name at 127.0.0.1 and then call the emulator as its own
 * origin, with any Bearer token. Such requests carry `Host: evil.example`, so only names we know are answered:
 * `localhost`, IP literals (a rebinding needs a name), the bound host and `allowedHosts`.
 */
function checkHost(header: string | undefined, acceptedNames: ReadonlySet<string>): void {
  // HTTP/1.0 clients may omit Host; browsers never do.
  if (header === undefined) return;
  const name = hostNameOf(header);
  if (name === 'localhost' || isIP(name) !== 0 || acceptedNames.has(name)) return;
  const shown = JSON.stringify(header.length > 100 ? `${header.slice(0, 100)}…` : header);
  throw new HttpError(
    403,
    `Host ${shown} is not allowed: the emulator answers requests addressed to localhost or an IP address ` +
      '(protection against DNS rebinding). To reach it under this name, start it with allowedHosts (--allowed-host).',
  );
}

/** `[::1]:8931` → `::1`, `Example.test:80` → `example.test`. */
function hostNameOf(header: string): string {
  const host = header.trim().toLowerCase();
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']') === -1 ? undefined : host.indexOf(']'));
  return host.replace(/:\d*$/, '');
}

/** 127.0.0.0/8 and ::1, also IPv4-mapped. */
export function isLoopback(address: string): boolean {
  const plain = address.replace(/^::ffff:/i, '');
  return plain === '::1' || /^127\./.test(plain) || plain === 'localhost';
}

/** The token is the owner of the sessions it creates. It never appears in a response or log. */
function authenticate(header: string | undefined, expected: string | undefined): string {
  const token = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim();
  if (token === undefined || token === '') {
    throw new HttpError(401, 'Missing API key: send the header `Authorization: Bearer <token>` (any non-empty token works with the emulator unless it was started with one).');
  }
  if (expected !== undefined && token !== expected) {
    throw new HttpError(401, 'Invalid API key: this emulator was started with a token, and the Bearer token sent is not it.');
  }
  return token;
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
