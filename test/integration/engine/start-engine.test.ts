import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine } from '../../../src/engine';
import { connectWorker, waitFor } from '../support/engine';

/** A port nothing listens on right now (bound to 0, read, released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('startEngine', () => {
  beforeAll(() => {
    jest.spyOn(console, 'debug').mockImplementation(() => undefined);
  });
  afterAll(() => {
    jest.restoreAllMocks();
  });

  it('reports the bound worker, http and stream urls and frees every port on close', async () => {
    const engine = await startEngine({ storage: 'memory', ephemeralPorts: true, host: '127.0.0.1' });
    expect(engine.urls.worker).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    expect(engine.urls.http).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(engine.urls.stream).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    const ports = [engine.urls.worker, engine.urls.http ?? '', engine.urls.stream ?? ''].map((url) => Number(new URL(url).port));
    await engine.close();
    await engine.close(); // idempotent
    for (const port of ports) expect(await portIsFree(port)).toBe(true);
  });

  it('boots from a config file with unknown workers and expands ${VAR:default}', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iii-engine-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(
      file,
      [
        'workers:',
        '  - name: iii-worker-manager',
        '    config:',
        '      port: ${HUB_TEST_WORKER_PORT:0}',
        '      host: ${HUB_TEST_UNSET_HOST:127.0.0.1}',
        '  - name: iii-observability',
        '    config: { enabled: true, exporter: memory }',
        '  - name: iii-http-functions',
        '    config: { security: { require_https: false } }',
        '  - name: iii-pubsub',
        '    config: { adapter: { name: local } }',
      ].join('\n'),
    );
    // A set variable replaces the placeholder; an unset one takes its default.
    const port = await freePort();
    process.env.HUB_TEST_WORKER_PORT = String(port);
    delete process.env.HUB_TEST_UNSET_HOST;
    const engine = await startEngine({ config: file, storage: 'memory' });
    delete process.env.HUB_TEST_WORKER_PORT;
    const worker = connectWorker(engine.urls.worker);
    try {
      expect(engine.urls.worker).toBe(`ws://127.0.0.1:${port}`);
      expect(engine.urls.http).toBeUndefined();
      const listed = await worker.trigger<unknown, { functions: Array<{ function_id: string }> }>({
        function_id: 'engine::functions::list',
        payload: {},
      });
      expect(listed.functions.map((f) => f.function_id)).toContain('publish');
    } finally {
      await worker.shutdown();
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens one listener per worker-manager entry, all sharing the registries', async () => {
    const engine = await startEngine({
      storage: 'memory',
      ephemeralPorts: true,
      host: '127.0.0.1',
      config: {
        workers: [
          { name: 'iii-worker-manager', config: {} },
          { name: 'iii-worker-manager', config: { rbac: { expose_functions: ['match("shared::*")'] } } },
        ],
      },
    });
    expect(engine.urls.workers).toHaveLength(2);
    const first = connectWorker(engine.urls.workers[0] ?? '');
    const second = connectWorker(engine.urls.workers[1] ?? '');
    try {
      first.registerFunction('shared::fn', async () => 'from first listener');
      await waitFor(async () => (await second.trigger({ function_id: 'shared::fn', payload: {} })) === 'from first listener');
    } finally {
      await Promise.all([first.shutdown(), second.shutdown()]);
      await engine.close();
    }
  });

  it('keeps data in the sqlite directory it was given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iii-data-'));
    const engine = await startEngine({ dataDir: dir, ephemeralPorts: true, host: '127.0.0.1', config: { workers: [] } });
    try {
      expect(readdirSync(dir)).toContain('iii.db');
    } finally {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with a coded error when the worker port is taken, leaving nothing open', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(
        startEngine({ storage: 'memory', host: '127.0.0.1', ports: { worker: port }, config: { workers: [] } }),
      ).rejects.toMatchObject({ code: 'EADDRINUSE' });
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});
