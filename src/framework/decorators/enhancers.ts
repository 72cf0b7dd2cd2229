import { addEnhancers, writeCatch } from '../metadata/reflection';
import type { Type } from '../metadata/types';
import { ENHANCER_METHOD, type EnhancerKind, type FilterRef, type GuardRef, type InterceptorRef, type PipeRef } from '../pipeline/types';
import { describe, invalid } from './checks';

/** Checks each reference is a class or an instance with the enhancer's method; shared by parameter pipes. */
export function checkEnhancers(decorator: string, kind: EnhancerKind, refs: readonly unknown[]): void {
  const method = ENHANCER_METHOD[kind];
  refs.forEach((ref, i) => {
    const ok =
      typeof ref === 'function' ||
      (ref !== null && typeof ref === 'object' && typeof (ref as Record<string, unknown>)[method] === 'function');
    if (!ok) throw invalid(decorator, `#${i} must be a class or an object with ${method}() (got ${describe(ref)})`);
  });
}

function enhancerDecorator(decorator: string, kind: EnhancerKind, refs: readonly unknown[]): ClassDecorator & MethodDecorator {
  if (refs.length === 0) throw invalid(decorator, `give at least one`);
  checkEnhancers(decorator, kind, refs);
  return (target: object, propertyKey?: string | symbol) => {
    if (propertyKey === undefined) {
      addEnhancers(kind, target, undefined, refs);
      return;
    }
    if (typeof propertyKey !== 'string') throw invalid(decorator, 'cannot decorate a symbol-named method');
    addEnhancers(kind, target, propertyKey, refs);
  };
}

/**
 * Runs guards before the method (class-level guards apply to every method of the controller).
 * A guard class is built once, at bootstrap, with the providers of the controller's module.
 */
export function UseGuards(...guards: GuardRef[]): ClassDecorator & MethodDecorator {
  return enhancerDecorator('@UseGuards()', 'guards', guards);
}

/** Wraps the method (after the guards): see `NestInterceptor`. Outer levels wrap inner ones. */
export function UseInterceptors(...interceptors: InterceptorRef[]): ClassDecorator & MethodDecorator {
  return enhancerDecorator('@UseInterceptors()', 'interceptors', interceptors);
}

/** Pipes for every decorated parameter of the method (or of every method of the class). */
export function UsePipes(...pipes: PipeRef[]): ClassDecorator & MethodDecorator {
  return enhancerDecorator('@UsePipes()', 'pipes', pipes);
}

/** Exception filters; the innermost level is asked first, and the first whose `@Catch` matches handles it. */
export function UseFilters(...filters: FilterRef[]): ClassDecorator & MethodDecorator {
  return enhancerDecorator('@UseFilters()', 'filters', filters);
}

/** Limits an exception filter class to these exception types (none: every exception). */
export function Catch(...types: Type[]): ClassDecorator {
  types.forEach((t, i) => {
    if (typeof t !== 'function') throw invalid('@Catch()', `#${i} must be an exception class (got ${describe(t)})`);
  });
  return (target) => writeCatch(target, types);
}
