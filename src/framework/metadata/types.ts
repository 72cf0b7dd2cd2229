import type { ExecutionContext, PipeRef } from '../pipeline/types';

/**
 * The records decorators write and the application reads. Plain data: no behaviour lives here.
 */

/**
 * A class, whatever its constructor parameters (the framework supplies them). `never[]` accepts
 * every parameter list without resorting to `any`.
 */
export type Type<T = unknown> = new (...args: never[]) => T;

/** A class usable as a token (abstract classes included: they make good interface tokens). */
export type AbstractType<T = unknown> = abstract new (...args: never[]) => T;

/** What a provider is registered under and injected by. */
export type Token<T = unknown> = Type<T> | AbstractType<T> | string | symbol;

export interface ClassProvider<T = unknown> {
  provide: Token<T>;
  useClass: Type<T>;
}
export interface ValueProvider<T = unknown> {
  provide: Token<T>;
  useValue: T;
}
export interface FactoryProvider<T = unknown> {
  provide: Token<T>;
  useFactory: (...deps: never[]) => T | Promise<T>;
  inject?: Token[];
}
/** An alias: `provide` resolves to the same instance as `useExisting`. */
export interface ExistingProvider<T = unknown> {
  provide: Token<T>;
  useExisting: Token<T>;
}
export type Provider<T = unknown> = Type<T> | ClassProvider<T> | ValueProvider<T> | FactoryProvider<T> | ExistingProvider<T>;

/** A class decorated with `@Module`. */
export type ModuleClass = Type;

/**
 * A module configured at import time (`ConfigModule.forRoot(...)`, `DatabaseModule.forFeature(...)`):
 * the class's own `@Module` metadata plus these imports, providers, controllers and exports. Each
 * call's object is its own module instance; `global: true` makes its exports visible everywhere.
 */
export interface DynamicModule extends ModuleMetadata {
  module: ModuleClass;
  global?: boolean;
}

/** What `imports` accepts: a module class or a dynamic module. */
export type ModuleImport = ModuleClass | DynamicModule;

export interface ModuleMetadata {
  imports?: ModuleImport[];
  providers?: Provider[];
  controllers?: Type[];
  /** Provider tokens of this module, or imported modules (classes or dynamic modules) to re-export. */
  exports?: Array<Token | ModuleClass | DynamicModule>;
}

export interface ControllerMetadata {
  /** Path prefix for `@Http` routes and namespace for derived function ids ('' when none). */
  prefix: string;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD' | 'OPTIONS';
export type StateEventName = 'state:created' | 'state:updated' | 'state:deleted';

interface TriggerMetaBase {
  /** The decorated method's name. */
  method: string;
  /** Explicit function id; derived from the controller prefix and method name when absent. */
  functionId?: string;
}
export interface HttpTriggerMeta extends TriggerMetaBase {
  kind: 'http';
  httpMethod: HttpMethod;
  path: string;
  status?: number;
  middleware?: string[];
}
export interface StateTriggerMeta extends TriggerMetaBase {
  kind: 'state';
  scope: string;
  key?: string;
  events?: StateEventName[];
  /** A function id, or a predicate registered as `<functionId>::condition`. */
  condition?: string | ((event: never) => boolean | Promise<boolean>);
  /** The engine's retry config for this reaction (wire names). */
  retry?: Record<string, number>;
  /** Keys of the scope this reaction handles at once on the embedded engine (its `concurrency`). */
  concurrency?: number;
}
export interface StreamTriggerMeta extends TriggerMetaBase {
  kind: 'stream';
  streamName: string;
  group?: string;
  item?: string;
}
export interface StreamJoinLeaveTriggerMeta extends TriggerMetaBase {
  kind: 'stream:join' | 'stream:leave';
  /** Only react to subscriptions of this stream (the engine fires every join/leave trigger). */
  streamName?: string;
}
export interface CronTriggerMeta extends TriggerMetaBase {
  kind: 'cron';
  expression: string;
}
export interface PubSubTriggerMeta extends TriggerMetaBase {
  kind: 'subscribe';
  topic: string;
}
export interface QueueTriggerMeta extends TriggerMetaBase {
  kind: 'queue';
  queue?: string;
  /** The consumer's own retry policy, carried by each job `Queue.enqueue` makes for it. */
  retry?: QueueRetry;
}
/** Retries of one queue consumer's jobs: `maxAttempts` deliveries in all, the first retry after `backoffMs`, doubling. */
export interface QueueRetry {
  readonly maxAttempts?: number;
  readonly backoffMs?: number;
}
export interface FnTriggerMeta extends TriggerMetaBase {
  kind: 'fn';
}

export type TriggerMeta =
  | HttpTriggerMeta
  | StateTriggerMeta
  | StreamTriggerMeta
  | StreamJoinLeaveTriggerMeta
  | CronTriggerMeta
  | PubSubTriggerMeta
  | QueueTriggerMeta
  | FnTriggerMeta;
export type TriggerKind = TriggerMeta['kind'];

export type ParamKind = 'body' | 'param' | 'query' | 'headers' | 'req' | 'event' | 'custom';
export interface ParamMeta {
  index: number;
  kind: ParamKind;
  /** A single field (`@Param('id')`); the whole object when absent. */
  name?: string;
  /** Pipes of this parameter only (`@Param('id', ParseIntPipe)`), run after every wider pipe. */
  pipes?: readonly PipeRef[];
  /** `createParamDecorator`: computes the value from the call's context. */
  factory?: (data: unknown, context: ExecutionContext) => unknown;
  /** `createParamDecorator`: what the decorator was given (`@User('email')` ⇒ `'email'`). */
  data?: unknown;
}

/** `@Stream(...)`: publish what the method returns to a stream. */
export interface StreamPublishOptions<R = unknown, E = unknown> {
  /** Stream group: fixed, or computed from the result and the triggering event. */
  group: string | ((result: R, event: E) => string);
  /** `event`: a custom event via `stream::send`; `item`: upsert/delete an item via `stream::set|delete`. */
  mode: 'event' | 'item';
  /** Event type for `mode: 'event'` (default: the method name in kebab-case). */
  type?: string;
  /** Item id (mode `item`: default `result.id`); optional event id for mode `event`. */
  id?: (result: R, event: E) => string;
  /** Mode `item`: delete the item instead of setting it when this returns true. */
  delete?: (result: R, event: E) => boolean;
}
export interface StreamPublishMeta {
  method: string;
  streamName: string;
  options: StreamPublishOptions;
}
