import { ENGINE_VERSION } from '../../core/engine-core';
import type { EngineContext } from '../../core/types';
import { EngineError } from '../../core/errors';
import { sameOwner, type FunctionOwner } from '../../core/function-registry';
import { isPlainObject, isUuid } from '../../core/ids';
import type { BuiltinFunction } from '../../core/types';
import type { ConnectedWorker, WorkerMetadata } from '../../core/worker-directory';
import { InputReader } from './input';
import { functionSummary, registeredTriggerSummary, triggerTypeSummary } from './summaries';

const MAX_DESCRIPTION = 280;
// Control characters and bidi overrides/isolates are stripped from self-reported descriptions.
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function sanitizeDescription(value: string | undefined): string | null {
  if (value === undefined) return null;
  const clean = value.replace(UNSAFE_CHARS, '').trim();
  return clean === '' ? null : [...clean].slice(0, MAX_DESCRIPTION).join('');
}

function readTelemetry(value: unknown): WorkerMetadata['telemetry'] {
  if (!isPlainObject(value)) return null;
  const pick = (key: string): string | undefined => (typeof value[key] === 'string' ? (value[key] as string) : undefined);
  return { language: pick('language'), project_name: pick('project_name'), framework: pick('framework') };
}

/** `engine::workers::register` (engine.md §6.1): stores what the SDK reports about itself. */
function registerWorker(ctx: EngineContext, data: unknown): unknown {
  const input = new InputReader('engine::workers::register', data);
  const callerId = input.string('_caller_worker_id');
  const pid = input.raw('pid');
  const metadata: WorkerMetadata = {
    runtime: input.optString('runtime') ?? 'unknown',
    version: input.optString('version') ?? null,
    name: input.optString('name') ?? null,
    description: sanitizeDescription(input.optString('description')),
    os: input.optString('os') ?? null,
    pid: typeof pid === 'number' && Number.isInteger(pid) ? pid : null,
    isolation: typeof input.raw('isolation') === 'string' ? (input.raw('isolation') as string) : null,
    telemetry: readTelemetry(input.raw('telemetry')),
  };
  if (isUuid(callerId)) ctx.registry.workers.updateMetadata(callerId, metadata);
  return { success: true };
}

function connectedSummary(ctx: EngineContext, worker: ConnectedWorker): Record<string, unknown> {
  const meta = worker.metadata;
  return {
    name: meta?.name ?? null,
    description: meta?.description ?? null,
    version: meta?.version ?? null,
    id: worker.id,
    runtime: meta?.runtime ?? 'unknown',
    os: meta?.os ?? null,
    status: 'connected',
    function_count: ctx.registry.functions.countOwnedBy(worker.id),
    connected_at_ms: worker.connectedAtMs,
    active_invocations: worker.activeInvocations(),
    isolation: meta?.isolation ?? null,
    ip_address: worker.ipAddress,
  };
}

function builtinSummary(ctx: EngineContext, name: string, startedAtMs: number): Record<string, unknown> {
  const functionCount = ctx.registry.functions
    .list()
    .filter((entry) => entry.owner.kind === 'builtin' && entry.owner.workerName === name).length;
  return {
    name,
    description: null,
    version: ENGINE_VERSION,
    id: name,
    runtime: 'engine',
    os: null,
    status: 'available',
    function_count: functionCount,
    connected_at_ms: startedAtMs,
    active_invocations: 0,
    isolation: 'in-process',
    ip_address: null,
  };
}

function allSummaries(ctx: EngineContext, startedAtMs: number): Array<Record<string, unknown>> {
  const connected = ctx.registry.workers
    .list()
    .filter((worker) => worker.metadata?.pid !== null && worker.metadata?.pid !== undefined)
    .map((worker) => connectedSummary(ctx, worker));
  const builtins = ctx.registry.workers.builtinNames().map((name) => builtinSummary(ctx, name, startedAtMs));
  return [...connected, ...builtins];
}

function sortKey(row: Record<string, unknown>): string {
  return String(row.name ?? row.id);
}

function listWorkers(ctx: EngineContext, data: unknown, startedAtMs: number): unknown {
  const input = new InputReader('engine::workers::list', data);
  const search = input.optString('search')?.toLowerCase();
  const runtime = input.optString('runtime');
  const status = input.optString('status');
  const rows = allSummaries(ctx, startedAtMs)
    .filter((row) => runtime === undefined || row.runtime === runtime)
    .filter((row) => status === undefined || row.status === status)
    .filter(
      (row) =>
        search === undefined ||
        [row.name, row.id, row.description].some((text) => typeof text === 'string' && text.toLowerCase().includes(search)),
    )
    .sort((a, b) => sortKey(a).localeCompare(sortKey(b)) || String(a.id).localeCompare(String(b.id)));
  return { workers: rows };
}

function workerInfo(ctx: EngineContext, data: unknown, startedAtMs: number): unknown {
  const name = new InputReader('engine::workers::info', data).string('name');
  const connection = ctx.registry.workers.list().find((worker) => worker.metadata?.name === name);
  if (connection !== undefined) {
    const self: FunctionOwner = { kind: 'connection', workerId: connection.id };
    return {
      worker: {
        ...connectedSummary(ctx, connection),
        ...(connection.metadata?.pid != null && { pid: connection.metadata.pid }),
        internal: false,
      },
      ...ownedBy(ctx, self),
      registered_triggers: ctx.registry.triggers
        .listTriggers('registered')
        .filter((t) => t.record.worker_id === connection.id)
        .map((t) => registeredTriggerSummary(ctx, t)),
    };
  }
  if (ctx.registry.workers.builtinNames().includes(name)) {
    const self: FunctionOwner = { kind: 'builtin', workerName: name };
    return {
      worker: { ...builtinSummary(ctx, name, startedAtMs), internal: true },
      ...ownedBy(ctx, self),
      registered_triggers: [],
    };
  }
  throw new EngineError('NOT_FOUND', `Worker '${name}' is not connected.`);
}

/** The functions and trigger types one worker (a connection or a built-in) owns, summarised. */
function ownedBy(ctx: EngineContext, self: FunctionOwner) {
  const owned = (owner: FunctionOwner): boolean => sameOwner(owner, self);
  return {
    functions: ctx.registry.functions
      .list()
      .filter((fn) => owned(fn.owner))
      .map((fn) => functionSummary(ctx, fn)),
    trigger_types: ctx.registry.triggers
      .listTypes()
      .filter((t) => owned(t.owner))
      .map((t) => triggerTypeSummary(ctx, t)),
  };
}

export function workerBuiltins(ctx: EngineContext): BuiltinFunction[] {
  const startedAtMs = Date.now();
  return [
    {
      id: 'engine::workers::register',
      description: 'Register worker metadata (called by the SDK on connect)',
      handler: (d) => registerWorker(ctx, d),
    },
    { id: 'engine::workers::list', description: 'List workers', handler: (d) => listWorkers(ctx, d, startedAtMs) },
    { id: 'engine::workers::info', description: 'Describe a worker by name', handler: (d) => workerInfo(ctx, d, startedAtMs) },
  ];
}
