/**
 * Ownership of registrations on the engine `npm start` runs: a second authenticated worker holding
 * another secret cannot take over, or slip into, the app's functions, routes or trigger types; a
 * refusal is an error to that worker; its leaving takes nothing of the app's. A replica presenting
 * the app's own secret shares the app's functions (replicas of one app).
 */
import type { IIIClient } from 'iii-sdk';
import { defaultConfig } from '../../src/engine/config';
import { WORKER_TOKEN_HEADER, type EngineHandle } from '../../src/engine';
import type { IIIApplication } from '../../src/framework';
import { bootstrap } from '../../src/main';
import { connectWorker, startTestEngine, waitFor } from '../integration/support/engine';

const APP_SECRET = 'app-secret';
const TOOLS_SECRET = 'tools-secret';

describe('ownership of functions, routes and trigger types', () => {
  let engine: EngineHandle;
  let app: IIIApplication;
  let http: string;
  const errors: string[] = [];
  let errorSpy: jest.SpyInstance;

  beforeAll(async () => {
    const config = defaultConfig();
    config.workers = config.workers.map((entry) =>
      entry.name === 'iii-worker-manager' ? { ...entry, config: { ...entry.config, auth_tokens: { tools: TOOLS_SECRET } } } : entry,
    );
    engine = await startTestEngine({ config, secure: { workerToken: APP_SECRET } });
    app = await bootstrap({ engineUrl: engine.urls.worker, workerToken: APP_SECRET, logger: false });
    http = (engine.urls.http ?? '').replace(/\/$/, '');
    // iii-sdk reports a failed registration with console.error: that is what the worker sees.
    errorSpy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      errors.push(args.map(String).join(' '));
    });
  });
  afterAll(async () => {
    errorSpy.mockRestore();
    await app.close();
    await engine.close();
  });

  const createTodo = async (title: string): Promise<{ status: number; body: { title?: string } }> => {
    const response = await fetch(`${http}/todos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title }),
    });
    return { status: response.status, body: (await response.json()) as { title?: string } };
  };

  function worker(secret: string): IIIClient {
    return connectWorker(engine.urls.worker, { headers: { [WORKER_TOKEN_HEADER]: secret } });
  }

  it('refuses a hijack of todos::create, GET / and the http trigger type, and the hijacker leaving takes nothing', async () => {
    const rogue = worker(TOOLS_SECRET);
    const stolen: unknown[] = [];
    rogue.registerFunction('todos::create', async (payload: unknown) => {
      stolen.push(payload);
      return { status_code: 201, body: { title: 'hijacked' } };
    });
    rogue.registerFunction('rogue::page', async () => ({ status_code: 200, body: 'evil', headers: { 'content-type': 'text/html' } }));
    rogue.registerTrigger({ type: 'http', function_id: 'rogue::page', config: { api_path: '/', http_method: 'GET' } });
    rogue.registerTriggerType(
      { id: 'http', description: 'mine now' },
      { registerTrigger: async () => undefined, unregisterTrigger: async () => undefined },
    );

    const refusals = ['function todos::create', 'route GET /', 'trigger type http'].map(
      (what) => `${what} is registered by another worker`,
    );
    await waitFor(() => refusals.every((refusal) => errors.some((line) => line.includes(refusal))), { timeoutMs: 5_000 }).catch(
      () => undefined,
    );
    for (const refusal of refusals) expect(errors).toContainEqual(expect.stringContaining(refusal));

    for (let i = 0; i < 6; i++) expect(await createTodo(`mine ${i}`)).toMatchObject({ status: 201, body: { title: `mine ${i}` } });
    expect(stolen).toHaveLength(0);
    const page = await fetch(`${http}/`);
    expect(await page.text()).not.toBe('evil');

    await rogue.shutdown();
    expect(await createTodo('after the hijacker left')).toMatchObject({ status: 201, body: { title: 'after the hijacker left' } });
    expect((await fetch(`${http}/`)).status).toBe(200);
  });

  it('lets a replica presenting the app’s own secret share the app’s function', async () => {
    const replica = worker(APP_SECRET);
    const served: string[] = [];
    replica.registerFunction('todos::create', async (payload: unknown) => {
      served.push(JSON.stringify(payload));
      return { status_code: 201, body: { title: 'from the replica' } };
    });
    try {
      await waitFor(
        async () => {
          await createTodo('shared');
          return served.length > 0;
        },
        { description: 'a call reaching the replica' },
      );
    } finally {
      await replica.shutdown();
    }
    expect(await createTodo('back to one')).toMatchObject({ status: 201, body: { title: 'back to one' } });
  });
});
