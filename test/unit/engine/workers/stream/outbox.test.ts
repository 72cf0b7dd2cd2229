import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { Outbox, textFrame, type OutboxClient } from '../../../../../src/engine/workers/stream/outbox';

/** A client that records every write the outbox makes to it. */
class RecordingClient implements OutboxClient {
  readonly writes: Buffer[] = [];
  private queued: Buffer[] = [];

  constructor(
    private readonly outbox: Outbox,
    private readonly failure?: Error,
  ) {}

  deliver(frame: Buffer): void {
    if (this.queued.length === 0) this.outbox.schedule(this);
    this.queued.push(frame);
  }

  takeFrames(): Buffer[] {
    const frames = this.queued;
    this.queued = [];
    return frames;
  }

  write(data: Buffer): void {
    if (this.failure !== undefined) throw this.failure;
    this.writes.push(data);
  }
}

/** Resolves after the microtasks queued so far (and the ones they queue) have run. */
const nextTask = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Outbox', () => {
  it('writes the frames a client got in one task as one write, in order, at the end of the task', async () => {
    const outbox = new Outbox();
    const client = new RecordingClient(outbox);
    const frames = ['a', 'b', 'c'].map((text) => textFrame(text));
    for (const frame of frames) client.deliver(frame);
    expect(client.writes).toEqual([]);
    await nextTask();
    expect(client.writes).toEqual([Buffer.concat(frames)]);
  });

  it('hands a single frame over as it is, without copying it', async () => {
    const outbox = new Outbox();
    const client = new RecordingClient(outbox);
    const frame = textFrame('only');
    client.deliver(frame);
    await nextTask();
    expect(client.writes[0]).toBe(frame);
  });

  it('shares one joined buffer between clients with the same frames, and joins different lists apart', async () => {
    const outbox = new Outbox();
    const [a, b, c] = [new RecordingClient(outbox), new RecordingClient(outbox), new RecordingClient(outbox)];
    const [one, two, three] = ['1', '2', '3'].map((text) => textFrame(text)) as [Buffer, Buffer, Buffer];
    for (const client of [a, b]) for (const frame of [one, two]) client.deliver(frame);
    c.deliver(one);
    c.deliver(three);
    await nextTask();
    expect(a.writes[0]).toBe(b.writes[0]);
    expect(c.writes).toEqual([Buffer.concat([one, three])]);
  });

  it('writes frames of a later task separately', async () => {
    const outbox = new Outbox();
    const client = new RecordingClient(outbox);
    client.deliver(textFrame('first'));
    await nextTask();
    client.deliver(textFrame('second'));
    await nextTask();
    expect(client.writes.map((w) => w.subarray(2).toString())).toEqual(['first', 'second']);
  });

  it('reports a failing client and still writes to the others', async () => {
    const errors: unknown[] = [];
    const outbox = new Outbox((err) => errors.push(err));
    const failing = new RecordingClient(outbox, new Error('socket gone'));
    const healthy = new RecordingClient(outbox);
    failing.deliver(textFrame('x'));
    healthy.deliver(textFrame('y'));
    await nextTask();
    expect(errors).toEqual([new Error('socket gone')]);
    expect(healthy.writes).toHaveLength(1);
  });
});

describe('textFrame', () => {
  let server: Server;
  let url: string;
  /** What the server writes, as raw bytes, to the next client that connects. */
  let toSend: Buffer;

  beforeAll(async () => {
    const wss = new WebSocketServer({ noServer: true });
    server = createServer();
    server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, () => socket.write(toSend)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Connects a real `ws` client and collects the text messages the raw bytes `toSend` carry. */
  async function receive(bytes: Buffer, count: number): Promise<Array<{ text: string; binary: boolean }>> {
    toSend = bytes;
    const socket = new WebSocket(url);
    const messages: Array<{ text: string; binary: boolean }> = [];
    await new Promise<void>((resolve, reject) => {
      socket.on('message', (data, isBinary) => {
        messages.push({ text: String(data), binary: isBinary });
        if (messages.length === count) resolve();
      });
      socket.once('error', reject);
      socket.once('close', (code) => reject(new Error(`closed with ${code}`)));
    });
    socket.terminate();
    return messages;
  }

  it.each([0, 1, 125, 126, 65_535, 65_536, 200_000])('frames a %i-byte text so a ws client reads it whole', async (size) => {
    const text = 'x'.repeat(size);
    expect(await receive(textFrame(text), 1)).toEqual([{ text, binary: false }]);
  });

  it('counts the payload length in UTF-8 bytes, not in characters', async () => {
    const text = `ü€😀${'é'.repeat(70)}`;
    expect(await receive(textFrame(text), 1)).toEqual([{ text, binary: false }]);
  });

  it('joined frames arrive as separate messages, in order', async () => {
    const texts = ['{"n":1}', 'y'.repeat(300), '{"n":3}'];
    const messages = await receive(Buffer.concat(texts.map((t) => textFrame(t))), texts.length);
    expect(messages.map((m) => m.text)).toEqual(texts);
  });
});
