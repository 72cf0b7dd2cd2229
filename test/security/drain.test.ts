/**
 * The first step of a graceful shutdown, on the embedded engine: once draining, new HTTP requests
 * get 503 with `Retry-After` in the framework's error shape (never a 404 from routes about to go)
 * and new stream connections 503 with `Retry-After`, while a request already in flight is answered
 * normally and a connected stream client keeps receiving; `drain()` resolves once it is answered.
 */
import WebSocket from 'ws';
import { connectWorker, startTestEngine, waitFor, waitForTrigger, type EngineHandle, type IIIClient } from '../integration/support/engine';

/** The status and headers a WebSocket upgrade was refused with. */
function upgradeRefusal(url: string): Promise<{ status: number; retryAfter: string | undefined }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('unexpected-response', (_req, res) => {
      resolve({ status: res.statusCode ?? 0, retryAfter: res.headers['retry-after'] as string | undefined });
      socket.terminate();
    });
    socket.once('open', () => reject(new Error('the upgrade was accepted')));
    socket.once('error', () => undefined);
  });
}

describe('draining the embedded engine', () => {
  let engine: EngineHandle;
  let worker: IIIClient;
  let release: () => void = () => undefined;
  let entered = false;

  beforeAll(async () => {
    engine = await startTestEngine();
    worker = connectWorker(engine.urls.worker);
    worker.registerFunction('slow::echo', async () => {
      entered = true;
      await new Promise<void>((resolve) => (release = resolve));
      return { status_code: 200, body: { done: true } };
    });
    worker.registerTrigger({ type: 'http', function_id: 'slow::echo', config: { api_path: 'slow', http_method: 'GET' } });
    await waitForTrigger(worker, 'slow::echo');
  });
  afterAll(async () => {
    release();
    await worker.shutdown();
    await engine.close();
  });

  it('answers new requests and connections 503 with Retry-After while the request in flight completes', async () => {
    const http = (engine.urls.http ?? '').replace(/\/$/, '');
    const stream = engine.urls.stream ?? '';
    const connected = new WebSocket(stream);
    await new Promise((resolve) => connected.once('open', resolve));
    const inFlight = fetch(`${http}/slow`);
    await waitFor(() => entered);

    let drained = false;
    const draining = engine.drain(10_000).then((done) => ((drained = true), done));
    const refused = await fetch(`${http}/slow`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'Shutting down; retry shortly' });
    const unknown = await fetch(`${http}/no-such-route`);
    expect(unknown.status).toBe(503);
    expect(await upgradeRefusal(stream)).toEqual({ status: 503, retryAfter: '1' });
    expect(connected.readyState).toBe(WebSocket.OPEN);
    expect(drained).toBe(false);

    release();
    const answered = await inFlight;
    expect(answered.status).toBe(200);
    expect(await answered.json()).toEqual({ done: true });
    await expect(draining).resolves.toBe(true);
    connected.terminate();
  });
});
