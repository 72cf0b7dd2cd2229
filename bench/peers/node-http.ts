/**
 * Peer: the limit. The same todo API written by hand on node:http: a regexp router, hand-rolled
 * validation (same rules as the DTO), the same SQLite transaction and `ws` broadcast.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { announce, LiveBroadcaster } from './live';
import { TodoStore } from './store';

const BODY_LIMIT = 1 << 20;

function send(res: ServerResponse, status: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}

function validTitle(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const keys = Object.keys(body);
  const title = (body as { title?: unknown }).title;
  if (keys.length !== 1 || typeof title !== 'string' || title.length < 1 || title.length > 200 || !/\S/.test(title)) return undefined;
  return title;
}

async function main(): Promise<void> {
  const store = new TodoStore(join(process.env.DATA_DIR ?? '.', 'todos.db'));
  const live = await LiveBroadcaster.listen(() => store.list());

  const create = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= BODY_LIMIT) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > BODY_LIMIT) return send(res, 413, { statusCode: 413, error: 'Payload Too Large' });
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return send(res, 400, { statusCode: 400, error: 'Bad Request', message: ['malformed JSON'] });
      }
      const title = validTitle(body);
      if (title === undefined) return send(res, 400, { statusCode: 400, error: 'Bad Request', message: ['invalid title'] });
      const { todo, metrics } = store.create(title);
      live.broadcast({ type: 'create', data: todo, metrics });
      send(res, 201, todo);
    });
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    if (req.method === 'POST' && path === '/todos') return create(req, res);
    if (req.method === 'GET' && path === '/todos/metrics') return send(res, 200, store.metrics());
    const match = req.method === 'GET' ? /^\/todos\/([^/]+)$/.exec(path) : null;
    if (match !== null) {
      const todo = store.get(decodeURIComponent(match[1] as string));
      return todo === undefined ? send(res, 404, { statusCode: 404, error: 'Not Found' }) : send(res, 200, todo);
    }
    send(res, 404, { statusCode: 404, error: 'Not Found' });
  });
  server.keepAliveTimeout = 72_000;
  await new Promise<void>((resolve) => server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', resolve));
  announce({ http: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, stream: live.url });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
