/**
 * The in-process socket pair: what one end sends reaches the other like over a WebSocket — in
 * order, in a later macrotask (never inside the sender's stack), with `ws`'s closing handshake,
 * close codes both ways, 1006 on terminate, automatic pongs and `bufferedAmount`.
 */
import { once } from 'node:events';
import { InProcessSocket } from '../../../src/engine/worker-manager/in-process-socket';

/** A connected pair: `worker` (connecting, then open) and `engine` (the accepting end). */
async function openPair(): Promise<{ worker: InProcessSocket; engine: InProcessSocket }> {
  const worker = new InProcessSocket('iii+inproc://test/');
  const engine = new InProcessSocket('iii+inproc://test/', { open: true });
  worker.connectTo(engine);
  expect(worker.readyState).toBe(InProcessSocket.CONNECTING);
  await once(worker, 'open');
  expect(worker.readyState).toBe(InProcessSocket.OPEN);
  return { worker, engine };
}

/** The socket's `close` event (not `events.once`, which an `error` event would reject). */
function closeOf(socket: InProcessSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => socket.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })));
}

function messages(socket: InProcessSocket): Array<{ data: unknown; isBinary: boolean }> {
  const seen: Array<{ data: unknown; isBinary: boolean }> = [];
  socket.on('message', (data: unknown, isBinary: boolean) => seen.push({ data, isBinary }));
  return seen;
}

describe('InProcessSocket', () => {
  it('delivers text frames as the same strings, in order, after the sender has returned', async () => {
    const { worker, engine } = await openPair();
    const received = messages(engine);
    for (let i = 0; i < 100; i++) worker.send(JSON.stringify({ type: 'ping', n: i }));
    expect(received).toEqual([]); // not in the sender's stack
    await new Promise((resolve) => setImmediate(resolve));
    expect(received.map((m) => (JSON.parse(m.data as string) as { n: number }).n)).toEqual([...Array(100).keys()]);
    expect(received.every((m) => typeof m.data === 'string' && !m.isBinary)).toBe(true);
  });

  it('does not deliver inside a message listener that answers (no re-entrancy)', async () => {
    const { worker, engine } = await openPair();
    const order: string[] = [];
    engine.on('message', (data: string) => {
      order.push(`engine got ${data}`);
      engine.send(`re:${data}`);
      order.push(`engine sent re:${data}`);
    });
    worker.on('message', (data: string) => order.push(`worker got ${data}`));
    worker.send('a');
    worker.send('b');
    await once(worker, 'message');
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['engine got a', 'engine sent re:a', 'engine got b', 'engine sent re:b', 'worker got re:a', 'worker got re:b']);
  });

  it('copies binary data and flags it binary', async () => {
    const { worker, engine } = await openPair();
    const received = messages(engine);
    const bytes = Buffer.from([1, 2, 3]);
    worker.send(bytes);
    bytes[0] = 9;
    await once(engine, 'message');
    expect(received).toEqual([{ data: Buffer.from([1, 2, 3]), isBinary: true }]);
  });

  it('counts what the other end has not received yet in bufferedAmount, and calls send callbacks once delivered', async () => {
    const { worker, engine } = await openPair();
    const delivered: Array<Error | undefined> = [];
    worker.send('héllo', (error) => delivered.push(error));
    worker.send('{}');
    expect(worker.bufferedAmount).toBe(Buffer.byteLength('héllo') + 2);
    expect(delivered).toEqual([]);
    await once(engine, 'message');
    await new Promise((resolve) => setImmediate(resolve));
    expect(worker.bufferedAmount).toBe(0);
    expect(delivered).toEqual([undefined]);
  });

  it('holds delivery while paused', async () => {
    const { worker, engine } = await openPair();
    const received = messages(engine);
    engine.pause();
    worker.send('held');
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(received).toEqual([]);
    expect(engine.isPaused).toBe(true);
    engine.resume();
    await once(engine, 'message');
    expect(received.map((m) => m.data)).toEqual(['held']);
  });

  it('answers pings by itself and tells both sides', async () => {
    const { worker, engine } = await openPair();
    const pinged = once(engine, 'ping');
    worker.ping();
    await pinged;
    await once(worker, 'pong');
  });

  it('closes with the closing handshake: the code and reason reach both ends after the frames sent before', async () => {
    const { worker, engine } = await openPair();
    const received = messages(engine);
    const engineClosed = closeOf(engine);
    const workerClosed = closeOf(worker);
    worker.send('last words');
    worker.close(4001, 'done');
    expect(worker.readyState).toBe(InProcessSocket.CLOSING);
    expect(await engineClosed).toEqual({ code: 4001, reason: 'done' });
    expect(received.map((m) => m.data)).toEqual(['last words']);
    expect(await workerClosed).toEqual({ code: 4001, reason: 'done' });
    expect([worker.readyState, engine.readyState]).toEqual([InProcessSocket.CLOSED, InProcessSocket.CLOSED]);
  });

  it('propagates a close from the accepting end, and 1005 for a close without status', async () => {
    const first = await openPair();
    const refused = closeOf(first.worker);
    first.engine.close(1008, 'invalid worker token');
    expect(await refused).toEqual({ code: 1008, reason: 'invalid worker token' });

    const second = await openPair();
    const bare = closeOf(second.engine);
    second.worker.close();
    expect(await bare).toEqual({ code: 1005, reason: '' });
  });

  it('refuses a close code ws would refuse', async () => {
    const { worker } = await openPair();
    expect(() => worker.close(1006)).toThrow(TypeError);
    expect(worker.readyState).toBe(InProcessSocket.OPEN);
  });

  it('ends both sides with 1006 on terminate; later sends fail through their callback', async () => {
    const { worker, engine } = await openPair();
    const engineClosed = closeOf(engine);
    const workerClosed = closeOf(worker);
    engine.terminate();
    expect(await workerClosed).toEqual({ code: 1006, reason: '' });
    expect(await engineClosed).toEqual({ code: 1006, reason: '' });
    const failed = await new Promise<Error | undefined>((resolve) => worker.send('late', resolve));
    expect(failed?.message).toMatch(/not open/);
  });

  it('throws on a send before the connection opened, like ws', () => {
    const worker = new InProcessSocket('iii+inproc://test/');
    expect(() => worker.send('early')).toThrow(/CONNECTING/);
  });

  it('aborted while connecting: error, then close 1006 on the worker; the accepting end sees it gone', async () => {
    const worker = new InProcessSocket('iii+inproc://test/');
    const errors: Error[] = [];
    worker.on('error', (error: Error) => errors.push(error));
    const workerClosed = closeOf(worker);
    worker.close();
    const engine = new InProcessSocket('iii+inproc://test/', { open: true });
    const engineClosed = closeOf(engine);
    worker.connectTo(engine);
    expect(await workerClosed).toEqual({ code: 1006, reason: '' });
    expect(errors.map((e) => e.message)).toEqual(['WebSocket was closed before the connection was established']);
    expect(await engineClosed).toEqual({ code: 1006, reason: '' });
  });

  it('fails an opening not answered within the handshake timeout, like ws', async () => {
    const worker = new InProcessSocket('iii+inproc://test/', { handshakeTimeoutMs: 20 });
    const error = new Promise<Error>((resolve) => worker.once('error', resolve));
    expect(await closeOf(worker)).toEqual({ code: 1006, reason: '' });
    expect((await error).message).toBe('Opening handshake has timed out');
  });

  it('closed after being accepted but before its open event: both ends end with 1006', async () => {
    const worker = new InProcessSocket('iii+inproc://test/');
    worker.on('error', () => undefined);
    const engine = new InProcessSocket('iii+inproc://test/', { open: true });
    worker.connectTo(engine);
    const opened = jest.fn();
    worker.on('open', opened);
    const engineClosed = closeOf(engine);
    const workerClosed = closeOf(worker);
    worker.close();
    expect(await engineClosed).toEqual({ code: 1006, reason: '' });
    expect(await workerClosed).toEqual({ code: 1006, reason: '' });
    expect(opened).not.toHaveBeenCalled();
  });
});
