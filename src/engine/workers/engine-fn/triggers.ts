import type { EngineCore } from '../../core/engine-core';
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

/** How long `engine::register_trigger` waits for a worker provider's answer (spec §6.11). */
const PROVIDER_ACK_TIMEOUT_MS = 10_000;

function listTriggerTypes(core: EngineCore, data: unknown): unknown {
  const input = new InputReader('engine::triggers::list', data);
  const search = input.optString('search')?.toLowerCase();
  const prefix = input.optString('prefix');
  const worker = input.optString('worker');
  const includeInternal = input.optBool('include_internal') === true;
  const rows = core.triggers
    .listTypes()
    .filter((type) => includeInternal || !type.id.startsWith('engine::'))
    .filter((type) => prefix === undefined || type.id.startsWith(prefix))
    .filter((type) => worker === undefined || triggerTypeWorkerName(core, type) === worker)
    .filter((type) => search === undefined || type.id.toLowerCase().includes(search) || type.description.toLowerCase().includes(search))
    .sort(byId);
  return { triggers: rows.map((type) => triggerTypeSummary(core, type)) };
}

function triggerTypeInfo(core: EngineCore, data: unknown): unknown {
  const id = new InputReader('engine::triggers::info', data).string('id');
  const type = core.triggers.getType(id);
  if (type === undefined) throw new EngineError('NOT_FOUND', `Trigger type '${id}' is not registered.`);
  return triggerTypeDetail(core, type);
}

function listRegisteredTriggers(core: EngineCore, data: unknown): unknown {
  const input = new InputReader('engine::registered-triggers::list', data);
  const search = input.optString('search')?.toLowerCase();
  const triggerType = input.optString('trigger_type');
  const functionId = input.optString('function_id');
  const worker = input.optString('worker');
  const includeInternal = input.optBool('include_internal') === true;
  const rows = core.triggers
    .listTriggers('registered')
    .filter((entry) => includeInternal || !entry.record.function_id.startsWith('engine::'))
    .filter((entry) => triggerType === undefined || entry.record.trigger_type === triggerType)
    .filter((entry) => functionId === undefined || entry.record.function_id === functionId)
    .filter((entry) => worker === undefined || triggerWorkerName(core, entry) === worker)
    .filter(
      (entry) =>
        search === undefined ||
        [entry.record.id, entry.record.trigger_type, entry.record.function_id].some((text) => text.toLowerCase().includes(search)),
    )
    .sort((a, b) => byId(a.record, b.record));
  return { registered_triggers: rows.map((entry) => registeredTriggerSummary(core, entry)) };
}

function registeredTriggerInfo(core: EngineCore, data: unknown): unknown {
  const id = new InputReader('engine::registered-triggers::info', data).string('id');
  const entry = core.triggers.getTrigger(id);
  if (entry === undefined || entry.status !== 'registered') {
    throw new EngineError('NOT_FOUND', `Registered trigger '${id}' was not found.`);
  }
  const { config_summary: _summary, ...summary } = registeredTriggerSummary(core, entry);
  const type = core.triggers.getType(entry.record.trigger_type);
  const fn = core.functions.get(entry.record.function_id);
  return {
    ...summary,
    ...(entry.record.metadata !== undefined && { metadata: entry.record.metadata }),
    trigger: type === undefined ? null : triggerTypeDetail(core, type),
    function: fn === undefined ? null : functionDetail(core, fn),
  };
}

/** Engine-owned trigger (no `worker_id`): survives the caller's disconnect (spec §6.11). */
async function registerTrigger(core: EngineCore, data: unknown): Promise<unknown> {
  const input = new InputReader('engine::register_trigger', data);
  const id = newId();
  const metadata = input.raw('metadata');
  await core.triggers.registerTrigger(
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

async function unregisterTrigger(core: EngineCore, data: unknown): Promise<unknown> {
  const id = new InputReader('engine::unregister_trigger', data).string('id');
  return { removed: (await core.triggers.unregisterTrigger(id)) !== undefined };
}

export function triggerBuiltins(core: EngineCore): BuiltinFunction[] {
  return [
    { id: 'engine::triggers::list', description: 'List trigger types', handler: (d) => listTriggerTypes(core, d) },
    { id: 'engine::triggers::info', description: 'Describe a trigger type', handler: (d) => triggerTypeInfo(core, d) },
    {
      id: 'engine::registered-triggers::list',
      description: 'List registered trigger instances',
      handler: (d) => listRegisteredTriggers(core, d),
    },
    {
      id: 'engine::registered-triggers::info',
      description: 'Describe a registered trigger instance',
      handler: (d) => registeredTriggerInfo(core, d),
    },
    { id: 'engine::register_trigger', description: 'Register an engine-owned trigger', handler: (d) => registerTrigger(core, d) },
    { id: 'engine::unregister_trigger', description: 'Unregister a trigger by id', handler: (d) => unregisterTrigger(core, d) },
  ];
}
