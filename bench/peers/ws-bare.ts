/**
 * Peer for fan-out: a bare `ws` server with no storage; `POST /todos` broadcasts the body as one
 * message to every client at once. Nothing can fan out one change faster in Node.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { announce, LiveBroadcaster } from './live';

async function main(): Promise<void> {
  const live = await LiveBroadcaster.listen(() => []);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST') {
        res.writeHead(404).end();
        return;
      }
      const todo = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
      live.broadcast({ type: 'create', data: todo });
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(todo));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  announce({ http: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, stream: live.url });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
