import type { EngineContext } from '../../core/types';
import type { FunctionEntry } from '../../core/function-registry';
import type { TriggerEntry, TriggerTypeEntry } from '../../core/trigger-registry';
import { summarize } from './input';

/** Listing shapes of engine.md §6.2–§6.9, built from the registries. */

/** Listing order: by id, code-unit order (not locale). */
export function byId(a: { id: string }, b: { id: string }): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export interface FunctionSummary {
  function_id: string;
  worker_name: string;
  description?: string;
  metadata?: Record<string, unknown>;
}

export function functionSummary(ctx: EngineContext, entry: FunctionEntry): FunctionSummary {
  const summary: FunctionSummary = { function_id: entry.id, worker_name: ctx.registry.functionWorkerName(entry.id) };
  if (entry.description !== undefined) summary.description = entry.description;
  if (entry.metadata !== undefined) summary.metadata = entry.metadata;
  return summary;
}

export function functionDetail(ctx: EngineContext, entry: FunctionEntry): Record<string, unknown> {
  const detail: Record<string, unknown> = { ...functionSummary(ctx, entry) };
  if (entry.request_format !== undefined) detail.request_schema = entry.request_format;
  if (entry.response_format !== undefined) detail.response_schema = entry.response_format;
  detail.registered_triggers = ctx.registry.triggers
    .listTriggers('registered')
    .filter((trigger) => trigger.record.function_id === entry.id)
    .map((trigger) => ({ id: trigger.record.id, trigger_type: trigger.record.trigger_type, config: trigger.record.config }));
  return detail;
}

/** Who serves the built-in trigger types when the registry cannot tell (engine.md §6.4). */
const KNOWN_PROVIDERS: Record<string, string> = {
  http: 'iii-http',
  cron: 'iii-cron',
  subscribe: 'iii-pubsub',
  state: 'iii-state',
  'durable:subscriber': 'queue',
  stream: 'iii-stream',
  'stream:join': 'iii-stream',
  'stream:leave': 'iii-stream',
  log: 'iii-observability',
  trace: 'iii-observability',
  configuration: 'configuration',
};

export function triggerTypeWorkerName(ctx: EngineContext, type: TriggerTypeEntry): string {
  if (type.owner.kind === 'builtin') return type.owner.workerName;
  return ctx.registry.workers.nameOf(type.owner.workerId) ?? KNOWN_PROVIDERS[type.id] ?? type.id.split('::')[0] ?? type.id;
}

export function triggerTypeSummary(ctx: EngineContext, type: TriggerTypeEntry): Record<string, unknown> {
  return { id: type.id, worker_name: triggerTypeWorkerName(ctx, type), description: type.description };
}

export function triggerTypeDetail(ctx: EngineContext, type: TriggerTypeEntry): Record<string, unknown> {
  const detail = triggerTypeSummary(ctx, type);
  if (type.trigger_request_format !== undefined) detail.configuration_schema = type.trigger_request_format;
  if (type.call_request_format !== undefined) detail.request_schema = type.call_request_format;
  detail.instance_count = ctx.registry.triggers.instanceCount(type.id);
  return detail;
}

/** `worker_name` of a trigger instance: its owning worker's name, else its function's worker. */
export function triggerWorkerName(ctx: EngineContext, trigger: TriggerEntry): string {
  const owner = trigger.record.worker_id;
  const name = owner === undefined ? undefined : ctx.registry.workers.nameOf(owner);
  return name ?? ctx.registry.functionWorkerName(trigger.record.function_id);
}

export function registeredTriggerSummary(ctx: EngineContext, trigger: TriggerEntry): Record<string, unknown> {
  const { record } = trigger;
  return {
    id: record.id,
    trigger_type: record.trigger_type,
    function_id: record.function_id,
    worker_name: triggerWorkerName(ctx, trigger),
    config: record.config,
    config_summary: summarize(record.config),
  };
}
