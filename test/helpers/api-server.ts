import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { DocumentedExecutionStatus, DocumentedMessageType, WireMessage } from '../../src/api/wire.js';
import jpeg from 'jpeg-js';
import { bombJpeg } from './fixtures.js';
import { drainedOrClosed } from './hostile-server.js';

/** One screenshot answer. Defaults: a blank 1280×720 JPEG, `about:blank`, title `""` (a fresh session, §4.14). */
export interface Frame {
  image?: Buffer;
  /** @default 'image/png' if `image` starts with the PNG signature, else 'image/jpeg' */
  mime?: 'image/jpeg' | 'image/png';
  url?: string;
  title?: string;
  /** Sent verbatim as the 200 body instead of the JSON built from the fields above. */
  raw?: string;
}

/** A scripted failure of the screenshot endpoint. */
export type Fault =
  | 'unauthorized' | 'forbidden' | 'not-found'
  | 'rate-limited' /* 429 + Retry-After: 1 */ | 'unavailable' /* 503 */ | 'server-error' /* 500 */
  | 'hang' /* never answers until close() */ | 'reset' /* destroys the socket */
  | 'not-json' /* 200 text/html */ | 'missing-field' /* no "screenshot" */ | 'bad-base64'
  | 'not-an-image' /* JPEG data URL of HTML bytes */ | 'truncated-jpeg' /* first 40 % of a real JPEG */
  | 'bomb' /* valid JPEG header claiming 60000×60000 */ | 'oversized' /* a streamed body over 50 MB */;

export type ExecutionStatus = DocumentedExecutionStatus;

export interface AgentMessage extends WireMessage<DocumentedMessageType, string | Record<string, unknown>> {}

export interface ApiServer {
  /** e.g. 'http://127.0.0.1:41234/v1' */
  baseUrl: string;
  /** Every request received, in order; `path` includes the query string. */
  requests: Array<{ method: string; path: string; authorization?: string }>;
  /** Each screenshot request to that session takes the next step; the last step repeats. Creates the session. */
  script(sessionId: string, steps: Array<Frame | Fault>): void;
  /** Each /status or /messages request takes the next status; the last repeats. Creates the session. */
  scriptStatus(sessionId: string, statuses: ExecutionStatus[]): void;
  /** Appends agent messages (ids and timestamps are assigned). Creates the session. */
  scriptMessages(sessionId: string, messages: Array<Pick<AgentMessage, 'type' | 'content'> & Partial<AgentMessage>>): void;
  /** Answers hanging requests by destroying every connection, then stops listening. */
  close(): Promise<void>;
}

interface Session {
  frames: Array<Frame | Fault>;
  frameStep: number;
  statuses: ExecutionStatus[];
  statusStep: number;
  messages: AgentMessage[];
}

const OVERSIZED_BYTES = 50 * 1024 * 1024 + 1024 * 1024;
const docsJpg = (): Buffer => readFileSync(new URL('../fixtures/shots/docs.jpg', import.meta.url));
let blankJpg: Buffer | undefined; // encoded on first use (jpeg-js, ~0.3 s)

export async function startApiServer(opts: { apiKey?: string } = {}): Promise<ApiServer> {
  const sessions = new Map<string, Session>();
  const requests: ApiServer['requests'] = [];
  const sessionFor = (id: string): Session => {
    let session = sessions.get(id);
    if (!session) sessions.set(id, (session = { frames: [{}], frameStep: 0, statuses: ['ready'], statusStep: 0, messages: [] }));
    return session;
  };
  const nextStatus = (s: Session): ExecutionStatus => s.statuses[Math.min(s.statusStep++, s.statuses.length - 1)];

  const server = createServer((req, res) => {
    const authorization = req.headers.authorization;
    requests.push({ method: req.method ?? '', path: req.url ?? '', ...(authorization === undefined ? {} : { authorization }) });
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, `Emulator bug: ${String(error)}`);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (opts.apiKey !== undefined && req.headers.authorization !== `Bearer ${opts.apiKey}`) {
      return sendError(res, 401, 'Invalid or missing API key');
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const match = /^\/v1\/sessions(?:\/([^/]+)(?:\/(screenshot|message|status|messages))?)?$/.exec(url.pathname);
    if (!match) return sendError(res, 404, 'Not Found');
    const [, id, action] = match;
    const route = `${req.method} ${action ?? (id === undefined ? 'sessions' : 'session')}`;
    const body = await readJson(req);

    if (route === 'POST sessions') {
      const sessionId = randomUUID();
      sessionFor(sessionId);
      const agentName = (body as { agent_name?: string } | undefined)?.agent_name ?? 'agi-0';
      return sendJson(res, 200, {
        session_id: sessionId, vnc_url: `http://127.0.0.1/vnc/${sessionId}`, agent_name: agentName,
        status: 'ready', created_at: new Date().toISOString(),
      });
    }
    if (id === undefined) return sendError(res, 405, 'Method Not Allowed');
    const session = sessions.get(decodeURIComponent(id));
    // The docs: deleting an unknown id is not an error (§4.4).
    if (route === 'DELETE session') {
      if (session) sessions.delete(decodeURIComponent(id));
      return sendJson(res, 200, session
        ? { success: true, deleted: true, message: 'Session deleted successfully' }
        : { success: true, deleted: false, message: 'Session not found' });
    }
    if (!session) return sendError(res, 404, 'Session not found');
    switch (route) {
      case 'GET screenshot':
        return sendFrame(res, session.frames[Math.min(session.frameStep++, session.frames.length - 1)]);
      case 'GET status':
        return sendJson(res, 200, { status: nextStatus(session) });
      case 'GET messages': {
        const afterId = Number(url.searchParams.get('after_id') ?? 0);
        const messages = session.messages.filter((m) => m.id > afterId);
        return sendJson(res, 200, { messages, status: nextStatus(session), has_agent: true });
      }
      case 'POST message': {
        const message = (body as { message?: unknown } | undefined)?.message;
        if (typeof message !== 'string' || message.length === 0) {
          return sendJson(res, 422, {
            detail: [{ loc: ['body', 'message'], msg: 'Field required', type: 'missing' }],
            message: 'body.message: Field required',
          });
        }
        appendMessages(session, [{ type: 'USER', content: message }]);
        return sendJson(res, 200, { success: true, message: 'Message sent successfully' });
      }
      default:
        return sendError(res, 405, 'Method Not Allowed');
    }
  }

  async function sendFrame(res: ServerResponse, step: Frame | Fault): Promise<void> {
    if (typeof step === 'object') {
      if (step.raw !== undefined) return sendText(res, 200, 'application/json', step.raw);
      const image = step.image ?? (blankJpg ??= jpegOf(1280, 720));
      const mime = step.mime ?? (image.subarray(0, 8).equals(PNG_SIGNATURE) ? 'image/png' : 'image/jpeg');
      return sendJson(res, 200, { screenshot: dataUrl(mime, image), url: step.url ?? 'about:blank', title: step.title ?? '' });
    }
    const page = { url: 'https://shop.example/checkout', title: 'Checkout — Shop' };
    switch (step) {
      case 'unauthorized': return sendError(res, 401, 'Invalid or missing API key');
      case 'forbidden': return sendError(res, 403, 'Forbidden');
      case 'not-found': return sendError(res, 404, 'Session not found');
      case 'rate-limited': return sendError(res, 429, 'Rate limit exceeded', { 'retry-after': '1' });
      case 'unavailable': return sendError(res, 503, 'Service temporarily unavailable');
      case 'server-error': return sendError(res, 500, 'Internal server error');
      case 'hang': return; // close() destroys the socket
      case 'reset': res.socket?.resetAndDestroy(); return;
      case 'not-json': return sendText(res, 200, 'text/html', '<!doctype html><title>502 Bad Gateway</title><h1>Bad Gateway</h1>');
      case 'missing-field': return sendJson(res, 200, page);
      case 'bad-base64': return sendJson(res, 200, { screenshot: 'data:image/jpeg;base64,@@not*base64!!', ...page });
      case 'not-an-image': return sendJson(res, 200, { screenshot: dataUrl('image/jpeg', Buffer.from('<!doctype html><p>hello</p>')), ...page });
      case 'truncated-jpeg': {
        const full = docsJpg();
        return sendJson(res, 200, { screenshot: dataUrl('image/jpeg', full.subarray(0, Math.floor(full.length * 0.4))), ...page });
      }
      case 'bomb': return sendJson(res, 200, { screenshot: dataUrl('image/jpeg', bombJpeg()), ...page });
      case 'oversized': return streamOversized(res);
    }
    step satisfies never;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    script: (id, steps) => {
      if (steps.length === 0) throw new RangeError('script() needs at least one step');
      Object.assign(sessionFor(id), { frames: steps, frameStep: 0 });
    },
    scriptStatus: (id, statuses) => {
      if (statuses.length === 0) throw new RangeError('scriptStatus() needs at least one status');
      Object.assign(sessionFor(id), { statuses, statusStep: 0 });
    },
    scriptMessages: (id, messages) => appendMessages(sessionFor(id), messages),
    close: () => new Promise<void>((resolve, reject) => {
      if (!server.listening) return resolve(); // a test may close early; afterEach closes again
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections(); // ends 'hang' and keep-alive sockets, which close() alone waits for
    }),
  };
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function appendMessages(session: Session, messages: Parameters<ApiServer['scriptMessages']>[1]): void {
  for (const m of messages) {
    const id = (session.messages.at(-1)?.id ?? 0) + 1;
    session.messages.push({ id, timestamp: new Date().toISOString(), metadata: {}, ...m });
  }
}

function dataUrl(mime: string, bytes: Buffer): string {
  return `data:${mime};base64,${bytes.toString('base64')}`;
}

/** A real JPEG from jpeg-js's encoder: white, q80. */
function jpegOf(width: number, height: number): Buffer {
  return jpeg.encode({ width, height, data: Buffer.alloc(width * height * 4, 255) }, 80).data;
}

/** Rewrites the frame size in the SOF0 segment (FFC0: length u16, precision u8, height u16, width u16). */
/** `{"screenshot":"data:image/jpeg;base64,AAAA…"}` over 50 MB, written from one reused 1 MiB chunk. */
async function streamOversized(res: ServerResponse): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/json' }); // chunked: no Content-Length to reject early
  res.write('{"screenshot":"data:image/jpeg;base64,');
  const chunk = Buffer.alloc(1024 * 1024, 'A');
  for (let sent = 0; sent < OVERSIZED_BYTES && !res.destroyed; sent += chunk.length) {
    if (!res.write(chunk)) await drainedOrClosed(res);
  }
  if (!res.destroyed) res.end('","url":"about:blank","title":""}');
}

/** The request body as JSON, or undefined if empty or not JSON. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

function sendText(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendText(res, status, 'application/json', JSON.stringify(body), headers);
}

/** FastAPI's `{"detail"}` plus `message`, so the Python, Node and C# SDKs all show the text (§1). */
function sendError(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  sendJson(res, status, { detail: text, message: text }, headers);
}
