import type { TriggerKind, Type } from '../metadata/types';

/**
 * What guards, interceptors, pipes, filters and custom parameter decorators see of a call: which
 * trigger fired, on which class and method, and the raw engine payload. Also the "host" a filter
 * receives.
 */
export interface ExecutionContext {
  readonly kind: TriggerKind;
  readonly functionId: string;
  readonly class: Type;
  readonly method: string;
  /** The engine payload (for `http`, the iii request: headers, path_params, query_params, body, ...). */
  readonly payload: unknown;
}

/** Decides whether a call may proceed; `false` ⇒ 403 for HTTP, refusal for stream joins, an error otherwise. */
export interface CanActivate {
  canActivate(context: ExecutionContext): boolean | Promise<boolean>;
}

/** What an interceptor calls to run the rest of the pipeline (the next interceptor, pipes, the method). */
export interface CallHandler<T = unknown> {
  handle(): Promise<T>;
}

/**
 * Wraps the call: code before `next.handle()` runs before the method, code after it sees the result.
 * Return a different value to map the result, or skip `next.handle()` to short-circuit (a cache).
 * NestJS uses RxJS observables here; promises carry the same before/after/short-circuit shape.
 */
export interface NestInterceptor<T = unknown, R = unknown> {
  intercept(context: ExecutionContext, next: CallHandler<T>): R | Promise<R>;
}

/** Where a parameter's value came from, as a pipe sees it. */
export interface ArgumentMetadata {
  readonly type: 'body' | 'query' | 'param' | 'event' | 'custom';
  /** The parameter's declared type (the compiler's `design:paramtypes`), when known. */
  readonly metatype?: unknown;
  /** The field name given to the decorator (`@Param('id')` ⇒ `'id'`). */
  readonly data?: string;
}

/** Transforms or validates one argument; throw (e.g. `BadRequestException`) to refuse it. */
export interface PipeTransform<T = unknown, R = unknown> {
  transform(value: T, metadata: ArgumentMetadata): R | Promise<R>;
}

/**
 * Handles an exception thrown by a guard, interceptor, pipe or the method. What it returns becomes
 * the method's result (for HTTP an `HttpResult` gives full control); what it throws is handled as
 * if the method had thrown it. `@Catch(Type)` limits it to some exception types.
 */
export interface ExceptionFilter<E = unknown> {
  catch(exception: E, host: ExecutionContext): unknown;
}

/** A guard instance, or a guard class built once with the controller module's providers. */
export type GuardRef = CanActivate | Type<CanActivate>;
/** An interceptor instance or class (built with the controller module's providers). */
export type InterceptorRef = NestInterceptor | Type<NestInterceptor>;
/** A pipe instance or class (built with the controller module's providers). */
export type PipeRef = PipeTransform | Type<PipeTransform>;
/** A filter instance or class (built with the controller module's providers). */
export type FilterRef = ExceptionFilter | Type<ExceptionFilter>;

/** The four kinds of enhancer and the method each must have. */
export const ENHANCER_METHOD = {
  guards: 'canActivate',
  interceptors: 'intercept',
  pipes: 'transform',
  filters: 'catch',
} as const;
export type EnhancerKind = keyof typeof ENHANCER_METHOD;

/** Enhancers that apply to every trigger of an application (`app.useGlobalPipes(...)`, ...). */
export interface GlobalEnhancers {
  readonly guards: readonly GuardRef[];
  readonly interceptors: readonly InterceptorRef[];
  readonly pipes: readonly PipeRef[];
  readonly filters: readonly FilterRef[];
}

export const NO_GLOBALS: GlobalEnhancers = { guards: [], interceptors: [], pipes: [], filters: [] };
