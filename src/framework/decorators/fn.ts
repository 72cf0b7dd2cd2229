import type { FnTriggerMeta } from '../metadata/types';
import { optionalFunctionId, triggerDecorator } from './trigger';

/** A plain function other workers can `trigger` by id (default `<prefix>::<method-name>`). */
export function Fn(id?: string): MethodDecorator {
  const name = `@Fn(${id === undefined ? '' : `'${String(id)}'`})`;
  const functionId = optionalFunctionId(name, id);
  return triggerDecorator(name, (method): FnTriggerMeta => ({
    kind: 'fn',
    method,
    ...(functionId !== undefined ? { functionId } : {}),
  }));
}
