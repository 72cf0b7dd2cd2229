import { META } from './keys';
import type { EnhancerKind } from '../pipeline/types';
import type { ControllerMetadata, ModuleMetadata, ParamMeta, StreamPublishMeta, Token, TriggerMeta, Type } from './types';

/**
 * The only place that touches `Reflect.*Metadata`. Decorators call the writers; the container and
 * the explorer call the readers, once, at bootstrap.
 */

type Target = object;

// ---- writers -------------------------------------------------------------------------------

export function writeModule(target: Target, meta: ModuleMetadata): void {
  Reflect.defineMetadata(META.module, meta, target);
}

export function writeController(target: Target, meta: ControllerMetadata): void {
  Reflect.defineMetadata(META.controller, meta, target);
}

export function writeInjectable(target: Target): void {
  Reflect.defineMetadata(META.injectable, true, target);
}

/** `@Inject(token)` on constructor parameter `index`. */
export function writeInjectToken(target: Target, index: number, token: Token): void {
  const current: ReadonlyMap<number, Token> = Reflect.getOwnMetadata(META.inject, target) ?? new Map();
  const next = new Map(current);
  next.set(index, token);
  Reflect.defineMetadata(META.inject, next, target);
}

/** Adds a trigger to a controller class (decorators run per method; the list is per class). */
export function addTrigger(controller: Target, meta: TriggerMeta): void {
  const current: readonly TriggerMeta[] = Reflect.getOwnMetadata(META.triggers, controller) ?? [];
  Reflect.defineMetadata(META.triggers, [...current, meta], controller);
}

export function addParam(controller: Target, method: string, meta: ParamMeta): void {
  const current: readonly ParamMeta[] = Reflect.getOwnMetadata(META.params, controller, method) ?? [];
  Reflect.defineMetadata(META.params, [...current, meta], controller, method);
}

export function writeStreamPublish(controller: Target, meta: StreamPublishMeta): void {
  const current: readonly StreamPublishMeta[] = Reflect.getOwnMetadata(META.streamPublish, controller) ?? [];
  Reflect.defineMetadata(META.streamPublish, [...current, meta], controller);
}

/** `@UseGuards`/`@UsePipes`/`@UseInterceptors`/`@UseFilters` on a class (`method` undefined) or on one method. */
export function addEnhancers(kind: EnhancerKind, target: Target, method: string | undefined, refs: readonly unknown[]): void {
  const key = META[kind];
  const current: readonly unknown[] =
    (method === undefined ? Reflect.getOwnMetadata(key, target) : Reflect.getOwnMetadata(key, target, method)) ?? [];
  if (method === undefined) Reflect.defineMetadata(key, [...current, ...refs], target);
  else Reflect.defineMetadata(key, [...current, ...refs], target, method);
}

/** `@Catch(...types)` on an exception filter class. */
export function writeCatch(target: Target, types: readonly Type[]): void {
  Reflect.defineMetadata(META.catch, types, target);
}

/** `@Global()` on a module class. */
export function writeGlobal(target: Target): void {
  Reflect.defineMetadata(META.global, true, target);
}

// ---- readers -------------------------------------------------------------------------------

export function readModule(target: Target): ModuleMetadata | undefined {
  return Reflect.getOwnMetadata(META.module, target);
}

export function readController(target: Target): ControllerMetadata | undefined {
  return Reflect.getOwnMetadata(META.controller, target);
}

export function isInjectable(target: Target): boolean {
  return Reflect.getOwnMetadata(META.injectable, target) === true;
}

/**
 * A class's constructor dependencies: `@Inject` overrides first, then the compiler's
 * `design:paramtypes`. `undefined` marks a parameter whose type is unknowable at runtime.
 */
export function readConstructorDeps(cls: Type): Array<Token | undefined> {
  const designTypes: unknown[] = Reflect.getMetadata(META.designParamTypes, cls) ?? [];
  const overrides: ReadonlyMap<number, Token> = Reflect.getOwnMetadata(META.inject, cls) ?? new Map();
  const count = Math.max(designTypes.length, cls.length, ...[...overrides.keys()].map((i) => i + 1));
  const deps: Array<Token | undefined> = [];
  for (let i = 0; i < count; i++) {
    const override = overrides.get(i);
    deps.push(override !== undefined ? override : usableToken(designTypes[i]));
  }
  return deps;
}

/**
 * True for a class with constructor parameters the compiler recorded no types for: it has no class
 * decorator (the usual cause: a forgotten `@Injectable()`) and not every parameter has `@Inject`.
 */
export function lacksParamTypes(cls: Type): boolean {
  if (Reflect.getMetadata(META.designParamTypes, cls) !== undefined) return false;
  const overrides: ReadonlyMap<number, Token> = Reflect.getOwnMetadata(META.inject, cls) ?? new Map();
  return cls.length > overrides.size;
}

/** `@Inject` overrides of a class's constructor parameters, by index. */
export function readInjectOverrides(cls: Type): ReadonlyMap<number, Token> {
  return Reflect.getOwnMetadata(META.inject, cls) ?? new Map();
}

/** What the compiler emits for interfaces, unions, primitives and built-ins: never a token nor a DTO. */
const DESIGN_BUILT_INS: ReadonlySet<unknown> = new Set([Object, String, Number, Boolean, Array, Function, Promise]);

export function isDesignBuiltIn(designType: unknown): boolean {
  return DESIGN_BUILT_INS.has(designType);
}

/** Built-ins and `undefined` (interfaces, unions or cyclic imports) are no usable token. */
function usableToken(designType: unknown): Token | undefined {
  if (typeof designType !== 'function' || isDesignBuiltIn(designType)) return undefined;
  return designType as Type;
}

/** Triggers of a controller, own and inherited (a base controller's triggers carry over). */
export function readTriggers(controller: Type): readonly TriggerMeta[] {
  return Reflect.getMetadata(META.triggers, controller.prototype) ?? [];
}

export function readParams(controller: Type, method: string): readonly ParamMeta[] {
  return Reflect.getMetadata(META.params, controller.prototype, method) ?? [];
}

export function readMethodParamTypes(controller: Type, method: string): readonly unknown[] {
  return Reflect.getMetadata(META.designParamTypes, controller.prototype, method) ?? [];
}

export function readStreamPublish(controller: Type): readonly StreamPublishMeta[] {
  return Reflect.getMetadata(META.streamPublish, controller.prototype) ?? [];
}

/** Enhancers of one kind on a controller class and on one of its methods (own and inherited). */
export function readEnhancers<R>(kind: EnhancerKind, controller: Type, method: string): { onClass: readonly R[]; onMethod: readonly R[] } {
  return {
    onClass: Reflect.getMetadata(META[kind], controller) ?? [],
    onMethod: Reflect.getMetadata(META[kind], controller.prototype, method) ?? [],
  };
}

/** The exception types a filter class handles (`[]`: every exception). */
export function readCatch(filter: object): readonly Type[] {
  return Reflect.getMetadata(META.catch, filter) ?? [];
}

export function isGlobalModule(target: Target): boolean {
  return Reflect.getOwnMetadata(META.global, target) === true;
}
