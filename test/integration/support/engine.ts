/**
 * Shared helpers for integration tests: an embedded engine on ephemeral ports with memory
 * storage, iii-sdk workers with OTel off and fast reconnection, and a bounded poller.
 * Other suites depend on these names; keep them stable.
 */
import { registerWorker, type IIIClient, type InitOptions, type InvocationError } from 'iii-sdk';
import { startEngine, type EngineHandle, type StartEngineOptions } from '../../../src/engine';

export type { EngineHandle, IIIClient };

/** Starts the engine with `{ storage: 'memory', ephemeralPorts: true }` plus `options`. */
export function startTestEngine(options: StartEngineOptions = {}): Promise<EngineHandle> {
  return startEngine({ storage: 'memory', ephemeralPorts: true, host: '127.0.0.1', ...options });
}

/** Reconnection fast enough for tests that restart workers or engines. */
export const FAST_RECONNECT = { initialDelayMs: 50, maxDelayMs: 250, backoffMultiplier: 2, jitterFactor: 0, maxRetries: -1 };

/** An iii-sdk worker with OTel disabled (no `/otel` socket) and fast reconnection. Always `shutdown()` it. */
export function connectWorker(url: string, options: InitOptions = {}): IIIClient {
  return registerWorker(url, {
    otel: { enabled: false },
    enableMetricsReporting: false,
    reconnectionConfig: FAST_RECONNECT,
    invocationTimeoutMs: 10_000,
    ...options,
  });
}

const SDK_CONNECTION_ERRORS = ['[iii] WebSocket error', '[iii] Max reconnection retries'];

/**
 * Records, instead of printing, the "[iii] WebSocket error …" (and "Max reconnection retries") lines iii-sdk writes with
 * console.error while a worker reconnects to an engine the test stopped on purpose. Any other
 * console.error still prints. Call `mockRestore()` on the result when the window is over.
 */
export function recordSdkConnectionErrors(): jest.SpyInstance {
  const print = console.error.bind(console);
  return jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    if (typeof args[0] === 'string' && SDK_CONNECTION_ERRORS.some((prefix) => (args[0] as string).startsWith(prefix))) return;
    print(...args);
  });
}

export interface WaitForOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Shown in the timeout error. */
  description?: string;
}

/**
 * Polls `condition` until it returns a truthy value (which is returned) or throws no more.
 * Rejects after `timeoutMs` (default 5000) with the last error or a timeout message.
 */
export async function waitFor<T>(condition: () => T | Promise<T>, options: WaitForOptions = {}): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const intervalMs = options.intervalMs ?? 20;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value !== undefined && value !== null && value !== false && value !== 0 && value !== '') {
        return value as NonNullable<T>;
      }
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const what = options.description ?? 'condition';
      const reason = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new Error(`waitFor timed out after ${timeoutMs}ms waiting for ${what}${reason}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

interface FunctionsListResult {
  functions: Array<{ function_id: string }>;
}

/** Waits until every id is listed by `engine::functions::list` (registrations are not acknowledged). */
export async function waitForFunctions(client: IIIClient, ids: readonly string[], timeoutMs = 5_000): Promise<void> {
  await waitFor(
    async () => {
      const listed = await client.trigger<unknown, FunctionsListResult>({
        function_id: 'engine::functions::list',
        payload: { include_internal: true },
      });
      const present = new Set(listed.functions.map((fn) => fn.function_id));
      return ids.every((id) => present.has(id));
    },
    { timeoutMs, description: `functions ${ids.join(', ')}` },
  );
}

interface RegisteredTriggersResult {
  registered_triggers: Array<{ id: string; function_id: string; trigger_type: string }>;
}

/** Waits until a trigger bound to `functionId` is registered (not parked). */
export async function waitForTrigger(client: IIIClient, functionId: string, timeoutMs = 5_000): Promise<void> {
  await waitFor(
    async () => {
      const listed = await client.trigger<unknown, RegisteredTriggersResult>({
        function_id: 'engine::registered-triggers::list',
        payload: { function_id: functionId, include_internal: true },
      });
      return listed.registered_triggers.length > 0;
    },
    { timeoutMs, description: `a registered trigger for ${functionId}` },
  );
}

/**
 * One engine plus the workers a test opens; `close()` shuts the workers down, then the engine.
 * Typical use: `const h = await TestHarness.start(); const a = h.worker('a'); … await h.close();`
 */
export class TestHarness {
  private readonly clients: IIIClient[] = [];

  private constructor(readonly engine: EngineHandle) {}

  static async start(options: StartEngineOptions = {}): Promise<TestHarness> {
    return new TestHarness(await startTestEngine(options));
  }

  get urls(): EngineHandle['urls'] {
    return this.engine.urls;
  }

  worker(name?: string, options: InitOptions = {}): IIIClient {
    const client = connectWorker(this.engine.urls.worker, { ...(name !== undefined && { workerName: name }), ...options });
    this.clients.push(client);
    return client;
  }

  /** Shuts one worker down now (e.g. to test disconnect handling). */
  async stopWorker(client: IIIClient): Promise<void> {
    const index = this.clients.indexOf(client);
    if (index >= 0) this.clients.splice(index, 1);
    await client.shutdown();
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((client) => client.shutdown()));
    await this.engine.close();
  }
}

/** The ids `engine::functions::list` shows this client (default filter). */
export async function listFunctionIds(client: IIIClient): Promise<string[]> {
  const listed = await client.trigger<unknown, FunctionsListResult>({ function_id: 'engine::functions::list', payload: {} });
  return listed.functions.map((fn) => fn.function_id);
}

/** The `InvocationError` a call rejects with; fails the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<InvocationError> {
  try {
    await promise;
  } catch (err) {
    return err as InvocationError;
  }
  throw new Error('expected a rejection');
}
