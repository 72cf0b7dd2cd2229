import type { EngineContext } from '../../core/types';
import { EngineError } from '../../core/errors';
import type { FunctionEntry } from '../../core/function-registry';
import type { BuiltinFunction, InvocationOptions } from '../../core/types';
import { InputReader } from './input';
import { byId, functionDetail, functionSummary } from './summaries';

const MAX_BATCH = 32;

/** Hidden by default: `engine::*` (except `engine::queue::*`) and `metadata.internal === true`. */
function isInternal(entry: FunctionEntry): boolean {
  if (entry.id.startsWith('engine::') && !entry.id.startsWith('engine::queue::')) return true;
  return entry.metadata?.internal === true;
}

/** 0 = id starts with the needle or a `::` segment equals it, 1 = id contains it, 2 = description only. */
function searchRank(entry: FunctionEntry, needle: string): number | undefined {
  const id = entry.id.toLowerCase();
  if (id.startsWith(needle) || id.split('::').includes(needle)) return 0;
  if (id.includes(needle)) return 1;
  if ((entry.description ?? '').toLowerCase().includes(needle)) return 2;
  return undefined;
}

/** The caller's RBAC view (engine.md §13.2): what a restricted session may not call, it does not see. */
function visibilityFor(ctx: EngineContext, options: InvocationOptions): (entry: FunctionEntry) => boolean {
  const caller = options.callerWorkerId === undefined ? undefined : ctx.registry.workers.get(options.callerWorkerId);
  const canInvoke = caller?.canInvoke?.bind(caller);
  if (canInvoke === undefined) return () => true;
  return (entry) => canInvoke(entry.id, entry.metadata);
}

function listFunctions(ctx: EngineContext, data: unknown, options: InvocationOptions): unknown {
  const input = new InputReader('engine::functions::list', data);
  const search = input.optString('search')?.toLowerCase();
  const prefix = input.optString('prefix');
  const workers = [...(input.optStringArray('workers') ?? [])];
  const worker = input.optString('worker');
  if (worker !== undefined) workers.push(worker);
  const includeInternal = input.optBool('include_internal') === true;

  const visible = visibilityFor(ctx, options);
  let rows = ctx.registry.functions.list().filter((entry) => (includeInternal || !isInternal(entry)) && visible(entry));
  if (prefix !== undefined) rows = rows.filter((entry) => entry.id.startsWith(prefix));
  if (workers.length > 0) rows = rows.filter((entry) => workers.includes(ctx.registry.functionWorkerName(entry.id)));
  if (search === undefined || search === '') {
    return { functions: rows.sort(byId).map((entry) => functionSummary(ctx, entry)) };
  }
  const ranked = rows
    .map((entry) => ({ entry, rank: searchRank(entry, search) }))
    .filter((row): row is { entry: FunctionEntry; rank: number } => row.rank !== undefined)
    .sort((a, b) => a.rank - b.rank || byId(a.entry, b.entry));
  return { functions: ranked.map((row) => functionSummary(ctx, row.entry)) };
}

function functionInfo(ctx: EngineContext, data: unknown, options: InvocationOptions): unknown {
  const visible = visibilityFor(ctx, options);
  const input = new InputReader('engine::functions::info', data);
  const single = input.optString('function_id');
  const batch = input.optStringArray('function_ids');
  if (single !== undefined && batch !== undefined) {
    throw new EngineError('INVALID_ARGUMENTS', 'pass either `function_id` or `function_ids`, not both');
  }
  if (single !== undefined) {
    const entry = ctx.registry.functions.get(single);
    if (entry === undefined) throw new EngineError('NOT_FOUND', `Function '${single}' is not registered.`);
    if (!visible(entry)) throw new EngineError('FORBIDDEN', `Function '${single}' is not visible to this session.`);
    return functionDetail(ctx, entry);
  }
  if (batch === undefined) {
    throw new EngineError('INVALID_ARGUMENTS', 'missing field `function_id` (or `function_ids` for a batch)');
  }
  const ids = [...new Set(batch)];
  if (ids.length === 0 || ids.length > MAX_BATCH) {
    throw new EngineError('INVALID_ARGUMENTS', `\`function_ids\` must hold 1 to ${MAX_BATCH} ids`);
  }
  return {
    functions: ids.map((id) => {
      const entry = ctx.registry.functions.get(id);
      if (entry === undefined) return { function_id: id, error: 'not_found' };
      return visible(entry) ? functionDetail(ctx, entry) : { function_id: id, error: 'forbidden' };
    }),
  };
}

export function functionBuiltins(ctx: EngineContext): BuiltinFunction[] {
  return [
    {
      id: 'engine::functions::list',
      description: 'List registered functions',
      handler: (data, options) => listFunctions(ctx, data, options),
    },
    {
      id: 'engine::functions::info',
      description: 'Describe one or more registered functions',
      handler: (data, options) => functionInfo(ctx, data, options),
    },
  ];
}
