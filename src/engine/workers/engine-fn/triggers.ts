import type { EngineContext } from '../../core/types';
import { EngineError } from '../../core/errors';
import { newId } from '../../core/ids';
import type { BuiltinFunction } from '../../core/types';
import { InputReader } from './input';
import {
  byId,
  functionDetail,
  registeredTriggerSummary,
  triggerTypeDetail,
  triggerTypeSummary,
  triggerTypeWorkerName,
  triggerWorkerName,
} from './summaries';

/** How long `engine::register_trigger` waits for a worker provider's answer (engine.md §6.11). */
const PROVIDER_ACK_TIMEOUT_MS = 10_000;

function listTriggerTypes(ctx: EngineContext, data: unknown): unknown {
  const input = new InputReader('engine::triggers::list', data);
  const search = input.optString('search')?.toLowerCase();
  const prefix = input.optString('prefix');
  const worker = input.optString('worker');
  const includeInternal = input.optBool('include_internal') === true;
  const rows = ctx.registry.triggers
    .listTypes()
    .filter((type) => includeInternal || !type.id.startsWith('engine::'))
    .filter((type) => prefix === undefined || type.id.startsWith(prefix))
    .filter((type) => worker === undefined || triggerTypeWorkerName(ctx, type) === worker)
    .filter((type) => search === undefined || type.id.toLowerCase().includes(search) || type.description.toLowerCase().includes(search))
    .sort(byId);
  return { triggers: rows.map((type) => triggerTypeSummary(ctx, type)) };
}

function triggerTypeInfo(ctx: EngineContext, data: unknown): unknown {
  const id = new InputReader('engine::triggers::info', data).string('id');
  const type = ctx.registry.triggers.getType(id);
  if (type === undefined) throw new EngineError('NOT_FOUND', `Trigger type '${id}' is not registered.`);
  return triggerTypeDetail(ctx, type);
}

function listRegisteredTriggers(ctx: EngineContext, data: unknown): unknown {
  const input = new InputReader('engine::registered-triggers::list', data);
  const search = input.optString('search')?.toLowerCase();
  const triggerType = input.optString('trigger_type');
  const functionId = input.optString('function_id');
  const worker = input.optString('worker');
  const includeInternal = input.optBool('include_internal') === true;
  const rows = ctx.registry.triggers
    .listTriggers('registered')
    .filter((entry) => includeInternal || !entry.record.function_id.startsWith('engine::'))
    .filter((entry) => triggerType === undefined || entry.record.trigger_type === triggerType)
    .filter((entry) => functionId === undefined || entry.record.function_id === functionId)
    .filter((entry) => worker === undefined || triggerWorkerName(ctx, entry) === worker)
    .filter(
      (entry) =>
        search === undefined ||
        [entry.record.id, entry.record.trigger_type, entry.record.function_id].some((text) => text.toLowerCase().includes(search)),
    )
    .sort((a, b) => byId(a.record, b.record));
  return { registered_triggers: rows.map((entry) => registeredTriggerSummary(ctx, entry)) };
}

function registeredTriggerInfo(ctx: EngineContext, data: unknown): unknown {
  const id = new InputReader('engine::registered-triggers::info', data).string('id');
  const entry = ctx.registry.triggers.getTrigger(id);
  if (entry === undefined || entry.status !== 'registered') {
    throw new EngineError('NOT_FOUND', `Registered trigger '${id}' was not found.`);
  }
  const { config_summary: _summary, ...summary } = registeredTriggerSummary(ctx, entry);
  const type = ctx.registry.triggers.getType(entry.record.trigger_type);
  const fn = ctx.registry.functions.get(entry.record.function_id);
  return {
    ...summary,
    ...(entry.record.metadata !== undefined && { metadata: entry.record.metadata }),
    trigger: type === undefined ? null : triggerTypeDetail(ctx, type),
    function: fn === undefined ? null : functionDetail(ctx, fn),
  };
}

/** Engine-owned trigger (no `worker_id`): survives the caller's disconnect (engine.md §6.11). */
async function registerTrigger(ctx: EngineContext, data: unknown): Promise<unknown> {
  const input = new InputReader('engine::register_trigger', data);
  const id = newId();
  const metadata = input.raw('metadata');
  await ctx.registry.triggers.registerTrigger(
    {
      id,
      trigger_type: input.string('trigger_type'),
      function_id: input.string('function_id'),
      config: input.raw('config') ?? null,
      ...(metadata !== undefined && metadata !== null && { metadata }),
    },
    { confirmTimeoutMs: PROVIDER_ACK_TIMEOUT_MS },
  );
  return { id };
}

async function unregisterTrigger(ctx: EngineContext, data: unknown): Promise<unknown> {
  const id = new InputReader('engine::unregister_trigger', data).string('id');
  return { removed: (await ctx.registry.triggers.unregisterTrigger(id)) !== undefined };
}

export function triggerBuiltins(ctx: EngineContext): BuiltinFunction[] {
  return [
    { id: 'engine::triggers::list', description: 'List trigger types', handler: (d) => listTriggerTypes(ctx, d) },
    { id: 'engine::triggers::info', description: 'Describe a trigger type', handler: (d) => triggerTypeInfo(ctx, d) },
    {
      id: 'engine::registered-triggers::list',
      description: 'List registered trigger instances',
      handler: (d) => listRegisteredTriggers(ctx, d),
    },
    {
      id: 'engine::registered-triggers::info',
      description: 'Describe a registered trigger instance',
      handler: (d) => registeredTriggerInfo(ctx, d),
    },
    { id: 'engine::register_trigger', description: 'Register an engine-owned trigger', handler: (d) => registerTrigger(ctx, d) },
    { id: 'engine::unregister_trigger', description: 'Unregister a trigger by id', handler: (d) => unregisterTrigger(ctx, d) },
  ];
}
