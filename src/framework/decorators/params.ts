import { addParam } from '../metadata/reflection';
import type { ParamKind } from '../metadata/types';
import { describe, invalid, methodName } from './checks';

function param(decorator: string, kind: ParamKind, name: unknown): ParameterDecorator {
  if (name !== undefined && (typeof name !== 'string' || name === '')) {
    throw invalid(decorator, `name must be a non-empty string (got ${describe(name)})`);
  }
  return (target, propertyKey, index) => {
    if (propertyKey === undefined) throw invalid(decorator, 'only method parameters can be decorated');
    addParam(target, methodName(decorator, propertyKey), {
      index,
      kind,
      ...(name !== undefined ? { name: name as string } : {}),
    });
  };
}

/** The HTTP body (or a non-HTTP trigger's payload); validated when its type is a class. */
export const Body = (): ParameterDecorator => param('@Body()', 'body', undefined);
/** A path parameter by name, or all path parameters. */
export const Param = (name?: string): ParameterDecorator => param('@Param()', 'param', name);
/** A query parameter by name, or all query parameters. */
export const Query = (name?: string): ParameterDecorator => param('@Query()', 'query', name);
/** A request header by (case-insensitive) name, or all headers. */
export const Headers = (name?: string): ParameterDecorator =>
  param('@Headers()', 'headers', typeof name === 'string' ? name.toLowerCase() : name);
/** The raw iii HTTP request payload. */
export const Req = (): ParameterDecorator => param('@Req()', 'req', undefined);
/** The raw trigger payload, whatever the trigger kind. */
export const Event = (): ParameterDecorator => param('@Event()', 'event', undefined);
