import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One scripted answer: whatever a broken, slow or malicious server might do with a request. */
export type Step = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HostileServer {
  /** e.g. 'http://127.0.0.1:41234/v1' */
  baseUrl: string;
  /** e.g. 'http://127.0.0.1:41234' */
  origin: string;
  /** Every request received, in order. */
  requests: Array<{ method: string; path: string; authorization?: string }>;
  /** Each request (any path) takes the next step; the last step repeats. */
  script(...steps: Step[]): void;
  /** Bytes the server has written to all its connections (to show that a client stopped reading). */
  readonly bytesWritten: number;
  /** Destroys every connection (ending hung answers), then stops listening. */
  close(): Promise<void>;
}

/**
 * A node:http server on port 0 that answers every request with the next scripted step. Unlike api-server.ts it
 * knows no API routes: each test scripts the exact bytes, so a client can be shown the worst a server can send.
 */
export async function startHostileServer(): Promise<HostileServer> {
  let steps: Step[] = [json(200, {})];
  let next = 0;
  const sockets = new Set<Socket>();
  const requests: HostileServer['requests'] = [];
  const server = createServer((req, res) => {
    const authorization = req.headers.authorization;
    requests.push({ method: req.method ?? '', path: req.url ?? '', ...(authorization === undefined ? {} : { authorization }) });
    const step = steps[Math.min(next++, steps.length - 1)]!;
    req.resume();
    Promise.resolve(step(req, res)).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('error', () => {}); // clients hang up mid-stream on purpose
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl: `${origin}/v1`,
    origin,
    requests,
    script: (...given) => {
      if (given.length === 0) throw new RangeError('script() needs at least one step');
      steps = given;
      next = 0;
    },
    get bytesWritten() {
      return [...sockets].reduce((sum, socket) => sum + socket.bytesWritten, 0);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** A complete answer with a Content-Length. */
export function text(status: number, contentType: string, body: string, headers: Record<string, string> = {}): Step {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...headers }).end(body);
  };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Step {
  return text(status, 'application/json', JSON.stringify(body), headers);
}

/** The raw JSON text given (for bodies JSON.stringify cannot make, or would reject). */
export function rawJson(status: number, body: string): Step {
  return text(status, 'application/json', body);
}

/** A screenshot answer for the given image bytes and page. */
export function screenshot(image: Buffer, page: { url: string; title: string }): Step {
  return json(200, { screenshot: `data:image/jpeg;base64,${image.toString('base64')}`, ...page });
}

/** Headers, then a chunked body that never ends: `prefix`, then 64 KiB chunks of `fill` for as long as it is read. */
export function endless(status: number, contentType: string, prefix: string, fill = 'A'): Step {
  return async (_req, res) => {
    res.writeHead(status, { 'content-type': contentType });
    res.write(prefix);
    const chunk = Buffer.alloc(64 * 1024, fill);
    while (!res.destroyed) {
      if (!res.write(chunk)) await drainedOrClosed(res);
    }
  };
}

/** Never answers (until close()). */
export const hang: Step = () => {};

/** Drops the connection with a TCP reset. */
export const reset: Step = (_req, res) => {
  res.socket?.resetAndDestroy();
};

/** Resolves once the response can take more data, or is closed (a client that hung up). */
export function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}
