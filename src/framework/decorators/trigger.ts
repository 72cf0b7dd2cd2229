import { addTrigger } from '../metadata/reflection';
import type { TriggerMeta } from '../metadata/types';
import { methodName, optionalString, rejectUnknownKeys, requireOptionsObject } from './checks';

/** Builds a method decorator that records one trigger; `build` receives the method name. */
export function triggerDecorator(decorator: string, build: (method: string) => TriggerMeta): MethodDecorator {
  return (target, propertyKey) => {
    addTrigger(target, build(methodName(decorator, propertyKey)));
  };
}

export function optionalFunctionId(decorator: string, value: unknown): string | undefined {
  return optionalString(decorator, 'functionId', value);
}

/** Reads an options argument whose only key is `functionId` (`@Cron`, `@Subscribe`, `@OnQueue`). */
export function functionIdOption(decorator: string, options: unknown): string | undefined {
  const opts = requireOptionsObject(decorator, options) as { functionId?: unknown };
  rejectUnknownKeys(decorator, opts, ['functionId']);
  return optionalFunctionId(decorator, opts.functionId);
}
