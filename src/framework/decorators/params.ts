import { addParam } from '../metadata/reflection';
import type { ParamKind } from '../metadata/types';
import type { ExecutionContext, PipeRef } from '../pipeline/types';
import { describe, invalid, methodName } from './checks';
import { checkEnhancers } from './enhancers';

/** `(name?, ...pipes)`: a first argument that is not a string is the first pipe (`@Body(ValidationPipe)`). */
function param(decorator: string, kind: ParamKind, args: readonly unknown[], lowerCase = false): ParameterDecorator {
  const [first, ...rest] = args;
  const named = first === undefined || typeof first === 'string';
  if (first !== undefined && typeof first === 'string' && first === '') {
    throw invalid(decorator, `name must be a non-empty string (got ${describe(first)})`);
  }
  const name = named ? (first as string | undefined) : undefined;
  const pipes = (named ? rest : args) as PipeRef[];
  checkEnhancers(decorator, 'pipes', pipes);
  return (target, propertyKey, index) => {
    if (propertyKey === undefined) throw invalid(decorator, 'only method parameters can be decorated');
    addParam(target, methodName(decorator, propertyKey), {
      index,
      kind,
      ...(name !== undefined ? { name: lowerCase ? name.toLowerCase() : name } : {}),
      ...(pipes.length > 0 ? { pipes } : {}),
    });
  };
}

/** The HTTP body, or one field of it (or a non-HTTP trigger's payload); validated when its type is a class. */
export const Body = (property?: string | PipeRef, ...pipes: PipeRef[]): ParameterDecorator =>
  param('@Body()', 'body', [property, ...pipes]);
/** A path parameter by name (`@Param('id', ParseIntPipe)`), or all path parameters. */
export const Param = (name?: string | PipeRef, ...pipes: PipeRef[]): ParameterDecorator => param('@Param()', 'param', [name, ...pipes]);
/** A query parameter by name, or all query parameters. */
export const Query = (name?: string | PipeRef, ...pipes: PipeRef[]): ParameterDecorator => param('@Query()', 'query', [name, ...pipes]);
/** A request header by (case-insensitive) name, or all headers. */
export const Headers = (name?: string): ParameterDecorator => param('@Headers()', 'headers', [name], true);
/** The raw iii HTTP request payload. */
export const Req = (): ParameterDecorator => param('@Req()', 'req', []);
/** The raw trigger payload, whatever the trigger kind; pipes may follow (`@Event(MyPipe)`). */
export const Event = (...pipes: PipeRef[]): ParameterDecorator => param('@Event()', 'event', [undefined, ...pipes]);

/**
 * Makes a parameter decorator whose value `factory` computes from the call's context
 * (`createParamDecorator((data, ctx) => headerOf(ctx.payload, 'x-user'))`). The decorator takes an
 * optional `data` argument handed to the factory, then pipes.
 */
export function createParamDecorator<D = unknown, R = unknown>(
  factory: (data: D, context: ExecutionContext) => R,
): (data?: D, ...pipes: PipeRef[]) => ParameterDecorator {
  if (typeof factory !== 'function') throw invalid('createParamDecorator()', `factory must be a function (got ${describe(factory)})`);
  return (data, ...pipes) => {
    checkEnhancers('custom parameter decorator', 'pipes', pipes);
    return (target, propertyKey, index) => {
      if (propertyKey === undefined) throw invalid('custom parameter decorator', 'only method parameters can be decorated');
      addParam(target, methodName('custom parameter decorator', propertyKey), {
        index,
        kind: 'custom',
        factory: factory as (data: unknown, context: ExecutionContext) => unknown,
        data,
        ...(pipes.length > 0 ? { pipes } : {}),
      });
    };
  };
}
