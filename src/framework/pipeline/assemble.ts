import type { ModuleNode } from '../container/module-graph';
import { dtoValidator, isDtoClass } from '../http/validation';
import { readEnhancers } from '../metadata/reflection';
import type { ParamMeta, Type } from '../metadata/types';
import { buildFilterStage, type FilterStage } from './filters';
import { buildGuardStage, type GuardStage } from './guards';
import { buildInterceptorStage, type InterceptorStage } from './interceptors';
import { buildPipeChain, type PipeChain } from './pipes';
import type {
  ArgumentMetadata,
  CanActivate,
  EnhancerKind,
  ExceptionFilter,
  GlobalEnhancers,
  NestInterceptor,
  PipeTransform,
} from './types';

/** Builds an enhancer class in a module's scope (through the module's tsyringe container). */
export type EnhancerBuilder = <T>(module: ModuleNode, cls: Type<T>, role: string) => T;

/** Where one trigger's enhancers come from. */
export interface EnhancerSource {
  readonly globals: GlobalEnhancers;
  /** Module whose providers global enhancer classes are built with (the root). */
  readonly rootModule: ModuleNode;
  readonly module: ModuleNode;
  readonly class: Type;
  readonly method: string;
  readonly build: EnhancerBuilder;
}

const ROLE: Record<EnhancerKind, string> = { guards: 'guard', interceptors: 'interceptor', pipes: 'pipe', filters: 'exception filter' };

/** Global, then controller, then method: the order guards, interceptors and pipes run in. */
function levels<T>(kind: EnhancerKind, source: EnhancerSource): T[] {
  const role = ROLE[kind];
  const make = (module: ModuleNode) => (ref: unknown) =>
    (typeof ref === 'function' ? source.build(module, ref as Type<T>, role) : ref) as T;
  const { onClass, onMethod } = readEnhancers<unknown>(kind, source.class, source.method);
  return [
    ...(source.globals[kind] as readonly unknown[]).map(make(source.rootModule)),
    ...onClass.map(make(source.module)),
    ...onMethod.map(make(source.module)),
  ];
}

/** The trigger-wide stages: `null` for each kind that has no enhancer at any level. */
export function buildStages(source: EnhancerSource): {
  guards: GuardStage | null;
  interceptors: InterceptorStage | null;
  filters: FilterStage | null;
  pipes: readonly PipeTransform[];
} {
  return {
    guards: buildGuardStage(levels<CanActivate>('guards', source)),
    interceptors: buildInterceptorStage(levels<NestInterceptor>('interceptors', source)),
    // Filters are asked innermost first: method, controller, global (the last declared first).
    filters: buildFilterStage(levels<ExceptionFilter>('filters', source).reverse()),
    pipes: levels<PipeTransform>('pipes', source),
  };
}

/**
 * One parameter's chain: the built-in DTO validation of `@Body()` first, then the wider pipes, then
 * the parameter's own. `null` when nothing applies. Pipes apply to body, query, param, event and
 * custom parameters (NestJS leaves headers and the raw request alone).
 */
export function paramPipes(param: ParamMeta, metatype: unknown, wider: readonly PipeTransform[], source: EnhancerSource): PipeChain | null {
  const type = pipeableType(param);
  if (type === null) return null;
  const own = (param.pipes ?? []).map((ref) =>
    typeof ref === 'function' ? source.build(source.module, ref as Type<PipeTransform>, 'pipe') : ref,
  );
  const validates = param.kind === 'body' && param.name === undefined && isDtoClass(metatype);
  const builtIn: PipeTransform[] = validates ? [{ transform: dtoValidator(metatype as Type) }] : [];
  const metadata: ArgumentMetadata = {
    type,
    ...(metatype !== undefined ? { metatype } : {}),
    ...(param.name !== undefined ? { data: param.name } : {}),
  };
  return buildPipeChain([...builtIn, ...wider, ...own], metadata);
}

function pipeableType(param: ParamMeta): ArgumentMetadata['type'] | null {
  switch (param.kind) {
    case 'body':
    case 'query':
    case 'param':
    case 'event':
    case 'custom':
      return param.kind;
    default:
      return null;
  }
}
