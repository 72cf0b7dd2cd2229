import type { InstanceRecord } from '../container/injector';
import type { Logger } from '../logger';

/** Implement on a provider or controller to run once it and its dependencies exist. */
export interface OnModuleInit {
  onModuleInit(): unknown;
}
/** Runs after every module is initialised and the triggers are registered (`listen()`). */
export interface OnApplicationBootstrap {
  onApplicationBootstrap(): unknown;
}
/** Runs first on `close()`, dependants before their dependencies. */
export interface OnModuleDestroy {
  onModuleDestroy(): unknown;
}
/** Runs last on `close()`, after the worker is shut down; receives the signal if one caused it. */
export interface OnApplicationShutdown {
  onApplicationShutdown(signal?: string): unknown;
}

export type LifecycleHook = 'onModuleInit' | 'onApplicationBootstrap' | 'onModuleDestroy' | 'onApplicationShutdown';

/**
 * Calls `hook` on every instance that has it, one at a time: in creation order (dependencies
 * first) for start-up hooks, reversed for shutdown hooks. A failing start-up hook aborts;
 * a failing shutdown hook is logged so the rest of the shutdown still happens.
 */
export async function runHook(records: readonly InstanceRecord[], hook: LifecycleHook, logger: Logger, arg?: string): Promise<void> {
  const shutdown = hook === 'onModuleDestroy' || hook === 'onApplicationShutdown';
  const ordered = shutdown ? [...records].reverse() : records;
  const done = new Set<unknown>();
  for (const record of ordered) {
    const instance = record.instance as Record<string, unknown> | null;
    if (instance === null || typeof instance !== 'object' || done.has(instance)) continue;
    const fn = instance[hook];
    if (typeof fn !== 'function') continue;
    done.add(instance);
    if (!shutdown) {
      await fn.call(instance, arg);
      continue;
    }
    try {
      await fn.call(instance, arg);
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      logger.error(`${hook} of ${instance.constructor.name} failed: ${err.message}`, err.stack);
    }
  }
}
