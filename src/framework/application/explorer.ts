import type { InstanceRecord, Injector } from '../container/injector';
import { FrameworkError } from '../errors';
import { dtoValidator, isDtoClass } from '../http/validation';
import type { Logger } from '../logger';
import type { ModuleNode } from '../container/module-graph';
import { readController, readGuards, readMethodParamTypes, readParams, readStreamPublish, readTriggers } from '../metadata/reflection';
import type { CanActivate, GuardRef, ModuleClass, ParamMeta, TriggerKind, TriggerMeta, Type } from '../metadata/types';
import { StreamService } from '../streams/stream.service';
import type { TriggerAdapter } from '../triggers/adapter';
import { adapterFor } from '../triggers/registry';
import { buildGuardStage } from './guard-stage';
import { buildInvoker, type Invoker, type ParamStage } from './invoker';
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
  /** Builds guard classes in the scope of the controller's module. */
  readonly construct: <T>(module: ModuleNode, cls: Type<T>, role: string) => T;
}

/** The context of an application's (or testing module's) injector, once every provider is built. */
export function exploreContext(injector: Injector, logger: Logger): ExploreContext {
  return { streams: injector.get(StreamService), logger, construct: (m, c, role) => injector.construct(m, c, role) };
}

/** Reads controller metadata once and turns every decorated method into definitions. */
export function explore(records: readonly InstanceRecord[], ctx: ExploreContext): TriggerDefinition[] {
  const definitions: TriggerDefinition[] = [];
  for (const record of records) {
    if (record.kind !== 'controller') continue;
    definitions.push(...exploreController(record.token as Type, record.instance as object, record.module, ctx));
  }
  assertUniqueFunctionIds(definitions);
  return definitions;
}

function exploreController(cls: Type, instance: object, node: ModuleNode, ctx: ExploreContext): TriggerDefinition[] {
  const module = node.type;
  const resolveGuard = (guard: GuardRef): CanActivate => (typeof guard === 'function' ? ctx.construct(node, guard, 'guard') : guard);
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
  return triggers.map((meta) => {
    const adapter = adapterFor(meta);
    const functionId = meta.functionId ?? defaultFunctionId(controller.prefix, cls.name, meta.method);
    const method = (instance as Record<string, unknown>)[meta.method];
    if (typeof method !== 'function') {
      throw new FrameworkError('INVALID_HANDLER', `${cls.name}.${meta.method} is not a method`);
    }
    const invoke = buildInvoker({
      target: instance,
      method: method as (...args: unknown[]) => unknown,
      params: paramStages(adapter, cls, meta),
      filter: adapter.filter(meta),
      skipped: adapter.skipped(meta),
      guard: buildGuardStage(readGuards(cls, meta.method), resolveGuard, { kind: meta.kind, functionId, class: cls, method: meta.method }),
      publish: buildStreamStage(
        publishes.filter((p) => p.method === meta.method),
        ctx.streams,
        functionId,
        ctx.logger,
      ),
      reply: adapter.reply(meta),
      fail: adapter.fail(meta, functionId, ctx.logger),
    });
    return {
      kind: meta.kind,
      functionId,
      triggerType: adapter.triggerType,
      config: adapter.config(meta, controller.prefix),
      module,
      class: cls,
      method: meta.method,
      invoke,
    };
  });
}

const UNDECORATED: ParamStage = { extract: () => undefined, validate: null };
const WHOLE_PAYLOAD: readonly ParamStage[] = [{ extract: (p) => p, validate: null }];

/** A method without parameter decorators receives the raw payload as its only argument. */
function paramStages(adapter: TriggerAdapter, cls: Type, meta: TriggerMeta): readonly ParamStage[] {
  const params = readParams(cls, meta.method);
  if (params.length === 0) return WHOLE_PAYLOAD;
  const types = readMethodParamTypes(cls, meta.method);
  const stages: ParamStage[] = new Array(Math.max(...params.map((p) => p.index)) + 1).fill(UNDECORATED);
  for (const param of params) stages[param.index] = paramStage(adapter, cls, meta, param, types[param.index]);
  return stages;
}

function paramStage(adapter: TriggerAdapter, cls: Type, meta: TriggerMeta, param: ParamMeta, type: unknown): ParamStage {
  const extract = adapter.argument(param);
  if (extract === null) {
    throw new FrameworkError(
      'INVALID_HANDLER',
      `${cls.name}.${meta.method}: @${capitalize(param.kind)}() (parameter #${param.index}) does not apply to a '${meta.kind}' trigger`,
    );
  }
  const validates = param.kind === 'body' && param.name === undefined && isDtoClass(type);
  return { extract, validate: validates ? dtoValidator(type as Type) : null };
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
