/** The engine.md §9.3 race on a real HTTP server: the test plays the function (result) and the response writer (channel). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Channel } from '../../../../../src/engine/workers/channels/channel';
import { streamResponse, type StreamOutcome } from '../../../../../src/engine/workers/channels/response-stream';

interface Deferred {
  promise: Promise<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

function deferred(): Deferred {
  let resolve!: (value: unknown) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<unknown>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const text = (value: unknown): { kind: 'text'; text: string } => ({
  kind: 'text',
  text: typeof value === 'string' ? value : JSON.stringify(value),
});
const bin = (value: string): { kind: 'binary'; data: Buffer } => ({ kind: 'binary', data: Buffer.from(value) });

describe('streamResponse', () => {
  let server: Server;
  let url: string;
  let channel: Channel;
  let result: Deferred;
  let outcome: Promise<StreamOutcome>;
  /** Resolves once the request reached the handler. */
  let arrived: Promise<void>;

  beforeEach(async () => {
    channel = new Channel({ id: 'c', key: 'k', capacity: 4 });
    channel.claimReader();
    result = deferred();
    let signal!: () => void;
    arrived = new Promise((resolve) => (signal = resolve));
    server = createServer((_req, res) => {
      outcome = streamResponse(channel, result.promise, res, { absentResultGraceMs: 30 });
      signal();
      outcome.then(
        (o) => {
          if (o.kind === 'result') res.end(`result:${JSON.stringify(o.value ?? null)}`);
        },
        (err: Error) => res.writeHead(500).end(`failed:${err.message}`),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('resolves a buffered result that comes before any binary item', async () => {
    const response = fetch(url);
    await arrived;
    channel.write(text({ type: 'set_status', status_code: 418 }));
    result.resolve({ status_code: 201 });

    expect(await (await response).text()).toBe('result:{"status_code":201}');
    expect(await outcome).toEqual({ kind: 'result', value: { status_code: 201 } });
  });

  it('prefers a binary item already queued when the result arrives (biased towards the channel)', async () => {
    const response = fetch(url);
    await arrived;
    channel.claimWriter();
    channel.setReaderWake(null); // hold the item back until the result lands
    channel.write(bin('streamed'));
    result.resolve({ status_code: 200, body: 'ignored' });
    channel.endWrite();

    expect(await (await response).text()).toBe('streamed');
  });

  it('applies set_status and set_headers in order, then streams binary until the writer closes', async () => {
    const response = fetch(url);
    await arrived;
    channel.claimWriter();
    channel.write(text({ type: 'set_status', status_code: 206 }));
    channel.write(text({ type: 'set_headers', headers: { 'Content-Type': 'text/plain', 'x-a': '1' } }));
    channel.write(text({ type: 'set_headers', headers: { 'x-a': '2' } }));
    channel.write(bin('one,'));
    channel.write(text('ignored after the body started'));
    channel.write(bin('two'));
    result.resolve(undefined);
    channel.endWrite();

    const res = await response;
    expect([res.status, res.headers.get('content-type'), res.headers.get('x-a'), await res.text()]).toEqual([
      206,
      'text/plain',
      '2',
      'one,two',
    ]);
    expect(await outcome).toEqual({ kind: 'streamed' });
  });

  it('ignores malformed control messages, bad statuses, unsafe headers and framing headers', async () => {
    const response = fetch(url);
    await arrived;
    channel.claimWriter();
    for (const item of [
      'not json',
      '[1]',
      JSON.stringify({ type: 'set_status', status_code: 99 }),
      JSON.stringify({ type: 'set_status', status_code: '201' }),
    ]) {
      channel.write(text(item));
    }
    channel.write(text({ type: 'set_headers', headers: { 'x-bad': 'a\r\nb', 'content-length': '999', 'x-num': 5, 'x-ok': 'y' } }));
    result.resolve(null);
    channel.endWrite();

    const res = await response;
    expect([res.status, res.headers.get('x-bad'), res.headers.get('x-num'), res.headers.get('x-ok'), await res.text()]).toEqual([
      200,
      null,
      null,
      'y',
      '',
    ]);
  });

  it('answers the collected status and headers with an empty body when the writer closes without binary after an absent result', async () => {
    const response = fetch(url);
    await arrived;
    channel.claimWriter();
    channel.write(text({ type: 'set_status', status_code: 202 }));
    result.resolve(undefined);
    channel.endWrite();

    const res = await response;
    expect([res.status, res.headers.get('content-length'), await res.text()]).toEqual([202, '0', '']);
  });

  it('waits for the result when the writer closes first without binary', async () => {
    const response = fetch(url);
    await arrived;
    channel.claimWriter();
    channel.endWrite();
    result.resolve({ done: true });

    expect(await (await response).text()).toBe('result:{"done":true}');
  });

  it('gives up waiting after the grace period when an absent result came and no writer ever connected', async () => {
    const response = fetch(url);
    await arrived;
    result.resolve(undefined);

    expect(await (await response).text()).toBe('result:null');
  });

  it('keeps waiting past the grace period while a writer is connected', async () => {
    const response = fetch(url);
    await arrived;
    channel.claimWriter();
    result.resolve(undefined);
    await new Promise((resolve) => setTimeout(resolve, 60));
    channel.write(bin('late'));
    channel.endWrite();

    expect(await (await response).text()).toBe('late');
  });

  it('rejects with the function failure before any binary item', async () => {
    const response = fetch(url);
    await arrived;
    result.reject(new Error('boom'));

    const res = await response;
    expect([res.status, await res.text()]).toEqual([500, 'failed:boom']);
  });

  it('finishes the stream when the function fails after streaming began', async () => {
    const response = fetch(url);
    await arrived;
    channel.claimWriter();
    channel.write(bin('partial'));
    await new Promise((resolve) => setImmediate(resolve));
    result.reject(new Error('late failure'));
    channel.write(bin('+rest'));
    channel.endWrite();

    expect(await (await response).text()).toBe('partial+rest');
  });
});
