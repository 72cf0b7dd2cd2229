/**
 * The engine functions around state-trigger delivery (our extension of iii-state):
 * - `engine::capabilities` — what this engine offers beyond the iii protocol, so a worker can
 *   detect it (the real iii engine answers `function_not_found`);
 * - `state::reactions::dead_letters` / `::dead_letter` — list and inspect parked reactions;
 * - `state::reactions::redrive` — deliver parked reactions again (one `id`, or every one of a
 *   `function_id`); a success removes the dead letter, a failure keeps it with the new error;
 * - `state::reactions::cursors` — every trigger cursor, its position and lag behind the log head.
 */
import { EngineError, toEngineError } from '../../core/errors';
import type { BuiltinFunction, EngineContext, StateLog } from '../../core/types';
import type { DeadLetter, ReactionStore } from './reaction-store';

/** What `engine::capabilities` reports for the state worker. */
export const STATE_CAPABILITIES = Object.freeze({
  change_log: true,
  versions: true,
  idempotency_keys: true,
  reaction_retries: true,
  dead_letters: true,
});

export interface ReactionAdmin {
  store: ReactionStore;
  log: StateLog;
  context: Pick<EngineContext, 'invoke' | 'clock'>;
  liveIdentities(): Set<string>;
  /** Saves the live cursors' positions (they are saved lazily while delivering). */
  savePositions(): void;
}

export function reactionFunctions(admin: ReactionAdmin): BuiltinFunction[] {
  const { store, log, context } = admin;
  return [
    {
      id: 'engine::capabilities',
      description: 'What this engine offers beyond the iii protocol',
      handler: () => ({ engine: 'iii-embedded', settle: true, state: STATE_CAPABILITIES }),
    },
    {
      id: 'state::reactions::dead_letters',
      description: 'List state-trigger reactions parked after their last attempt failed',
      handler: (data) => {
        const input = fields(data);
        const limit = optionalInt(input, 'limit') ?? 100;
        const functionId = optionalString(input, 'function_id');
        return { dead_letters: store.deadLetters({ ...(functionId !== undefined && { functionId }), limit }) };
      },
    },
    {
      id: 'state::reactions::dead_letter',
      description: 'One parked reaction, with its payload and last error',
      handler: (data) => store.deadLetter(requiredInt(fields(data), 'id')),
    },
    {
      id: 'state::reactions::redrive',
      description: 'Deliver parked reactions again (`id`, or every one of `function_id`)',
      handler: async (data) => {
        const input = fields(data);
        const id = optionalInt(input, 'id');
        const functionId = optionalString(input, 'function_id');
        if (id === undefined && functionId === undefined) throw invalid('give `id` or `function_id`');
        const letters =
          id !== undefined
            ? [store.deadLetter(id)].filter((l): l is DeadLetter => l !== undefined)
            : store.deadLetters({ functionId, limit: 10_000 });
        const redriven: number[] = [];
        const failed: Array<{ id: number; error: string }> = [];
        // One at a time, oldest first: a key's parked changes are retried in their original order.
        for (const letter of letters) {
          try {
            await context.invoke(letter.function_id, letter.payload);
            store.forget(letter.id);
            redriven.push(letter.id);
          } catch (err) {
            const error = toEngineError(err);
            const text = `${error.code}: ${error.message}`;
            store.failedAgain(letter.id, text, context.clock.now());
            failed.push({ id: letter.id, error: text });
          }
        }
        return { redriven, failed };
      },
    },
    {
      id: 'state::reactions::cursors',
      description: 'Every state-trigger cursor: position, lag behind the change log, live or not',
      handler: () => {
        admin.savePositions();
        const head = log.head();
        const live = admin.liveIdentities();
        return {
          head,
          oldest: log.oldest(),
          cursors: store.cursors().map((row) => ({
            identity: row.identity,
            function_id: row.function_id,
            config: JSON.parse(row.config) as unknown,
            seq: row.seq,
            lag: Math.max(0, head - row.seq),
            live: live.has(row.identity),
            updated_at: row.updated_at,
          })),
        };
      },
    },
  ];
}

function fields(data: unknown): Record<string, unknown> {
  if (data === undefined || data === null) return {};
  if (typeof data !== 'object' || Array.isArray(data)) throw invalid('input must be a map');
  return data as Record<string, unknown>;
}

function optionalString(input: Record<string, unknown>, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '') throw invalid(`\`${name}\` must be a non-empty string`);
  return value;
}

function optionalInt(input: Record<string, unknown>, name: string): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (!Number.isSafeInteger(value) || (value as number) < 1) throw invalid(`\`${name}\` must be a positive integer`);
  return value as number;
}

function requiredInt(input: Record<string, unknown>, name: string): number {
  const value = optionalInt(input, name);
  if (value === undefined) throw invalid(`missing field \`${name}\``);
  return value;
}

function invalid(reason: string): EngineError {
  return new EngineError('deserialization_error', `Failed to deserialize input: ${reason}`);
}
