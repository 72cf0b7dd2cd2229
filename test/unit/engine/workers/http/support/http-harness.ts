/**
 * A started `iii-http` worker on port 0 over the shared fake engine context, with helpers that
 * bind routes exactly as the engine core's trigger registry would.
 */
import type { TriggerRecord } from '../../../../../../src/engine/core/types';
import { HttpWorker, createHttpWorker } from '../../../../../../src/engine/workers/http';
import type { HttpChannelHooks } from '../../../../../../src/engine/workers/http';
import { parseHttpConfig } from '../../../../../../src/engine/workers/http/config';
import { FakeEngineContext } from '../../../../../fakes/fake-engine-context';

let triggerSeq = 0;

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
  if (!ctx.triggerTypes.has('http')) throw new Error('the http trigger type was not registered');
  return {
    ctx,
    worker,
    url: worker.url()!,
    async route(triggerConfig, functionId, extra = {}) {
      const record: TriggerRecord = {
        id: `trigger-${++triggerSeq}`,
        trigger_type: 'http',
        function_id: functionId,
        config: triggerConfig,
        ...extra,
      };
      await ctx.registerTrigger(record);
      return record;
    },
    unroute: (trigger) => ctx.unregisterTrigger(trigger),
    close: () => worker.stop(),
  };
}
