import { connect } from 'node:net';
import WebSocket from 'ws';
import { EngineCore } from '../../../src/engine/core/engine-core';
import { openStorage } from '../../../src/engine/storage';
import { WorkerListener } from '../../../src/engine/worker-manager/listener';

describe('worker listener', () => {
  it('drops a connection whose upgrade headers never complete within handshake_timeout_ms', async () => {
    const core = new EngineCore(openStorage({ kind: 'memory' }));
    const listener = new WorkerListener(core, { port: 0, host: '127.0.0.1', handshakeTimeoutMs: 300 });
    await listener.listen();
    try {
      const port = Number(new URL(listener.url()).port);
      const started = Date.now();
      const closed = await new Promise<number>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\r\nHost: x\r\n'));
        socket.on('data', () => undefined);
        socket.on('error', () => undefined);
        socket.on('close', () => resolve(Date.now() - started));
      });
      expect(closed).toBeGreaterThanOrEqual(250);
      expect(closed).toBeLessThan(5_000);
    } finally {
      await listener.close();
      await core.storage.close();
    }
  });

  it('routes extra upgrade paths to the core’s upgrade handlers (hook for data channels)', async () => {
    const core = new EngineCore(openStorage({ kind: 'memory' }));
    const seen: string[] = [];
    core.createContext('test-upgrades').serveUpgrade((_request, socket, _head, url) => {
      if (!url.pathname.startsWith('/ws/channels/')) return false;
      seen.push(url.pathname + url.search);
      socket.end("HTTP/1.1 418 I'm a teapot\r\nContent-Length: 0\r\n\r\n");
      return true;
    });
    const listener = new WorkerListener(core, { port: 0, host: '127.0.0.1', handshakeTimeoutMs: 10_000 });
    await listener.listen();
    try {
      const upgrade = (path: string) =>
        new Promise<number | undefined>((resolve) => {
          const socket = new WebSocket(listener.url() + path);
          socket.on('unexpected-response', (_req, res) => {
            resolve(res.statusCode);
            socket.terminate();
          });
          socket.on('error', () => resolve(undefined));
        });
      const statuses = await Promise.all([upgrade('/ws/channels/abc?key=k&dir=read'), upgrade('/elsewhere')]);
      expect(seen).toEqual(['/ws/channels/abc?key=k&dir=read']);
      expect(statuses[0]).toBe(418);
      expect(statuses[1]).toBe(404);
    } finally {
      await listener.close();
      await core.storage.close();
    }
  });
});
