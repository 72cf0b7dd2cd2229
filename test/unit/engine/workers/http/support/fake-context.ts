/**
 * A fake EngineContext for the `iii-http` unit tests: functions are plain in-test handlers, every
 * invocation is recorded, and the `http` trigger type's provider is captured so tests bind routes
 * exactly as the engine core would.
 */
import { EngineError, toEngineError } from '../../../../../../src/engine/core/errors';
import type {
  BuiltinFunction,
  BuiltinTriggerType,
  EngineContext,
  EngineLogger,
  EngineStorage,
  FunctionHandler,
  InvocationOptions,
  TriggerRecord,
} from '../../../../../../src/engine/core/types';
import { HttpWorker, createHttpWorker } from '../../../../../../src/engine/workers/http';
import type { HttpChannelHooks } from '../../../../../../src/engine/workers/http';
import { parseHttpConfig } from '../../../../../../src/engine/workers/http/config';

export interface RecordedCall {
  functionId: string;
  data: unknown;
  options: InvocationOptions | undefined;
}

export class FakeEngineContext implements EngineContext {
  readonly functions = new Map<string, FunctionHandler>();
  readonly calls: RecordedCall[] = [];
  readonly triggerTypes: BuiltinTriggerType[] = [];
  readonly logs: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];

  readonly logger: EngineLogger = {
    debug: (message, fields) => this.logs.push({ level: 'debug', message, fields }),
    info: (message, fields) => this.logs.push({ level: 'info', message, fields }),
    warn: (message, fields) => this.logs.push({ level: 'warn', message, fields }),
    error: (message, fields) => this.logs.push({ level: 'error', message, fields }),
  };

  get storage(): EngineStorage {
    throw new Error('the http worker must not touch storage');
  }

  registerFunction(fn: BuiltinFunction): void {
    this.functions.set(fn.id, fn.handler);
  }

  registerTriggerType(type: BuiltinTriggerType): void {
    this.triggerTypes.push(type);
  }

  /** Like the engine: unknown ids reject with `function_not_found`, throws become EngineErrors. */
  async invoke(functionId: string, data: unknown, options?: InvocationOptions): Promise<unknown> {
    this.calls.push({ functionId, data, options });
    const handler = this.functions.get(functionId);
    if (handler === undefined) throw new EngineError('function_not_found', `Function ${functionId} not found`);
    try {
      return await handler(data, options ?? {});
    } catch (err) {
      throw toEngineError(err, 'invocation_failed');
    }
  }

  hasFunction(functionId: string): boolean {
    return this.functions.has(functionId);
  }

  fire(): void {
    throw new Error('the http worker must not fire triggers');
  }

  /** Registers an in-test function. */
  fn(id: string, handler: FunctionHandler): this {
    this.functions.set(id, handler);
    return this;
  }

  callsOf(functionId: string): RecordedCall[] {
    return this.calls.filter((call) => call.functionId === functionId);
  }
}

let triggerSeq = 0;

/** A started `iii-http` worker on port 0 with its fake engine, and helpers to bind routes. */
export interface HttpHarness {
  readonly ctx: FakeEngineContext;
  readonly worker: HttpWorker;
  readonly url: string;
  /** Binds an `http` trigger (throws like the provider does); resolves the trigger record. */
  route(config: Record<string, unknown>, functionId: string, extra?: Partial<TriggerRecord>): Promise<TriggerRecord>;
  unroute(trigger: TriggerRecord): Promise<void>;
  close(): Promise<void>;
}

export async function startHttp(config: Record<string, unknown> = {}, channels?: HttpChannelHooks): Promise<HttpHarness> {
  const ctx = new FakeEngineContext();
  const merged = { host: '127.0.0.1', port: 0, ...config };
  const worker = channels === undefined ? (createHttpWorker(merged) as HttpWorker) : new HttpWorker(parseHttpConfig(merged), channels);
  await worker.start(ctx);
  const type = ctx.triggerTypes.find((t) => t.id === 'http');
  if (type === undefined) throw new Error('the http trigger type was not registered');
  return {
    ctx,
    worker,
    url: worker.url()!,
    async route(triggerConfig, functionId, extra = {}) {
      const record: TriggerRecord = { id: `trigger-${++triggerSeq}`, trigger_type: 'http', function_id: functionId, config: triggerConfig, ...extra };
      await type.provider.register(record);
      return record;
    },
    async unroute(trigger) {
      await type.provider.unregister(trigger);
    },
    close: () => worker.stop(),
  };
}

/** A promise with its resolver exposed, to hold a handler until the test lets it go. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Polls `condition` every 5 ms for at most `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
