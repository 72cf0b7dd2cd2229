import type { EngineCore } from '../../core/engine-core';
import type { EngineWorker } from '../../core/types';
import { Discovery } from './discovery';
import { functionBuiltins } from './functions';
import { Observability } from './observability';
import { triggerBuiltins } from './triggers';
import { workerBuiltins } from './workers';

export const ENGINE_FUNCTIONS_WORKER = 'iii-engine-functions';
export const OBSERVABILITY_WORKER = 'iii-observability';

/**
 * `iii-engine-functions` (spec §6.1–6.9, §6.11, §6.13). Unlike the other built-ins it reads the
 * registries themselves, so it is built from the core rather than from an `EngineContext`.
 */
export function createEngineFunctionsWorker(core: EngineCore): EngineWorker {
  const discovery = new Discovery(core);
  return {
    name: ENGINE_FUNCTIONS_WORKER,
    async start(context) {
      for (const fn of [...workerBuiltins(core), ...functionBuiltins(core), ...triggerBuiltins(core)]) {
        context.registerFunction(fn);
      }
      for (const type of discovery.triggerTypes()) context.registerTriggerType(type);
      discovery.start();
    },
    async stop() {
      discovery.stop();
    },
  };
}

/** `iii-observability` (spec §6.12): log ring, health, baggage, `log` trigger type. */
export function createObservabilityWorker(core: EngineCore): EngineWorker {
  const observability = new Observability(core);
  return {
    name: OBSERVABILITY_WORKER,
    async start(context) {
      for (const fn of observability.functions()) context.registerFunction(fn);
      for (const type of observability.triggerTypes()) context.registerTriggerType(type);
    },
    async stop() {
      observability.logs.clear();
    },
  };
}
