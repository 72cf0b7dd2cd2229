/**
 * `iii-http` through a real iii-sdk worker against the embedded engine: the SDK suite's
 * api-triggers, healthcheck and middleware expectations (buffered mode), plus route ownership on
 * disconnect.
 */
import type { IIIClient } from 'iii-sdk';
import { TestHarness, waitFor, waitForTrigger } from '../support/engine';

interface HttpPayload {
  query_params: Record<string, string>;
  path_params: Record<string, string>;
  headers: Record<string, string>;
  path: string;
  method: string;
  body: unknown;
  trigger: { type: string; path: string; method: string };
}

describe('iii-http over the worker protocol', () => {
  let h: TestHarness;
  let iii: IIIClient;
  let base: string;
  let seq = 0;
  /** A fresh path prefix per test, so routes never collide across tests. */
  let prefix: string;

  /** Registers function + http trigger and waits until the route is live. */
  async function serve(
    config: Record<string, unknown>,
    handler: (data: HttpPayload, metadata?: unknown) => Promise<unknown>,
    metadata?: Record<string, unknown>,
  ): Promise<{ functionId: string; unregister: () => void }> {
    const functionId = `http-test::${prefix}::${seq++}`;
    const fn = iii.registerFunction(functionId, handler);
    const trigger = iii.registerTrigger({ type: 'http', function_id: functionId, config, ...(metadata && { metadata }) });
    await waitForTrigger(iii, functionId);
    return {
      functionId,
      unregister: () => {
        trigger.unregister();
        fn.unregister();
      },
    };
  }

  beforeAll(async () => {
    h = await TestHarness.start();
    iii = h.worker('http-tests');
    base = h.urls.http!;
  });

  afterAll(async () => {
    await h.close();
  });

  beforeEach(() => {
    prefix = `t${seq++}`;
  });

  it('exposes the REST listener URL', () => {
    expect(base).toMatch(/^http:\/\/[^:]+:\d+$/);
  });

  it('serves a GET route with a JSON body', async () => {
    await serve({ api_path: `${prefix}/hello` }, async () => ({ status_code: 200, body: { message: 'hi' } }));
    const res = await fetch(`${base}/${prefix}/hello`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ message: 'hi' });
  });

  it('passes a JSON request body and answers with a custom status', async () => {
    await serve({ api_path: `${prefix}/items`, http_method: 'POST' }, async (req) => ({ status_code: 201, body: { created: req.body } }));
    const res = await fetch(`${base}/${prefix}/items`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'x' }),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ created: { name: 'x' } });
  });

  it('answers a 404 chosen by the handler', async () => {
    await serve({ api_path: `${prefix}/missing` }, async () => ({ status_code: 404, body: { error: 'Not found' } }));
    const res = await fetch(`${base}/${prefix}/missing`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'Not found' });
  });

  it('delivers path params, query params, lower-cased headers and the registered path', async () => {
    let seen: HttpPayload | undefined;
    await serve({ api_path: `${prefix}/items/:id` }, async (req) => {
      seen = req;
      return { body: {} };
    });
    await fetch(`${base}/${prefix}/items/abc123?q=hello&limit=10`, { headers: { 'X-Request-Tag': 'T' } });
    expect(seen).toMatchObject({
      path_params: { id: 'abc123' },
      query_params: { q: 'hello', limit: '10' },
      path: `${prefix}/items/:id`,
      method: 'GET',
      body: null,
      trigger: { type: 'http', path: `${prefix}/items/:id`, method: 'GET' },
    });
    expect(seen?.headers['x-request-tag']).toBe('T');
  });

  it('sends a string body raw under the content-type the handler chose', async () => {
    await serve({ api_path: `${prefix}/xml` }, async () => ({
      status_code: 200,
      headers: { 'Content-Type': 'text/xml' },
      body: '<root><a>1</a></root>',
    }));
    const res = await fetch(`${base}/${prefix}/xml`);
    expect(res.headers.get('content-type')).toBe('text/xml');
    expect(await res.text()).toBe('<root><a>1</a></root>');
  });

  it('hands the trigger metadata to the handler', async () => {
    let seen: unknown;
    await serve(
      { api_path: `${prefix}/meta` },
      async (_req, metadata) => {
        seen = metadata;
        return { body: {} };
      },
      { owner: 'team-a' },
    );
    await fetch(`${base}/${prefix}/meta`);
    expect(seen).toEqual({ owner: 'team-a' });
  });

  it('answers 500 with the error envelope when the handler throws', async () => {
    await serve({ api_path: `${prefix}/boom` }, async () => {
      throw new Error('handler exploded');
    });
    const res = await fetch(`${base}/${prefix}/boom`);
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { code: string; message: string; error_id: string } };
    expect(body.error.message).toContain('handler exploded');
    expect(typeof body.error.code).toBe('string');
    expect(body.error.error_id).toMatch(/^[0-9a-f]+$/);
  });

  it('runs route middleware in order: continue, continue, handler', async () => {
    const order: string[] = [];
    for (const name of ['mw1', 'mw2']) {
      iii.registerFunction(`${prefix}::${name}`, async () => {
        order.push(name);
        return { action: 'continue' };
      });
    }
    await serve({ api_path: `${prefix}/mw`, middleware_function_ids: [`${prefix}::mw1`, `${prefix}::mw2`] }, async () => {
      order.push('handler');
      return { body: { ok: true } };
    });
    expect((await fetch(`${base}/${prefix}/mw`)).status).toBe(200);
    expect(order).toEqual(['mw1', 'mw2', 'handler']);
  });

  it('lets a middleware respond 403 and skip the handler, and shows it the request', async () => {
    let input: { phase?: string; request?: { method: string; path_params: Record<string, string>; query_params: Record<string, string> } } =
      {};
    let handled = false;
    iii.registerFunction(`${prefix}::deny`, async (data: typeof input) => {
      input = data;
      return { action: 'respond', response: { status_code: 403, body: { error: 'Forbidden' } } };
    });
    await serve({ api_path: `${prefix}/guarded/:id`, middleware_function_ids: [`${prefix}::deny`] }, async () => {
      handled = true;
      return { body: {} };
    });
    const res = await fetch(`${base}/${prefix}/guarded/42?q=hello`);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: 'Forbidden' });
    expect(handled).toBe(false);
    expect(input.phase).toBe('preHandler');
    expect(input.request).toMatchObject({ method: 'GET', path_params: { id: '42' }, query_params: { q: 'hello' } });
  });

  it('rejects a conflicting route (the SDK logs it) and keeps the first route serving', async () => {
    const logged: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      logged.push(args.map(String).join(' '));
    });
    try {
      await serve({ api_path: `${prefix}/c/:listId/:userId` }, async () => ({ body: 'first' }));
      iii.registerFunction(`${prefix}::second`, async () => ({ body: 'second' }));
      iii.registerTrigger({ type: 'http', function_id: `${prefix}::second`, config: { api_path: `${prefix}/c/:userId/:listId` } });
      await waitFor(() => logged.some((line) => line.includes('conflict')), { description: 'the conflict log' });
    } finally {
      spy.mockRestore();
    }
    expect(await (await fetch(`${base}/${prefix}/c/1/2`)).json()).toBe('first');
  });

  it('serves a health route only while its trigger is registered', async () => {
    expect((await fetch(`${base}/${prefix}/health`)).status).toBe(404);
    const route = await serve({ api_path: `${prefix}/health` }, async () => ({ status_code: 200, body: { status: 'healthy' } }));
    const up = await fetch(`${base}/${prefix}/health`);
    expect([up.status, await up.json()]).toEqual([200, { status: 'healthy' }]);
    route.unregister();
    await waitFor(async () => (await fetch(`${base}/${prefix}/health`)).status === 404, { description: 'the route to go away' });
  });

  it('drops the routes of a worker that disconnects', async () => {
    const other = h.worker('http-leaver');
    other.registerFunction(`${prefix}::leaving`, async () => ({ body: 'here' }));
    other.registerTrigger({ type: 'http', function_id: `${prefix}::leaving`, config: { api_path: `${prefix}/leaving` } });
    await waitForTrigger(iii, `${prefix}::leaving`);
    expect((await fetch(`${base}/${prefix}/leaving`)).status).toBe(200);
    await h.stopWorker(other);
    await waitFor(async () => (await fetch(`${base}/${prefix}/leaving`)).status === 404, { description: 'the route to go away' });
  });
});
