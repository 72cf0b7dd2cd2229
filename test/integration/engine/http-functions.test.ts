/**
 * engine.md §11: functions registered with an `invocation` block are executed by the engine as HTTP
 * calls to a local webhook server (127.0.0.1, port 0), driven through real iii-sdk workers.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IIIClient } from 'iii-sdk';
import { TestHarness, listFunctionIds, rejectionOf as rejection, waitFor, waitForFunctions } from '../support/engine';

interface Captured {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
}

type Responder = (captured: Captured, response: ServerResponse) => void;

/** A webhook server: records every request and answers with the responder of its path. */
class Webhook {
  readonly requests: Captured[] = [];
  private readonly routes = new Map<string, Responder>();
  private readonly server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const captured = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        rawBody: Buffer.concat(chunks).toString('utf8'),
      };
      this.requests.push(captured);
      const responder =
        this.routes.get(captured.url) ?? ((_c, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
      responder(captured, response);
    });
  });

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  route(path: string, responder: Responder): string {
    this.routes.set(path, responder);
    return this.url(path);
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const SECURITY = { url_allowlist: ['localhost', '127.0.0.1'], block_private_ips: false, require_https: false };

let h: TestHarness;
let owner: IIIClient;
let caller: IIIClient;
let webhook: Webhook;
let sequence = 0;

const uniqueId = (name: string): string => `test::http_external::${name}::${(sequence += 1)}`;

const listIds = (): Promise<string[]> => listFunctionIds(caller);

/** Registers an HTTP function on `owner` and waits until the engine lists it. */
async function registerHttp(name: string, invocation: Record<string, unknown>): Promise<string> {
  const id = uniqueId(name);
  owner.registerFunction(id, invocation as never);
  await waitForFunctions(caller, [id]);
  return id;
}

beforeAll(async () => {
  jest.spyOn(console, 'debug').mockImplementation(() => undefined);
  process.env.III_TEST_HOOK_TOKEN = 'token-123';
  process.env.III_TEST_HOOK_SECRET = 'hmac-secret';
  h = await TestHarness.start({
    config: {
      workers: [
        { name: 'iii-worker-manager', config: {} },
        { name: 'iii-http-functions', config: { security: SECURITY } },
      ],
    },
  });
  webhook = new Webhook();
  await webhook.start();
  owner = h.worker('http-owner');
  caller = h.worker('http-caller');
});

afterEach(() => {
  webhook.requests.length = 0;
});

afterAll(async () => {
  await h.close();
  await webhook.close();
  delete process.env.III_TEST_HOOK_TOKEN;
  delete process.env.III_TEST_HOOK_SECRET;
  jest.restoreAllMocks();
});

describe('engine.md §11 invocation', () => {
  it('POSTs the payload as JSON with the iii headers and returns the JSON answer', async () => {
    const url = webhook.route('/echo', (c, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ got: JSON.parse(c.rawBody) })),
    );
    const id = await registerHttp('post', { url, method: 'POST', timeout_ms: 3000 });
    const result = await caller.trigger<unknown, { got: Record<string, unknown> }>({ function_id: id, payload: { hello: 'world' } });
    expect(result.got).toEqual({ hello: 'world', _caller_worker_id: expect.any(String) });
    const [request] = webhook.requests;
    expect(request?.method).toBe('POST');
    expect(request?.headers).toMatchObject({
      'content-type': 'application/json',
      'x-iii-function-path': id,
      'x-iii-invocation-id': expect.stringMatching(/^[0-9a-f-]{36}$/),
      'x-iii-timestamp': expect.stringMatching(/^\d+$/),
    });
  });

  it('uses the configured method, headers and bearer token', async () => {
    const url = webhook.route('/put', (_c, res) => res.writeHead(204).end());
    const id = await registerHttp('put', {
      url,
      method: 'PUT',
      headers: { 'X-Custom-Header': 'test-value' },
      auth: { type: 'bearer', token_key: 'III_TEST_HOOK_TOKEN' },
    });
    await expect(caller.trigger({ function_id: id, payload: { n: 1 } })).resolves.toBeUndefined();
    expect(webhook.requests[0]).toMatchObject({
      method: 'PUT',
      headers: { 'x-custom-header': 'test-value', authorization: 'Bearer token-123' },
    });
  });

  it('signs the body with hmac when configured', async () => {
    const url = webhook.route('/signed', (_c, res) => res.writeHead(200).end());
    const id = await registerHttp('hmac', { url, auth: { type: 'hmac', secret_key: 'III_TEST_HOOK_SECRET' } });
    await caller.trigger({ function_id: id, payload: { n: 2 } });
    const request = webhook.requests[0] as Captured;
    const expected = createHmac('sha256', 'hmac-secret')
      .update(`${String(request.headers['x-iii-timestamp'])}:${Buffer.from(request.rawBody).toString('base64')}`)
      .digest('hex');
    expect(request.headers['x-iii-signature']).toBe(`sha256=${expected}`);
  });

  it('passes an upstream {"error":{code,message}} to the caller', async () => {
    const url = webhook.route('/fail', (_c, res) =>
      res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":{"code":"UPSTREAM","message":"down"}}'),
    );
    const id = await registerHttp('fail', { url });
    const error = await rejection(caller.trigger({ function_id: id, payload: {} }));
    expect(error).toMatchObject({ code: 'UPSTREAM', message: 'UPSTREAM: down' });
  });

  it('reports a failure without an error body as http_error with the status line', async () => {
    const url = webhook.route('/plain-fail', (_c, res) => res.writeHead(500).end('boom'));
    const id = await registerHttp('plain-fail', { url });
    const error = await rejection(caller.trigger({ function_id: id, payload: {} }));
    expect(error).toMatchObject({ code: 'http_error', message: 'http_error: HTTP 500 Internal Server Error' });
  });

  it('refuses a 2xx answer that is not JSON with invalid_response', async () => {
    const url = webhook.route('/html', (_c, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>'));
    const id = await registerHttp('html', { url });
    await expect(rejection(caller.trigger({ function_id: id, payload: {} }))).resolves.toMatchObject({ code: 'invalid_response' });
  });

  it('does not follow redirects', async () => {
    const target = webhook.url('/redirect-target');
    const url = webhook.route('/redirect', (_c, res) => res.writeHead(302, { location: target }).end());
    const id = await registerHttp('redirect', { url });
    await expect(caller.trigger({ function_id: id, payload: {} })).resolves.toBeUndefined();
    expect(webhook.requests.map((r) => r.url)).toEqual(['/redirect']);
  });

  it('fails with http_request_failed after timeout_ms', async () => {
    const url = webhook.route('/slow', () => undefined); // never answers; closed in afterAll
    const id = await registerHttp('slow', { url, timeout_ms: 200 });
    const error = await rejection(caller.trigger({ function_id: id, payload: {} }));
    expect(error).toMatchObject({ code: 'http_request_failed', message: 'http_request_failed: request timed out after 200ms' });
  });

  it('fails with http_request_failed when nothing listens', async () => {
    const id = await registerHttp('refused', { url: 'http://127.0.0.1:1/nothing' });
    await expect(rejection(caller.trigger({ function_id: id, payload: {} }))).resolves.toMatchObject({ code: 'http_request_failed' });
  });
});

describe('engine.md §11 registration lifecycle', () => {
  it('lists the function until the owner unregisters it, then stops calling the endpoint', async () => {
    const id = uniqueId('unregister');
    const handle = owner.registerFunction(id, { url: webhook.url('/gone') } as never);
    await waitForFunctions(caller, [id]);
    handle.unregister();
    await waitFor(async () => !(await listIds()).includes(id));
    await expect(rejection(caller.trigger({ function_id: id, payload: {}, timeoutMs: 2000 }))).resolves.toMatchObject({
      code: 'function_not_found',
    });
    expect(webhook.requests).toEqual([]);
  });

  it('removes the functions of a worker that disconnects', async () => {
    const transient = h.worker('http-transient');
    const id = uniqueId('disconnect');
    transient.registerFunction(id, { url: webhook.url('/x') } as never);
    await waitForFunctions(caller, [id]);
    await h.stopWorker(transient);
    await waitFor(async () => !(await listIds()).includes(id));
  });

  it('silently drops a registration whose URL the security policy refuses', async () => {
    const refused = uniqueId('refused-host');
    const missingSecret = uniqueId('missing-secret');
    const accepted = uniqueId('accepted');
    owner.registerFunction(refused, { url: 'http://example.com/hook' } as never);
    owner.registerFunction(missingSecret, { url: webhook.url('/x'), auth: { type: 'bearer', token_key: 'III_TEST_UNSET_VAR' } } as never);
    owner.registerFunction(accepted, { url: webhook.url('/x') } as never);
    await waitForFunctions(caller, [accepted]);
    const ids = await listIds();
    expect(ids).not.toContain(refused);
    expect(ids).not.toContain(missingSecret);
  });
});

describe('engine.md §11 without a permissive policy or without the worker', () => {
  it('blocks loopback targets under the default security config', async () => {
    const strict = await TestHarness.start({ config: { workers: [{ name: 'iii-http-functions', config: {} }] } });
    try {
      const worker = strict.worker('strict');
      worker.registerFunction('strict::loopback', { url: 'https://127.0.0.1/x' } as never);
      worker.registerFunction('strict::plain', async () => 'ok');
      await waitForFunctions(worker, ['strict::plain']);
      const listed = await worker.trigger<unknown, { functions: Array<{ function_id: string }> }>({
        function_id: 'engine::functions::list',
        payload: {},
      });
      expect(listed.functions.map((fn) => fn.function_id)).not.toContain('strict::loopback');
    } finally {
      await strict.close();
    }
  });

  it('drops HTTP functions when iii-http-functions is not configured', async () => {
    const bare = await TestHarness.start({ config: { workers: [] } });
    try {
      const worker = bare.worker('bare');
      worker.registerFunction('bare::http', { url: webhook.url('/x') } as never);
      worker.registerFunction('bare::plain', async () => 'ok');
      await waitForFunctions(worker, ['bare::plain']);
      const listed = await worker.trigger<unknown, { functions: Array<{ function_id: string }> }>({
        function_id: 'engine::functions::list',
        payload: {},
      });
      expect(listed.functions.map((fn) => fn.function_id)).not.toContain('bare::http');
    } finally {
      await bare.close();
    }
  });
});
