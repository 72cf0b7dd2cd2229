import type { Logger } from '../logger';
import type { ModuleClass, TriggerMeta, Type } from '../metadata/types';
import type { TriggerDefinition } from './explorer';

/**
 * A predicate condition (`@OnStateChange(scope, { condition: (e) => … })`) becomes a function of its
 * own, `<functionId>::condition`, that the engine calls before the handler (`condition_function_id`):
 * the same mechanism as a condition given by id, so it behaves alike on any iii engine. A throwing
 * predicate logs and answers `false` (the engine skips the call on an error too).
 */
export function conditionDefinition(
  meta: TriggerMeta,
  functionId: string,
  owner: { module: ModuleClass; class: Type },
  logger: Logger,
): TriggerDefinition | null {
  if (meta.kind !== 'state' || typeof meta.condition !== 'function') return null;
  const predicate = meta.condition as (event: unknown) => boolean | Promise<boolean>;
  const id = `${functionId}::condition`;
  return {
    kind: 'fn',
    functionId: id,
    triggerType: null,
    config: null,
    module: owner.module,
    class: owner.class,
    method: `${meta.method} (condition)`,
    invoke: async (payload) => {
      try {
        return (await predicate(payload)) !== false;
      } catch (error) {
        const err = error instanceof Error ? error : new Error(String(error));
        logger.error(`${id} failed; skipping the call: ${err.message}`, err.stack);
        return false;
      }
    },
  };
}
