import { createServer, type Server } from 'node:net';
import { IIIFactory, Module } from '../../../../src/framework';
import { failure } from '../failure';

@Module({})
class EmptyModule {}

/** A port held by another server on loopback, released after the test. */
async function occupiedPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

describe('PORT_IN_USE', () => {
  it.each([
    ['http', 'REST listener', 'Set PORT (or III_HTTP_PORT)'],
    ['stream', 'stream WebSocket listener', 'Set III_STREAM_PORT'],
    ['worker', 'worker-protocol listener', 'Set III_WORKER_PORT'],
  ] as const)('names the %s listener and the variable that moves it', async (listener, what, fix) => {
    const { port, server } = await occupiedPort();
    try {
      const ports = { http: 0, stream: 0, worker: 0, [listener]: port };
      const error = await failure(
        IIIFactory.create(EmptyModule, { logger: false, engine: { storage: 'memory', host: '127.0.0.1', ports } }),
      );
      expect(error.code).toBe('PORT_IN_USE');
      expect(error.message).toContain(`Port ${port} on 127.0.0.1 is already in use`);
      expect(error.message).toContain(what);
      expect(error.message).toContain(fix);
    } finally {
      server.close();
    }
  });
});
