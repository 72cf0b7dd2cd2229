/**
 * Streaming HTTP (engine.md §9.2, §9.3) through a real iii-sdk worker and the `http()` helper of
 * `@iii-dev/helpers/http`: SSE with delayed writes, a byte-exact binary download, a streamed
 * upload read from `request_body`, raw JSON next to the parsed `body`, and the control messages.
 */
import { randomBytes } from 'node:crypto';
import { http } from '@iii-dev/helpers/http';
import type { IIIClient } from 'iii-sdk';
import type { ChannelReader, ChannelWriter } from 'iii-sdk/channel';
import { TestHarness, waitForTrigger } from '../support/engine';

interface StreamedRequest {
  body: unknown;
  headers: Record<string, string>;
  request_body: ChannelReader;
}

interface StreamResponse {
  status(code: number): void;
  headers(headers: Record<string, string>): void;
  stream: NodeJS.WritableStream;
  close(): void;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('iii-http streaming through data channels', () => {
  let h: TestHarness;
  let iii: IIIClient;
  let base: string;
  let seq = 0;

  /** Registers `handler` behind an http trigger on a fresh path; resolves the full URL. */
  async function serve(method: string, handler: (data: never) => Promise<unknown>): Promise<string> {
    const id = `stream-test::${seq++}`;
    iii.registerFunction(id, handler as (data: unknown) => Promise<unknown>);
    iii.registerTrigger({ type: 'http', function_id: id, config: { api_path: `streaming/${id.replace('::', '-')}`, http_method: method } });
    await waitForTrigger(iii, id);
    return `${base}/streaming/${id.replace('::', '-')}`;
  }

  const streamed = (fn: (req: StreamedRequest, res: StreamResponse) => Promise<void>): ((data: never) => Promise<unknown>) =>
    http(fn as never) as unknown as (data: never) => Promise<unknown>;

  beforeAll(async () => {
    h = await TestHarness.start();
    iii = h.worker('http-streaming');
    base = h.urls.http!;
  });

  afterAll(async () => {
    await h.close();
  });

  it('streams server-sent events written with delays, intact and in order', async () => {
    const events = [
      'id: 1\nevent: message\ndata: Hello\n\n',
      'id: 2\nevent: update\ndata: {"count":42}\n\n',
      'id: 3\ndata: line one\ndata: line two\n\n',
    ];
    const url = await serve(
      'GET',
      streamed(async (_req, res) => {
        res.status(200);
        res.headers({ 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        for (const event of events) {
          res.stream.write(Buffer.from(event));
          await sleep(30);
        }
        res.stream.end();
      }),
    );

    const response = await fetch(url);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(await response.text()).toBe(events.join(''));
  });

  it('downloads a binary body byte-exact, larger than the channel buffer', async () => {
    const file = randomBytes(5 * 1024 * 1024); // 80 frames of 64 KiB through a 64-item channel
    const url = await serve(
      'GET',
      streamed(async (_req, res) => {
        res.status(200);
        res.headers({ 'content-type': 'application/octet-stream' });
        // Uneven writes: the SDK cuts them into 64 KiB frames.
        for (let offset = 0; offset < file.length; offset += 100_000) res.stream.write(file.subarray(offset, offset + 100_000));
        res.stream.end();
      }),
    );

    const response = await fetch(url);
    const body = Buffer.from(await response.arrayBuffer());

    expect(response.headers.get('content-type')).toBe('application/octet-stream');
    expect(body.length).toBe(file.length);
    expect(body.equals(file)).toBe(true);
  });

  it('hands a streamed upload to the handler through request_body', async () => {
    const upload = randomBytes(300 * 1024);
    let received: Buffer | undefined;
    const url = await serve(
      'POST',
      streamed(async (req, res) => {
        res.status(201);
        res.headers({ 'content-type': 'application/json' });
        const chunks: Buffer[] = [];
        for await (const chunk of req.request_body.stream) chunks.push(chunk as Buffer);
        received = Buffer.concat(chunks);
        res.stream.end(Buffer.from(JSON.stringify({ size: received.length, body: req.body })));
      }),
    );

    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: upload });

    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ size: upload.length, body: null });
    expect(received?.equals(upload)).toBe(true);
  });

  it('gives a JSON request both the parsed body and the exact raw bytes', async () => {
    const raw = '{ "name" : "x",\n  "tags": [1, 2] }';
    const url = await serve('POST', async (req: { body: unknown; request_body: ChannelReader }) => {
      const bytes = await req.request_body.readAll();
      return { status_code: 200, body: { parsed: req.body, raw: bytes.toString('utf8') } };
    });

    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: raw });

    expect(await response.json()).toEqual({ parsed: { name: 'x', tags: [1, 2] }, raw });
  });

  it('answers with the collected status and headers and an empty body when the writer closes without binary', async () => {
    const url = await serve(
      'GET',
      streamed(async (_req, res) => {
        res.status(202);
        res.headers({ 'x-accepted': 'yes' });
        res.close();
      }),
    );

    const response = await fetch(url);

    expect([response.status, response.headers.get('x-accepted'), await response.text()]).toEqual([202, 'yes', '']);
  });

  it('keeps buffered replies for handlers that return a result and never touch the channels', async () => {
    const url = await serve('GET', async () => ({ status_code: 200, headers: { 'content-type': 'text/plain' }, body: 'plain' }));

    const response = await fetch(url);

    expect([response.status, await response.text()]).toEqual([200, 'plain']);
  });

  it('sends the listener CORS headers on a streamed reply too', async () => {
    const url = await serve(
      'GET',
      streamed(async (_req, res) => {
        res.stream.end(Buffer.from('cors'));
      }),
    );

    const response = await fetch(url, { headers: { origin: 'https://app.example' } });

    expect(response.headers.get('access-control-allow-origin')).not.toBeNull();
    expect(await response.text()).toBe('cors');
  });

  it('answers 204 for an absent result when the handler never opens its response writer', async () => {
    const url = await serve('GET', async () => undefined);

    const response = await fetch(url);

    expect([response.status, await response.text()]).toEqual([204, '']);
  });

  it('answers the function failure envelope when the handler throws before streaming', async () => {
    const url = await serve('GET', async () => {
      throw new Error('nope');
    });

    const response = await fetch(url);

    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBeDefined();
  });

  it('streams a response the handler writes through the raw response writer', async () => {
    const url = await serve('GET', async (req: { response: ChannelWriter }) => {
      req.response.sendMessage(JSON.stringify({ type: 'set_headers', headers: { 'content-type': 'application/json' } }));
      req.response.stream.end(Buffer.from('{"ok":true}'));
      return undefined;
    });

    const response = await fetch(url);

    expect([response.status, response.headers.get('content-type'), await response.text()]).toEqual([
      200,
      'application/json',
      '{"ok":true}',
    ]);
  });
});
