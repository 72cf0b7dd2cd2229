/** Body limit, concurrency limit, hostile bodies and listener lifecycle of the iii-http worker. */
import { request as httpRequest, Agent } from 'node:http';
import { Socket, connect } from 'node:net';
import { deferred, waitFor } from '../../../../support/wait';
import { startHttp, type HttpHarness } from './support/http-harness';

describe('iii-http limits and lifecycle', () => {
  let http: HttpHarness;
  afterEach(async () => {
    jest.restoreAllMocks();
    await http.close();
  });

  it('refuses a declared body over body_limit with 413 and does not dispatch', async () => {
    http = await startHttp({ body_limit: 1000 });
    http.ctx.handle('f', () => ({}));
    await http.route({ api_path: 'up', http_method: 'POST' }, 'f');
    const res = await fetch(`${http.url}/up`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(1001) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      message: 'Request body exceeds the limit of 1000 bytes',
    });
    expect(http.ctx.invocations).toHaveLength(0);
  });

  it('refuses a chunked body that crosses body_limit with 413', async () => {
    http = await startHttp({ body_limit: 1000 });
    http.ctx.handle('f', () => ({}));
    await http.route({ api_path: 'up', http_method: 'POST' }, 'f');
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${http.url}/up`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('x'.repeat(600));
      req.write('x'.repeat(600));
      // The server may answer before the upload ends; ending is best-effort.
      req.end();
    });
    expect(status).toBe(413);
    expect(http.ctx.invocations).toHaveLength(0);
  });

  it('accepts a body of exactly body_limit bytes', async () => {
    http = await startHttp({ body_limit: 20 });
    http.ctx.handle('f', (data) => ({ body: (data as { body: unknown }).body }));
    await http.route({ api_path: 'up', http_method: 'POST' }, 'f');
    const body = JSON.stringify({ k: 'x'.repeat(12) });
    expect(body.length).toBe(20);
    const res = await fetch(`${http.url}/up`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(await res.json()).toEqual({ k: 'x'.repeat(12) });
  });

  it('survives deeply nested JSON: the body becomes null and the request is served', async () => {
    http = await startHttp({ body_limit: 4 * 1024 * 1024 });
    http.ctx.handle('f', (data) => ({ body: { bodyWasNull: (data as { body: unknown }).body === null } }));
    await http.route({ api_path: 'deep', http_method: 'POST' }, 'f');
    const res = await fetch(`${http.url}/deep`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '['.repeat(1_000_000) + ']'.repeat(1_000_000),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ bodyWasNull: true });
  });

  it('drops a request whose client aborts mid-body without dispatching it', async () => {
    http = await startHttp();
    http.ctx.handle('f', () => ({}));
    await http.route({ api_path: 'up', http_method: 'POST' }, 'f');
    const req = httpRequest(`${http.url}/up`, { method: 'POST', headers: { 'content-length': '100' } });
    req.on('error', () => undefined);
    req.write('partial');
    await waitFor(() => http.worker.activeRequests === 1);
    req.destroy();
    await waitFor(() => http.worker.activeRequests === 0);
    expect(http.ctx.invocations).toHaveLength(0);
  });

  it('keeps __proto__ in headers, query and body as plain data', async () => {
    http = await startHttp();
    http.ctx.handle('f', () => ({}));
    await http.route({ api_path: 'p', http_method: 'POST' }, 'f');
    // A raw socket, because fetch silently drops a header named __proto__.
    const body = '{"__proto__":{"polluted":true}}';
    const { port } = new URL(http.url);
    const head = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.end(
          `POST /p?__proto__=q HTTP/1.1\r\nHost: x\r\n__proto__: h\r\ncontent-type: application/json\r\n` +
            `content-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
        );
      });
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString()));
      socket.on('end', () => resolve(received));
      socket.on('error', reject);
    });
    const status = Number(head.split(' ')[1]);
    expect(status).toBe(200);
    const payload = http.ctx.invocations[0].data as { headers: object; query_params: object; body: object };
    expect(Object.getOwnPropertyDescriptor(payload.headers, '__proto__')?.value).toBe('h');
    expect(Object.getOwnPropertyDescriptor(payload.query_params, '__proto__')?.value).toBe('q');
    expect(Object.keys(payload.body)).toEqual(['__proto__']);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('answers 503 beyond concurrency_request_limit and serves again once a slot frees', async () => {
    http = await startHttp({ concurrency_request_limit: 1 });
    const release = deferred<unknown>();
    http.ctx.handle('slow', () => release.promise);
    await http.route({ api_path: 'slow' }, 'slow');
    const first = fetch(`${http.url}/slow`);
    await waitFor(() => http.ctx.invocations.length === 1);
    const second = await fetch(`${http.url}/slow`);
    expect(second.status).toBe(503);
    await second.text();
    release.resolve({ body: 'done' });
    expect((await first).status).toBe(200);
    await (await first).text();
    await waitFor(() => http.worker.activeRequests === 0);
    const third = await fetch(`${http.url}/slow`);
    expect(third.status).toBe(200);
  });

  it('turns Nagle off on every accepted socket', async () => {
    const spy = jest.spyOn(Socket.prototype, 'setNoDelay');
    http = await startHttp();
    await (await fetch(`${http.url}/x`)).text();
    const port = Number(new URL(http.url).port);
    // Only the server's side counts (the client library disables Nagle on its own sockets too).
    const serverSide = spy.mock.contexts.filter((socket, i) => (socket as Socket).localPort === port && spy.mock.calls[i][0] === true);
    expect(serverSide.length).toBeGreaterThan(0);
  });

  it('keeps connections alive between requests', async () => {
    http = await startHttp();
    http.ctx.handle('f', () => ({}));
    await http.route({ api_path: 'k' }, 'f');
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const ports: number[] = [];
    const get = (): Promise<void> =>
      new Promise((resolve, reject) => {
        const req = httpRequest(`${http.url}/k`, { agent }, (res) => {
          ports.push(res.socket.localPort ?? -1);
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end();
      });
    await get();
    await get();
    agent.destroy();
    expect(ports[0]).toBe(ports[1]);
  });

  it('closes idle keep-alive and in-flight connections on stop', async () => {
    http = await startHttp();
    const never = deferred<unknown>();
    http.ctx.handle('hang', () => never.promise);
    await http.route({ api_path: 'hang' }, 'hang');
    const agent = new Agent({ keepAlive: true });
    const idleSocket = await new Promise<Socket>((resolve, reject) => {
      const req = httpRequest(`${http.url}/nothing`, { agent }, (res) => {
        const socket = res.socket;
        res.resume();
        res.on('end', () => resolve(socket));
      });
      req.on('error', reject);
      req.end();
    });
    const idleSocketClosed = new Promise<void>((resolve) => {
      if (idleSocket.destroyed) resolve();
      else idleSocket.once('close', () => resolve());
    });
    const inFlight = fetch(`${http.url}/hang`).then(
      () => 'answered',
      () => 'failed',
    );
    await waitFor(() => http.ctx.invocations.length === 1);
    await http.close();
    await idleSocketClosed;
    expect(await inFlight).toBe('failed');
    agent.destroy();
  });

  it('stops idempotently', async () => {
    http = await startHttp();
    await Promise.all([http.close(), http.close()]);
    await http.close();
  });

  it('fails to start when the port is taken', async () => {
    http = await startHttp();
    const port = Number(new URL(http.url).port);
    await expect(startHttp({ port })).rejects.toThrow(/EADDRINUSE/);
  });
});
