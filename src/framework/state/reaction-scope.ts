/**
 * Idempotent effects for state reactions. Delivery is at least once (a reaction cut by a crash,
 * a SIGTERM or a failed attempt runs again), so the state writes a reaction makes through
 * `StateService` carry an idempotency key: (reaction function, its trigger config, the change's
 * seq, the n-th write of this invocation). The engine applies each key once, in the same
 * transaction as the write, and answers a repeat with the first reply: a reaction that runs twice
 * for one change writes once.
 *
 * The scope travels with the invocation through AsyncLocalStorage, so the reaction's code does
 * nothing special. It is set only when the engine says it applies idempotency keys
 * (`engine::capabilities`) and the event carries its change seq; elsewhere writes go out as today.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import type { Invoker } from '../pipeline/invoker';

interface ReactionScope {
  readonly base: string;
  writes: number;
}

const scopes = new AsyncLocalStorage<ReactionScope>();
/**
 * Reactions running with a scope now. A used AsyncLocalStorage keeps Node's promise hooks on,
 * which taxes every promise of the process (HTTP handlers included); it is disabled again
 * whenever no reaction holds a scope, and `run` re-enables it.
 */
let running = 0;

function release(): void {
  running--;
  if (running === 0) scopes.disable();
}

/** The idempotency key of the next state write made by the reaction running now, if any. */
export function nextIdempotencyKey(): string | undefined {
  const scope = scopes.getStore();
  if (scope === undefined) return undefined;
  return `${scope.base}#${scope.writes++}`;
}

/** What decides whether reactions get a scope (filled in when the application starts). */
export interface IdempotencySupport {
  readonly idempotentStateWrites: boolean;
}

/**
 * Wraps a state trigger's invoker so the writes of each invocation are keyed by the change it
 * handles. The trigger config is part of the key: one function bound twice handles one change twice.
 */
export function reactionInvoker(functionId: string, config: unknown, invoke: Invoker, support: IdempotencySupport): Invoker {
  const trigger = createHash('sha256')
    .update(`${functionId}\u0000${JSON.stringify(config ?? null)}`)
    .digest('base64url')
    .slice(0, 16);
  return (payload, metadata) => {
    const seq = (payload as { seq?: unknown } | null)?.seq;
    if (!support.idempotentStateWrites || typeof seq !== 'number') return invoke(payload, metadata);
    running++;
    let result: Promise<unknown>;
    try {
      result = scopes.run({ base: `reaction:${trigger}:${seq}`, writes: 0 }, () => invoke(payload, metadata));
    } catch (error) {
      release();
      throw error;
    }
    return result.finally(release);
  };
}
