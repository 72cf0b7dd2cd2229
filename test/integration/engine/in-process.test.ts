/**
 * The in-process worker address (`startEngine({ inProcessWorker: true })`, what the framework's
 * own worker uses): real iii-sdk workers reach the listener through `ws.WebSocket` without any
 * socket, pass the same secret check, see close codes both ways and a refused connection once the
 * engine is gone; data channels at that address go over the real socket; and every other `ws`
 * client — a plain WebSocket, an iii-sdk worker on `ws://` — is untouched by the install.
 */
import { once } from 'node:events';
import { createChannel } from 'iii-sdk/helpers';
import type { ChannelReader } from 'iii-sdk/channel';
import { WebSocketServer } from 'ws';
import { installInProcessTransport, type WebSocketModule } from '../../../src/engine';
import {
  connectWorker,
  recordSdkConnectionErrors,
  startTestEngine,
  waitFor,
  waitForFunctions,
  type EngineHandle,
  type IIIClient,
} from '../support/engine';
import { clientSocketsDuring } from '../support/client-sockets';

// The module object iii-sdk's `require('ws')` returns (an ES import would be a copy of it).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const wsModule = require('ws') as WebSocketModule;
const OriginalWebSocket = wsModule.WebSocket;
installInProcessTransport(wsModule);

const SECRET = 'in-process-secret';

function closeOf(socket: InstanceType<typeof OriginalWebSocket>): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

describe('in-process worker address', () => {
  let engine: EngineHandle;
  let address: string;
  const clients: IIIClient[] = [];
  const worker = (name: string, url = address): IIIClient => {
    const client = connectWorker(url, { workerName: name, headers: { 'x-iii-worker-token': SECRET } });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    engine = await startTestEngine({ inProcessWorker: true, secure: { workerToken: SECRET } });
    address = engine.urls.inProcess as string;
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.shutdown()));
    await engine.close();
  });

  it('is a private address beside the unchanged TCP URL, and only when asked for', async () => {
    expect(address).toMatch(/^iii\+inproc:\/\/[0-9a-f-]{36}\/$/);
    expect(engine.urls.worker).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const other = await startTestEngine();
    try {
      expect(other.urls.inProcess).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it('serves an iii-sdk worker without opening a socket: an HTTP route it handles, its state calls', async () => {
    const http = engine.urls.http as string;
    const ports = await clientSocketsDuring(async () => {
      const app = worker('in-process-app');
      app.registerFunction('inproc::hello', async (request: { path_params: { name: string } }) => {
        await app.trigger({ function_id: 'state::set', payload: { scope: 'greeted', key: request.path_params.name, value: true } });
        return { status_code: 200, body: { hello: request.path_params.name } };
      });
      app.registerTrigger({ type: 'http', function_id: 'inproc::hello', config: { api_path: 'hello/:name', http_method: 'GET' } });
      const response = await waitFor(async () => {
        const res = await fetch(`${http}/hello/ada`);
        return res.status === 200 ? res : undefined;
      });
      expect(await response.json()).toEqual({ hello: 'ada' });
      await expect(app.trigger({ function_id: 'state::get', payload: { scope: 'greeted', key: 'ada' } })).resolves.toBe(true);
      const listed = await app.trigger<unknown, { workers: Array<{ name: string; ip_address: string | null }> }>({
        function_id: 'engine::workers::list',
        payload: { search: 'in-process-app' },
      });
      expect(listed.workers).toEqual([expect.objectContaining({ name: 'in-process-app', ip_address: null })]);
    });
    // Only fetch's connections to the HTTP port: none to the worker port, no unix socket.
    expect(ports.length).toBeGreaterThan(0);
    expect(ports.every((port) => port === portOf(http))).toBe(true);
  });

  it('asks for the worker secret like the TCP port, and closes with its code and reason', async () => {
    const refusal = (headers?: Record<string, string>) => {
      const ws = new wsModule.WebSocket(address, headers === undefined ? {} : { headers });
      ws.on('error', () => undefined);
      return closeOf(ws);
    };
    await expect(refusal()).resolves.toEqual({ code: 1008, reason: expect.stringContaining('worker token required') });
    await expect(refusal({ 'x-iii-worker-token': 'wrong' })).resolves.toEqual({ code: 1008, reason: 'invalid worker token' });
  });

  it('hands frames over as text, and a close from the worker reaches the engine, which drops its registrations', async () => {
    const ws = new wsModule.WebSocket(address, { headers: { 'x-iii-worker-token': SECRET } });
    const [first, isBinary] = (await once(ws, 'message')) as [string, boolean];
    expect(isBinary).toBe(false);
    expect(JSON.parse(first)).toEqual(expect.objectContaining({ type: 'workerregistered' }));
    ws.send(JSON.stringify({ type: 'registerfunction', id: 'raw::fn' }));
    const observer = worker('observer');
    await waitForFunctions(observer, ['raw::fn']);

    const closed = closeOf(ws);
    ws.close(4001, 'bye');
    await expect(closed).resolves.toEqual({ code: 4001, reason: 'bye' });
    await waitFor(async () => {
      const list = await observer.trigger<unknown, { functions: Array<{ function_id: string }> }>({
        function_id: 'engine::functions::list',
        payload: {},
      });
      return !list.functions.some((fn) => fn.function_id === 'raw::fn');
    });
  });

  it('carries data channels, which go to the listener over its real socket', async () => {
    const app = worker('in-process-channels');
    app.registerFunction('inproc::sum', async (input: { reader: ChannelReader }) => {
      const chunks: Buffer[] = [];
      for await (const chunk of input.reader.stream) chunks.push(chunk as Buffer);
      return (JSON.parse(Buffer.concat(chunks).toString('utf8')) as number[]).reduce((a, b) => a + b, 0);
    });
    await waitForFunctions(app, ['inproc::sum']);
    const ports = await clientSocketsDuring(async () => {
      const channel = await createChannel(app);
      channel.writer.stream.end(Buffer.from(JSON.stringify([40, 2, 100])));
      await expect(app.trigger({ function_id: 'inproc::sum', payload: { reader: channel.readerRef } })).resolves.toBe(142);
    });
    expect(ports.length).toBeGreaterThan(0);
    expect(ports.every((port) => port === portOf(engine.urls.worker))).toBe(true);
  });

  it('closes its workers with 1006 when the engine stops; reconnecting is refused like a closed port', async () => {
    const own = await startTestEngine({ inProcessWorker: true });
    const ws = new wsModule.WebSocket(own.urls.inProcess as string);
    await once(ws, 'open');
    const closed = closeOf(ws);
    await own.close();
    await expect(closed).resolves.toEqual({ code: 1006, reason: '' });

    const again = new wsModule.WebSocket(own.urls.inProcess as string);
    const error = new Promise<Error>((resolve) => again.once('error', resolve));
    await expect(closeOf(again)).resolves.toEqual({ code: 1006, reason: '' });
    expect((await error).message).toMatch(/ECONNREFUSED/);
  });

  it('an iii-sdk worker whose engine stopped retries, refused like a closed port', async () => {
    const own = await startTestEngine({ inProcessWorker: true });
    const errors = recordSdkConnectionErrors();
    try {
      const client = connectWorker(own.urls.inProcess as string, { workerName: 'orphan' });
      await waitForFunctions(client, []);
      await own.close();
      await waitFor(() => errors.mock.calls.some((call) => String(call[1] ?? '').includes('ECONNREFUSED')), { timeoutMs: 3_000 });
      await client.shutdown();
    } finally {
      errors.mockRestore();
    }
  });
});

describe('in-process worker address on an RBAC listener', () => {
  let engine: EngineHandle;
  let main: IIIClient;
  const authCalls: Array<{ headers: Record<string, string>; ip_address: string }> = [];

  beforeAll(async () => {
    // The first listener (the one with the in-process address) runs an auth function that a
    // worker on the second, open listener provides.
    engine = await startTestEngine({
      inProcessWorker: true,
      config: {
        workers: [
          { name: 'iii-worker-manager', config: { rbac: { auth_function_id: 'auth::check', expose_functions: ['match("engine::*")'] } } },
          { name: 'iii-worker-manager', config: {} },
        ],
      },
    });
    main = connectWorker(engine.urls.workers[1] as string, { workerName: 'auth-provider' });
    main.registerFunction('auth::check', async (input: { headers: Record<string, string>; ip_address: string }) => {
      authCalls.push(input);
      if (input.headers['x-test-token'] !== 'let-me-in') throw new Error('invalid token');
      return { context: { user: 'ada' } };
    });
    await waitForFunctions(main, ['auth::check']);
  });

  afterAll(async () => {
    await main.shutdown();
    await engine.close();
  });

  it('runs the auth function on the handshake headers, then serves the session it grants', async () => {
    const client = connectWorker(engine.urls.inProcess as string, {
      workerName: 'rbac-in-process',
      headers: { 'x-test-token': 'let-me-in' },
    });
    try {
      await waitForFunctions(client, []);
      expect(authCalls.at(-1)).toEqual(expect.objectContaining({ headers: expect.objectContaining({ 'x-test-token': 'let-me-in' }) }));
    } finally {
      await client.shutdown();
    }
  });

  it('refuses with an AUTH_ERROR frame and a close without status when the auth function refuses', async () => {
    const ws = new wsModule.WebSocket(engine.urls.inProcess as string, { headers: { 'x-test-token': 'guess' } });
    const frames: unknown[] = [];
    ws.on('message', (data) => frames.push(JSON.parse(String(data))));
    await expect(closeOf(ws)).resolves.toEqual({ code: 1005, reason: '' });
    expect(frames).toEqual([{ type: 'error', error: expect.objectContaining({ code: 'AUTH_ERROR' }) }]);
  });
});

describe('ws after installInProcessTransport', () => {
  let server: WebSocketServer;
  let url: string;

  beforeAll(async () => {
    server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    server.on('connection', (socket) => socket.on('message', (data) => socket.send(`echo:${String(data)}`)));
    await once(server, 'listening');
    url = `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    for (const client of server.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
  });

  it('constructs every other address as the real ws WebSocket, over a real socket', async () => {
    installInProcessTransport(wsModule); // idempotent
    let socket: InstanceType<typeof OriginalWebSocket> | undefined;
    const ports = await clientSocketsDuring(async () => {
      socket = new wsModule.WebSocket(url);
      await once(socket, 'open');
    });
    const ws = socket as InstanceType<typeof OriginalWebSocket>;
    expect(Object.getPrototypeOf(ws)).toBe(OriginalWebSocket.prototype);
    expect(ws).toBeInstanceOf(wsModule.WebSocket);
    expect(wsModule.WebSocket.OPEN).toBe(1);
    expect(ports).toEqual([portOf(url)]);
    ws.send('hi');
    const [reply] = (await once(ws, 'message')) as [Buffer];
    expect(reply.toString()).toBe('echo:hi');
    ws.close(1000);
    await once(ws, 'close');
  });

  it('keeps subclasses of it working', async () => {
    class Tagged extends wsModule.WebSocket {
      readonly tag = 'mine';
    }
    const ws = new Tagged(url);
    await once(ws, 'open');
    expect(ws).toBeInstanceOf(Tagged);
    expect(ws.tag).toBe('mine');
    ws.terminate();
  });

  it('leaves an iii-sdk worker on a ws:// URL on its TCP connection', async () => {
    const engine = await startTestEngine({ inProcessWorker: true });
    let client: IIIClient | undefined;
    try {
      const ports = await clientSocketsDuring(async () => {
        client = connectWorker(engine.urls.worker, { workerName: 'tcp-worker' });
        client.registerFunction('tcp::ping', async () => 'pong');
        await waitForFunctions(client, ['tcp::ping']);
        await expect(client.trigger({ function_id: 'tcp::ping', payload: {} })).resolves.toBe('pong');
      });
      expect(ports).toEqual([portOf(engine.urls.worker)]);
      const listed = await (client as IIIClient).trigger<unknown, { workers: Array<{ ip_address: string | null }> }>({
        function_id: 'engine::workers::list',
        payload: { search: 'tcp-worker' },
      });
      expect(listed.workers).toEqual([expect.objectContaining({ ip_address: '127.0.0.1' })]);
    } finally {
      await client?.shutdown();
      await engine.close();
    }
  });
});
