/**
 * Data channels (engine.md §10, §6.10) through real iii-sdk workers and raw WebSockets against the
 * embedded engine: refs passed in payloads between two workers, binary streaming, text messages
 * both ways, readAll over chunked writes, and the endpoint's refusals.
 */
import type { IIIClient } from 'iii-sdk';
import type { ChannelReader, ChannelWriter } from 'iii-sdk/channel';
import { createChannel } from 'iii-sdk/helpers';
import WebSocket from 'ws';
import { TestHarness, waitForFunctions } from '../support/engine';

interface Ref {
  channel_id: string;
  access_key: string;
  direction: 'read' | 'write';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface Frame {
  binary: boolean;
  data: Buffer;
}

/** A raw channel socket that records frames from the first byte (items may arrive with the upgrade). */
interface RawChannel {
  ws: WebSocket;
  frames: Frame[];
  /** Resolves with every frame once the socket closed. */
  ended: Promise<Frame[]>;
}

/** Opens a raw channel socket; resolves once open, or rejects with the refused status and body. */
function openChannel(base: string, ref: Ref, dir: 'read' | 'write' = ref.direction): Promise<RawChannel> {
  const ws = new WebSocket(`${base}/ws/channels/${ref.channel_id}?key=${encodeURIComponent(ref.access_key)}&dir=${dir}`);
  const frames: Frame[] = [];
  ws.on('message', (data: Buffer, binary: boolean) => frames.push({ binary, data }));
  const ended = new Promise<Frame[]>((resolve) => ws.once('close', () => resolve(frames)));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, frames, ended }));
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body })));
    });
    ws.once('error', reject);
  });
}

function closed(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => (ws.readyState === WebSocket.CLOSED ? resolve() : ws.once('close', () => resolve())));
}

describe('data channels', () => {
  let h: TestHarness;
  let alice: IIIClient;
  let bob: IIIClient;
  let base: string;

  beforeAll(async () => {
    h = await TestHarness.start();
    alice = h.worker('alice');
    bob = h.worker('bob');
    base = h.urls.worker;
  });

  afterAll(async () => {
    await h.close();
  });

  async function createRefs(payload: Record<string, unknown> = {}): Promise<{ writer: Ref; reader: Ref }> {
    return alice.trigger<Record<string, unknown>, { writer: Ref; reader: Ref }>({ function_id: 'engine::channels::create', payload });
  }

  it('creates a channel pair sharing one id and key, one ref per direction', async () => {
    const { writer, reader } = await createRefs();
    expect(writer.channel_id).toMatch(UUID);
    expect(writer.access_key).toMatch(UUID);
    expect(reader).toEqual({ channel_id: writer.channel_id, access_key: writer.access_key, direction: 'read' });
    expect(writer.direction).toBe('write');
  });

  it('refuses a wrongly typed buffer_size with deserialization_error', async () => {
    await expect(createRefs({ buffer_size: 'big' })).rejects.toMatchObject({ code: 'deserialization_error' });
  });

  it('streams binary data from a writer in one worker to a reader ref handed to another worker', async () => {
    bob.registerFunction('chan::sum', async (input: { label: string; reader: ChannelReader }) => {
      const chunks: Buffer[] = [];
      for await (const chunk of input.reader.stream) chunks.push(chunk as Buffer);
      const values = JSON.parse(Buffer.concat(chunks).toString('utf8')) as number[];
      return { label: input.label, sum: values.reduce((a, b) => a + b, 0) };
    });
    alice.registerFunction('chan::send', async (input: { values: number[] }) => {
      const channel = await createChannel(alice);
      const written = new Promise<void>((resolve, reject) =>
        channel.writer.stream.end(Buffer.from(JSON.stringify(input.values)), (err?: Error | null) => (err ? reject(err) : resolve())),
      );
      const result = await alice.trigger({ function_id: 'chan::sum', payload: { label: 'batch', reader: channel.readerRef } });
      await written;
      return result;
    });
    await waitForFunctions(alice, ['chan::sum', 'chan::send']);

    const result = await alice.trigger({ function_id: 'chan::send', payload: { values: [72, 2048, 340, 95, 12] } });

    expect(result).toEqual({ label: 'batch', sum: 2567 });
  });

  it('carries text messages and binary both ways between two functions', async () => {
    bob.registerFunction('chan::words', async (input: { reader: ChannelReader; writer: ChannelWriter }) => {
      const chunks: Buffer[] = [];
      for await (const chunk of input.reader.stream) {
        chunks.push(chunk as Buffer);
        input.writer.sendMessage(JSON.stringify({ type: 'progress', chunks: chunks.length }));
      }
      const words = Buffer.concat(chunks).toString('utf8').split(/\s+/).filter(Boolean);
      input.writer.sendMessage(JSON.stringify({ type: 'complete', words: words.length }));
      input.writer.stream.end(Buffer.from(JSON.stringify(words.slice(0, 3))));
      return { status: 'done' };
    });
    alice.registerFunction('chan::coordinate', async (input: { text: string }) => {
      const inbound = await createChannel(alice);
      const outbound = await createChannel(alice);
      const messages: Array<{ type: string; words?: number }> = [];
      outbound.reader.onMessage((msg) => messages.push(JSON.parse(msg) as { type: string }));
      const text = Buffer.from(input.text);
      for (let offset = 0; offset < text.length; offset += 10) inbound.writer.stream.write(text.subarray(offset, offset + 10));
      inbound.writer.stream.end();
      const call = alice.trigger({ function_id: 'chan::words', payload: { reader: inbound.readerRef, writer: outbound.writerRef } });
      const result: Buffer[] = [];
      for await (const chunk of outbound.reader.stream) result.push(chunk as Buffer);
      return { messages, first: JSON.parse(Buffer.concat(result).toString('utf8')) as string[], worker: await call };
    });
    await waitForFunctions(alice, ['chan::words', 'chan::coordinate']);

    const text = 'The quick brown fox jumps over the lazy dog and runs around the park';
    const result = await alice.trigger<unknown, { messages: Array<{ type: string; words?: number }>; first: string[]; worker: unknown }>({
      function_id: 'chan::coordinate',
      payload: { text },
    });

    expect(result.messages.filter((m) => m.type === 'progress').length).toBeGreaterThan(0);
    expect(result.messages.at(-1)).toEqual({ type: 'complete', words: text.split(' ').length });
    expect(result.first).toEqual(['The', 'quick', 'brown']);
    expect(result.worker).toEqual({ status: 'done' });
  });

  it('reads every byte of many small chunked writes with readAll', async () => {
    bob.registerFunction('chan::read-all', async (input: { reader: ChannelReader }) => {
      const data = await input.reader.readAll();
      return { text: data.toString('utf8'), size: data.length };
    });
    await waitForFunctions(alice, ['chan::read-all']);
    const channel = await createChannel(alice, 2);
    const text = Array.from({ length: 200 }, (_, i) => `n${i}`).join(',');
    const bytes = Buffer.from(text);
    const call = alice.trigger<unknown, { text: string; size: number }>({
      function_id: 'chan::read-all',
      payload: { reader: channel.readerRef },
    });
    const chunks = Array.from({ length: Math.ceil(bytes.length / 8) }, (_, i) => bytes.subarray(i * 8, i * 8 + 8));
    const last = chunks.pop()!;
    await new Promise<void>((resolve, reject) => {
      const next = (): void => {
        for (let chunk = chunks.shift(); chunk !== undefined; chunk = chunks.shift()) {
          if (!channel.writer.stream.write(chunk)) {
            channel.writer.stream.once('drain', next);
            return;
          }
        }
        channel.writer.stream.end(last, (err?: Error | null) => (err ? reject(err) : resolve()));
      };
      next();
    });

    expect(await call).toEqual({ text, size: bytes.length });
  });

  describe('endpoint', () => {
    it('answers 404 "Channel not found" for an unknown channel id', async () => {
      const { reader } = await createRefs();
      await expect(openChannel(base, { ...reader, channel_id: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({
        status: 404,
        body: 'Channel not found',
      });
    });

    it('answers 404 for the right id with a wrong key', async () => {
      const { reader } = await createRefs();
      await expect(openChannel(base, { ...reader, access_key: 'nope' })).rejects.toMatchObject({ status: 404 });
    });

    it('answers 400 when the direction is missing or unknown', async () => {
      const { reader } = await createRefs();
      await expect(openChannel(base, reader, 'sideways' as 'read')).rejects.toMatchObject({ status: 400 });
    });

    it('buffers items written before the reader connects, in order, then closes at end-of-stream', async () => {
      const { writer, reader } = await createRefs();
      const w = (await openChannel(base, writer)).ws;
      w.send('hello');
      w.send(Buffer.from([1, 2, 3]));
      w.close();
      await closed(w);
      const r = await openChannel(base, reader);

      const frames = await r.ended;

      expect(frames.map((f) => [f.binary, f.binary ? [...f.data] : f.data.toString()])).toEqual([
        [false, 'hello'],
        [true, [1, 2, 3]],
      ]);
    });

    it('closes a second reader and a second writer at once', async () => {
      const { writer, reader } = await createRefs();
      const first = (await openChannel(base, reader)).ws;
      const firstWriter = (await openChannel(base, writer)).ws;
      const second = (await openChannel(base, reader)).ws;
      const secondWriter = (await openChannel(base, writer)).ws;

      await Promise.all([closed(second), closed(secondWriter)]);

      expect(first.readyState).toBe(WebSocket.OPEN);
      expect(firstWriter.readyState).toBe(WebSocket.OPEN);
      first.close();
      firstWriter.close();
      await Promise.all([closed(first), closed(firstWriter)]);
    });

    it('keeps order and loses nothing through a one-item buffer (back-pressure)', async () => {
      const { writer, reader } = await createRefs({ buffer_size: 1 });
      const w = (await openChannel(base, writer)).ws;
      for (let i = 0; i < 300; i++) w.send(Buffer.from(`#${i};`));
      w.close();
      const r = await openChannel(base, reader);

      const frames = await r.ended;

      expect(Buffer.concat(frames.map((f) => f.data)).toString()).toBe(Array.from({ length: 300 }, (_, i) => `#${i};`).join(''));
    });

    it('closes the writer when the reader goes away', async () => {
      const { writer, reader } = await createRefs();
      const w = (await openChannel(base, writer)).ws;
      const r = (await openChannel(base, reader)).ws;
      r.close();
      await closed(r);
      w.send('anyone?');

      await closed(w);

      expect(w.readyState).toBe(WebSocket.CLOSED);
    });
  });
});
