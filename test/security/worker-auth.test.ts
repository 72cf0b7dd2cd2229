/**
 * Worker authentication: with a secret, a worker must present it in the handshake before any
 * frame is read; a browser page is never a worker; the app's own worker gets the secret itself.
 */
import { mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../src/engine/config';
import { applySecureProfile } from '../../src/engine/security/secure-profile';
import { WORKER_TOKEN_HEADER } from '../../src/engine';
import { Controller, Get, Module } from '../../src/framework';
import { createTestApp } from '../../src/framework/testing';
import { connectWorker, recordSdkConnectionErrors, startTestEngine, type EngineHandle } from '../integration/support/engine';
import { closeOf, openSocket, recordingLogger } from './support';

const SECRET = 'correct horse battery staple';

describe('worker authentication', () => {
  let engine: EngineHandle;
  beforeAll(async () => {
    engine = await startTestEngine({ secure: { workerToken: SECRET } });
  });
  afterAll(() => engine.close());

  it('closes a rogue worker without the secret with 1008 and a reason, before reading any frame', async () => {
    expect(await closeOf(engine.urls.worker)).toEqual({ code: 1008, reason: `worker token required (${WORKER_TOKEN_HEADER} header)` });
  });

  it('closes a worker with a wrong secret', async () => {
    expect(await closeOf(engine.urls.worker, { [WORKER_TOKEN_HEADER]: 'guess' })).toEqual({ code: 1008, reason: 'invalid worker token' });
    expect(await closeOf(`${engine.urls.worker}/otel`, { [WORKER_TOKEN_HEADER]: 'guess' })).toEqual({
      code: 1008,
      reason: 'invalid worker token',
    });
  });

  it('never lists functions or state to a rogue iii-sdk worker', async () => {
    // The refused SDK gives up reconnecting and says so on console.error: expected here.
    const sdkErrors = recordSdkConnectionErrors();
    const rogue = connectWorker(engine.urls.worker, { reconnectionConfig: { maxRetries: 0 }, invocationTimeoutMs: 500 });
    try {
      await expect(rogue.trigger({ function_id: 'state::list', payload: { scope: 'todos' }, timeoutMs: 500 })).rejects.toThrow();
    } finally {
      await rogue.shutdown();
      sdkErrors.mockRestore();
    }
  });

  it('serves a worker presenting the secret through iii-sdk handshake headers', async () => {
    const worker = connectWorker(engine.urls.worker, { headers: { [WORKER_TOKEN_HEADER]: SECRET } });
    try {
      const listed = await worker.trigger<unknown, { functions: unknown[] }>({ function_id: 'engine::functions::list', payload: {} });
      expect(Array.isArray(listed.functions)).toBe(true);
    } finally {
      await worker.shutdown();
    }
  });

  it('refuses a handshake carrying a browser Origin, even with the secret', async () => {
    const closed = await closeOf(engine.urls.worker, { origin: 'https://evil.example', [WORKER_TOKEN_HEADER]: SECRET });
    expect(closed).toEqual({ code: 1008, reason: 'browser origins are not accepted on the worker port' });
  });
});

describe('worker port without a secret', () => {
  it('accepts local workers on loopback but still refuses browser origins', async () => {
    const engine = await startTestEngine({ secure: true });
    try {
      const socket = await openSocket(engine.urls.worker);
      socket.close();
      expect((await closeOf(engine.urls.worker, { origin: 'http://localhost:5173' })).code).toBe(1008);
    } finally {
      await engine.close();
    }
  });
});

describe('the secure profile', () => {
  it('says once, on loopback without a secret, that any local worker is accepted', () => {
    const logger = recordingLogger();
    const config = applySecureProfile(defaultConfig(), {}, { dataDir: undefined, logger });
    const manager = config.workers.find((entry) => entry.name === 'iii-worker-manager');
    expect(manager?.config.auth_token).toBeDefined(); // the default config binds 0.0.0.0
    const loopback = applySecureProfile(
      { workers: [{ name: 'iii-worker-manager', config: { host: '127.0.0.1' } }] },
      {},
      { dataDir: undefined, logger },
    );
    expect(loopback.workers[0].config.auth_token).toBeUndefined();
    expect(logger.lines.filter((line) => line.includes('accepts any local worker'))).toHaveLength(1);
  });

  it('generates a secret into the data directory (0600) when bound beyond loopback, and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'iii-token-'));
    try {
      const exposed = { workers: [{ name: 'iii-worker-manager', config: { host: '0.0.0.0' } }] };
      const first = applySecureProfile(exposed, {}, { dataDir: dir, logger: recordingLogger() });
      const token = first.workers[0].config.auth_token as string;
      expect(token).toMatch(/^[0-9a-f]{64}$/);
      const file = join(dir, 'worker-token');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8').trim()).toBe(token);
      const second = applySecureProfile(exposed, {}, { dataDir: dir, logger: recordingLogger() });
      expect(second.workers[0].config.auth_token).toBe(token);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves a config file’s own choices alone (RBAC listeners, CORS, a secret of its own)', () => {
    const config = applySecureProfile(
      {
        workers: [
          { name: 'iii-worker-manager', config: { host: '0.0.0.0', auth_token: 'mine' } },
          { name: 'iii-worker-manager', config: { host: '0.0.0.0', port: 49135, rbac: { auth_function_id: 'auth' } } },
          { name: 'iii-http', config: { cors: { allowed_origins: ['https://app.example'] } } },
        ],
      },
      { workerToken: 'ignored' },
      { dataDir: undefined, logger: recordingLogger() },
    );
    expect(config.workers[0].config.auth_token).toBe('mine');
    expect(config.workers[1].config.auth_token).toBeUndefined();
    expect(config.workers[2].config.cors).toEqual({ allowed_origins: ['https://app.example'] });
    expect(config.ownership).toBe(true);
  });
});

@Controller('hello')
class HelloController {
  @Get()
  hello(): { hello: string } {
    return { hello: 'world' };
  }
}

@Module({ controllers: [HelloController] })
class HelloModule {}

describe('the app’s own worker', () => {
  it('presents the embedded engine’s secret by itself', async () => {
    const test = await createTestApp(HelloModule, { engine: { secure: { workerToken: SECRET } } });
    try {
      const response = await fetch(`${test.urls.http}/hello`);
      expect(await response.json()).toEqual({ hello: 'world' });
      expect((await closeOf(test.urls.worker)).code).toBe(1008);
    } finally {
      await test.close();
    }
  });
});
