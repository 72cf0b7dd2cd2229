/**
 * The local worker socket (`startEngine({ localSocket: true })`, what the framework's own worker
 * uses): the same listener as the TCP worker port on a private unix socket. Real iii-sdk workers
 * connect to its `ws+unix:` URL, are invoked over HTTP, open data channels through it, present
 * the worker secret like everyone else, and the socket is gone once the engine stops.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { createChannel } from 'iii-sdk/helpers';
import type { ChannelReader } from 'iii-sdk/channel';
import WebSocket from 'ws';
import { connectWorker, startTestEngine, waitFor, waitForFunctions, type EngineHandle, type IIIClient } from '../support/engine';

const SECRET = 'local-socket-secret';

/** `ws+unix:<path>:/` → `<path>`. */
function socketPath(url: string): string {
  const match = /^ws\+unix:(.+):\/$/.exec(url);
  if (match === null) throw new Error(`not a ws+unix URL: ${url}`);
  return match[1] as string;
}

describe('local worker socket', () => {
  let engine: EngineHandle;
  let local: string;
  const clients: IIIClient[] = [];
  const worker = (name: string, withSecret = true): IIIClient => {
    const client = connectWorker(local, { workerName: name, ...(withSecret && { headers: { 'x-iii-worker-token': SECRET } }) });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    engine = await startTestEngine({ localSocket: true, secure: { workerToken: SECRET } });
    local = engine.urls.local as string;
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.shutdown()));
    await engine.close();
  });

  it('is a unix socket in a directory only this user can enter; the TCP URL is unchanged', () => {
    expect(local).toMatch(/^ws\+unix:/);
    expect(engine.urls.worker).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(statSync(socketPath(local)).isSocket()).toBe(true);
    expect(statSync(dirname(socketPath(local))).mode & 0o777).toBe(0o700);
  });

  it('serves the worker protocol: an HTTP route handled by a worker connected through it', async () => {
    const app = worker('local-app');
    app.registerFunction('local::hello', async (request: { path_params: { name: string } }) => ({
      status_code: 200,
      body: { hello: request.path_params.name },
    }));
    app.registerTrigger({ type: 'http', function_id: 'local::hello', config: { api_path: 'hello/:name', http_method: 'GET' } });
    const response = await waitFor(async () => {
      const res = await fetch(`${engine.urls.http as string}/hello/ada`);
      return res.status === 200 ? res : undefined;
    });
    expect(await response.json()).toEqual({ hello: 'ada' });

    const listed = await app.trigger<unknown, { workers: Array<{ name: string; ip_address: string | null }> }>({
      function_id: 'engine::workers::list',
      payload: { search: 'local-app' },
    });
    // No IP address: the worker came through the unix socket, not TCP.
    expect(listed.workers).toEqual([expect.objectContaining({ name: 'local-app', ip_address: null })]);
  });

  it('carries data channels, whose URLs iii-sdk derives from the worker URL', async () => {
    const app = worker('local-channels');
    app.registerFunction('local::sum', async (input: { reader: ChannelReader }) => {
      const chunks: Buffer[] = [];
      for await (const chunk of input.reader.stream) chunks.push(chunk as Buffer);
      return (JSON.parse(Buffer.concat(chunks).toString('utf8')) as number[]).reduce((a, b) => a + b, 0);
    });
    await waitForFunctions(app, ['local::sum']);
    const channel = await createChannel(app);
    channel.writer.stream.end(Buffer.from(JSON.stringify([40, 2, 100])));

    await expect(app.trigger({ function_id: 'local::sum', payload: { reader: channel.readerRef } })).resolves.toBe(142);
  });

  it('asks for the worker secret like the TCP port does', async () => {
    const refused = (headers?: Record<string, string>) =>
      new Promise<{ code: number; reason: string }>((resolve, reject) => {
        const ws = new WebSocket(local, headers === undefined ? {} : { headers });
        ws.once('error', reject);
        ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
      });

    await expect(refused()).resolves.toEqual({ code: 1008, reason: expect.stringContaining('worker token required') });
    await expect(refused({ 'x-iii-worker-token': 'wrong' })).resolves.toEqual({
      code: 1008,
      reason: expect.stringContaining('invalid worker token'),
    });
  });

  it('is removed with its directory when the engine stops', async () => {
    const other = await startTestEngine({ localSocket: true });
    const path = socketPath(other.urls.local as string);
    expect(existsSync(path)).toBe(true);
    await other.close();
    expect(existsSync(dirname(path))).toBe(false);
  });

  it('is not opened unless asked for', async () => {
    const other = await startTestEngine();
    try {
      expect(other.urls.local).toBeUndefined();
    } finally {
      await other.close();
    }
  });
});
