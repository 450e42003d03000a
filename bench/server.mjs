// The AGI API's screenshot endpoint over loopback: GET /v1/sessions/{id}/screenshot → {"screenshot":"data:image/jpeg;base64,…","url","title"}.
// Bodies are serialised once up front, so the server costs the same for every path measured.
import http from 'node:http';

export const API_KEY = 'bench';

/** Starts the server on 127.0.0.1, port 0. `sessions` maps a session id to { image, url, title }. */
export async function startApiServer(sessions) {
  const bodies = new Map();
  for (const [id, { image, url, title }] of Object.entries(sessions)) {
    bodies.set(id, Buffer.from(JSON.stringify({ screenshot: `data:image/jpeg;base64,${image.toString('base64')}`, url, title })));
  }
  const server = http.createServer((req, res) => {
    const match = /^\/v1\/sessions\/([^/]+)\/screenshot$/.exec(req.url ?? '');
    const body = match && req.method === 'GET' ? bodies.get(decodeURIComponent(match[1])) : undefined;
    if (req.headers.authorization !== `Bearer ${API_KEY}`) return answer(res, 401, '{"detail":"Invalid or missing API key"}');
    if (!body) return answer(res, 404, '{"detail":"Session not found"}');
    answer(res, 200, body);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    /** Body size in bytes, for the report. */
    bodyBytes: (id) => bodies.get(id)?.length,
    close: () => {
      server.closeAllConnections(); // the clients' keep-alive sockets would hold close() open
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

function answer(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
