import { mergeGlobals } from '../container/app-enhancers';
import type { InstanceRecord, Injector } from '../container/injector';
import type { ModuleNode } from '../container/module-graph';
import { FrameworkError } from '../errors';
import type { Logger } from '../logger';
import { readController, readMethodParamTypes, readParams, readStreamPublish, readTriggers } from '../metadata/reflection';
import type { ModuleClass, ParamMeta, TriggerKind, TriggerMeta, Type } from '../metadata/types';
import { requiredJsonBody } from '../http/body';
import { isDtoClass } from '../http/validation';
import { buildStages, paramPipes, type EnhancerBuilder, type EnhancerSource } from '../pipeline/assemble';
import { buildInvoker, type Invoker, type ParamStage } from '../pipeline/invoker';
import { NO_GLOBALS, type GlobalEnhancers, type PipeTransform } from '../pipeline/types';
import { reactionInvoker, type IdempotencySupport } from '../state/reaction-scope';
import { StreamService } from '../streams/stream.service';
import type { QueueRoute } from '../messaging/queue.service';
import { QUEUE_ROUTES } from '../tokens';
import { EngineCapabilities } from './capabilities';
import type { TriggerAdapter } from '../triggers/adapter';
import { adapterFor } from '../triggers/registry';
import { conditionDefinition } from './conditions';
import { assertParamsInRoute, assertRoutesSound } from './route-checks';
import { defaultFunctionId } from './naming';
import { buildStreamStage } from './stream-stage';

/** One function (and its trigger, if any) the application registers with the engine. */
export interface TriggerDefinition {
  readonly kind: TriggerKind;
  readonly functionId: string;
  /** The iii trigger type, `null` for function-only kinds (fn, queue). */
  readonly triggerType: string | null;
  readonly config: Record<string, unknown> | null;
  readonly module: ModuleClass;
  readonly class: Type;
  readonly method: string;
  /** The handler given to `registerFunction`: engine payload in, engine reply out. */
  readonly invoke: Invoker;
}

export interface ExploreContext {
  readonly streams: StreamService;
  readonly logger: Logger;
  /** Builds enhancer classes in the scope of a module. */
  readonly construct: EnhancerBuilder;
  readonly rootModule: ModuleNode;
  readonly globals: GlobalEnhancers;
  /** Filled with each `@OnQueue` function's queue and retries (what `Queue.enqueue` defaults to). */
  readonly queueRoutes: Map<string, QueueRoute>;
  /** Whether reactions' state writes get idempotency keys (known once the application starts). */
  readonly capabilities: IdempotencySupport;
}

/**
 * The context of an application's (or testing module's) injector, once every provider is built.
 * The global enhancers are the `APP_*` providers', then `globals` (`app.useGlobal*()`).
 */
export function exploreContext(injector: Injector, logger: Logger, globals: GlobalEnhancers = NO_GLOBALS): ExploreContext {
  return {
    streams: injector.get(StreamService),
    queueRoutes: injector.get<Map<string, QueueRoute>>(QUEUE_ROUTES),
    logger,
    construct: (m, c, role) => injector.construct(m, c, role),
    rootModule: injector.rootModule,
    globals: mergeGlobals(injector.appEnhancers(), globals),
    capabilities: injector.get(EngineCapabilities),
  };
}

/** Reads controller metadata once and turns every decorated method into definitions. */
export function explore(records: readonly InstanceRecord[], ctx: ExploreContext): TriggerDefinition[] {
  const definitions: TriggerDefinition[] = [];
  for (const record of records) {
    if (record.kind !== 'controller') continue;
    definitions.push(...exploreController(record.token as Type, record.instance as object, record.module, ctx));
  }
  assertUniqueFunctionIds(definitions);
  assertRoutesSound(definitions);
  return definitions;
}

function exploreController(cls: Type, instance: object, node: ModuleNode, ctx: ExploreContext): TriggerDefinition[] {
  const module = node.type;
  const controller = readController(cls);
  if (controller === undefined) {
    throw new FrameworkError(
      'INVALID_HANDLER',
      `${cls.name} is listed in controllers of ${module.name} but is not decorated with @Controller()`,
    );
  }
  const triggers = readTriggers(cls);
  const publishes = readStreamPublish(cls);
  for (const p of publishes) {
    if (!triggers.some((t) => t.method === p.method)) {
      throw new FrameworkError(
        'INVALID_HANDLER',
        `${cls.name}.${p.method} has @Stream('${p.streamName}') but no trigger decorator (@OnStateChange, @Http, @Fn, ...)`,
      );
    }
  }
  return triggers.flatMap((meta) => {
    const adapter = adapterFor(meta);
    const functionId = meta.functionId ?? defaultFunctionId(controller.prefix, cls.name, meta.method);
    const method = (instance as Record<string, unknown>)[meta.method];
    if (typeof method !== 'function') {
      throw new FrameworkError('INVALID_HANDLER', `${cls.name}.${meta.method} is not a method`);
    }
    if (meta.kind === 'queue') ctx.queueRoutes.set(functionId, { queue: meta.queue, retry: meta.retry });
    const condition = conditionDefinition(meta, functionId, { module, class: cls }, ctx.logger);
    const adapterConfig = adapter.config(meta, controller.prefix);
    const config = condition === null ? adapterConfig : { ...adapterConfig, condition_function_id: condition.functionId };
    if (meta.kind === 'http') assertParamsInRoute(cls, meta, String(config?.api_path ?? ''), readParams(cls, meta.method));
    const source: EnhancerSource = {
      globals: ctx.globals,
      rootModule: ctx.rootModule,
      module: node,
      class: cls,
      method: meta.method,
      build: ctx.construct,
    };
    const stages = buildStages(source);
    const invoke = buildInvoker({
      target: instance,
      method: method as (...args: unknown[]) => unknown,
      context: { kind: meta.kind, functionId, class: cls, method: meta.method },
      params: paramStages(adapter, meta, source, stages.pipes),
      filter: adapter.filter(meta),
      skipped: adapter.skipped(meta),
      guards: stages.guards,
      interceptors: stages.interceptors,
      filters: stages.filters,
      publish: buildStreamStage(
        publishes.filter((p) => p.method === meta.method),
        ctx.streams,
        functionId,
        ctx.logger,
      ),
      reply: adapter.reply(meta),
      fail: adapter.fail(meta, functionId, ctx.logger),
    });
    const definition: TriggerDefinition = {
      kind: meta.kind,
      functionId,
      triggerType: adapter.triggerType,
      config,
      module,
      class: cls,
      method: meta.method,
      invoke: meta.kind === 'state' ? reactionInvoker(functionId, config, invoke, ctx.capabilities) : invoke,
    };
    return condition === null ? [definition] : [definition, condition];
  });
}

const UNDECORATED: ParamStage = { extract: () => undefined, pipes: null, contextual: false };
const WHOLE_PAYLOAD_PARAM: ParamMeta = { index: 0, kind: 'event' };

/** A method without parameter decorators receives the raw payload as its only argument (an `@Event()`). */
function paramStages(
  adapter: TriggerAdapter,
  meta: TriggerMeta,
  source: EnhancerSource,
  pipes: readonly PipeTransform[],
): readonly ParamStage[] {
  const declared = readParams(source.class, meta.method);
  const params = declared.length === 0 ? [WHOLE_PAYLOAD_PARAM] : declared;
  const types = readMethodParamTypes(source.class, meta.method);
  const stages: ParamStage[] = new Array(Math.max(...params.map((p) => p.index)) + 1).fill(UNDECORATED);
  for (const param of params) {
    const type = declared.length === 0 ? undefined : types[param.index];
    stages[param.index] = paramStage(adapter, meta, param, source, { type, pipes });
  }
  return stages;
}

function paramStage(
  adapter: TriggerAdapter,
  meta: TriggerMeta,
  param: ParamMeta,
  source: EnhancerSource,
  { type, pipes }: { type: unknown; pipes: readonly PipeTransform[] },
): ParamStage {
  const chain = paramPipes(param, type, pipes, source);
  if (param.kind === 'custom' && param.factory !== undefined) {
    const { factory, data } = param;
    return { extract: (_payload, context) => factory(data, context), pipes: chain, contextual: true };
  }
  const extract = requiresJsonBody(meta, param, type) ? requiredJsonBody() : adapter.argument(param);
  if (extract === null) {
    throw new FrameworkError(
      'INVALID_HANDLER',
      `${source.class.name}.${meta.method}: @${capitalize(param.kind)}() (parameter #${param.index}) does not apply to a '${meta.kind}' trigger`,
    );
  }
  return { extract, pipes: chain, contextual: false };
}

/** An HTTP `@Body()` typed with a DTO class needs a JSON object: say precisely why one is missing. */
function requiresJsonBody(meta: TriggerMeta, param: ParamMeta, type: unknown): boolean {
  return meta.kind === 'http' && param.kind === 'body' && param.name === undefined && isDtoClass(type);
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function assertUniqueFunctionIds(definitions: readonly TriggerDefinition[]): void {
  const seen = new Map<string, TriggerDefinition>();
  for (const def of definitions) {
    const first = seen.get(def.functionId);
    if (first !== undefined) {
      throw new FrameworkError(
        'DUPLICATE_FUNCTION_ID',
        `Function id '${def.functionId}' is used by ${first.class.name}.${first.method} and ${def.class.name}.${def.method}; ` +
          'give one of them an explicit functionId',
      );
    }
    seen.set(def.functionId, def);
  }
}
