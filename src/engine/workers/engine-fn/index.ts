import type { EngineContext, EngineWorker } from '../../core/types';
import { Discovery } from './discovery';
import { functionBuiltins } from './functions';
import { Observability } from './observability';
import { triggerBuiltins } from './triggers';
import { workerBuiltins } from './workers';

export const ENGINE_FUNCTIONS_WORKER = 'iii-engine-functions';
export const OBSERVABILITY_WORKER = 'iii-observability';

/**
 * `iii-engine-functions` (engine.md §6.1–6.9, §6.11, §6.13): the introspection functions, reading the
 * registries through the context's read-only views.
 */
export function createEngineFunctionsWorker(): EngineWorker {
  let discovery: Discovery | undefined;
  return {
    name: ENGINE_FUNCTIONS_WORKER,
    async start(ctx: EngineContext) {
      for (const fn of [...workerBuiltins(ctx), ...functionBuiltins(ctx), ...triggerBuiltins(ctx)]) {
        ctx.registerFunction(fn);
      }
      discovery = new Discovery(ctx);
      for (const type of discovery.triggerTypes()) ctx.registerTriggerType(type);
      discovery.start();
    },
    async stop() {
      discovery?.stop();
    },
  };
}

/** `iii-observability` (engine.md §6.12): log ring, health, baggage, `log` trigger type. */
export function createObservabilityWorker(): EngineWorker {
  let observability: Observability | undefined;
  return {
    name: OBSERVABILITY_WORKER,
    async start(ctx: EngineContext) {
      observability = new Observability(ctx);
      for (const fn of observability.functions()) ctx.registerFunction(fn);
      for (const type of observability.triggerTypes()) ctx.registerTriggerType(type);
    },
    async stop() {
      observability?.logs.clear();
    },
  };
}
