/**
 * The `state::*` functions (engine.md §7.1) over `ctx.storage.kv`, namespace `state`.
 *
 * Writes of one key go through a `KeyQueue`, so `state::update`'s read-modify-write never races
 * another write of that key, and each write's event is handed to `ctx.fire` in write order (the
 * hub keeps per-trigger FIFO order from there). Events are fired after the write is durable, and
 * the function replies without waiting for any trigger handler.
 */
import { EngineError, type EngineErrorCode } from '../../core/errors';
import type { EngineContext, Json, KvStore } from '../../core/types';
import type { StateConfig } from './config';
import { readEmptyInput, readKeyInput, readScopeInput, readSetInput, readUpdateInput } from './input';
import { KeyQueue } from './key-queue';
import type { StateEventType, StateTriggers } from './triggers';
import { applyParsedOps, type UpdateOpError } from '../../lib/update-ops';

/** The KV namespace that holds state scopes. */
export const STATE_NAMESPACE = 'state';

export interface SetResult {
  old_value: Json;
  new_value: Json;
}

export interface UpdateResult extends SetResult {
  errors?: UpdateOpError[];
}

/** A write issued inside a key's turn; awaited after the turn so the key is not held for the commit. */
interface Issued<T> {
  done: Promise<T>;
}

export class StateFunctions {
  private readonly keys = new KeyQueue();

  constructor(
    private readonly ctx: EngineContext,
    private readonly config: StateConfig,
    private readonly triggers: StateTriggers,
  ) {}

  private get kv(): KvStore {
    return this.ctx.storage.kv;
  }

  async set(data: unknown): Promise<SetResult> {
    const { scope, key, value } = readSetInput('state::set', data);
    this.checkSize(value);
    const issued = await this.keys.run(scope, key, (): Issued<Json | undefined> => ({
      done: this.kv.set(STATE_NAMESPACE, scope, key, value),
    }));
    const previous = await storageStep('SET_ERROR', 'Failed to set value', issued.done);
    this.emit(previous === undefined ? 'state:created' : 'state:updated', scope, key, previous, value);
    return { old_value: previous ?? null, new_value: value };
  }

  /** Resolves the stored value, or `undefined` (no `result` on the wire) when the key is missing. */
  async get(data: unknown): Promise<Json | undefined> {
    const { scope, key } = readKeyInput('state::get', data);
    return storageStep('GET_ERROR', 'Failed to get value', this.kv.get(STATE_NAMESPACE, scope, key));
  }

  /** Resolves the bare deleted value (not `{old_value}`), or `undefined` when there was none. */
  async delete(data: unknown): Promise<Json | undefined> {
    const { scope, key } = readKeyInput('state::delete', data);
    const issued = await this.keys.run(scope, key, (): Issued<Json | undefined> => ({
      done: this.kv.delete(STATE_NAMESPACE, scope, key),
    }));
    const previous = await storageStep('DELETE_ERROR', 'Failed to delete value', issued.done);
    // Fired even when nothing was deleted (engine.md §7.3), with old_value null.
    this.emit('state:deleted', scope, key, previous, null);
    return previous;
  }

  async update(data: unknown): Promise<UpdateResult> {
    const { scope, key, ops } = readUpdateInput('state::update', data);
    const issued = await this.keys.run(scope, key, async () => {
      const current = await storageStep('UPDATE_ERROR', 'Failed to update value', this.kv.get(STATE_NAMESPACE, scope, key));
      const { value, errors } = applyParsedOps(current, ops);
      this.checkSize(value);
      // The result is written even when every op failed (a missing key then becomes `{}`).
      return { value, errors, done: this.kv.set(STATE_NAMESPACE, scope, key, value) };
    });
    const previous = await storageStep('UPDATE_ERROR', 'Failed to update value', issued.done);
    this.emit(previous === undefined ? 'state:created' : 'state:updated', scope, key, previous, issued.value);
    const result: UpdateResult = { old_value: previous ?? null, new_value: issued.value };
    if (issued.errors.length > 0) result.errors = issued.errors;
    return result;
  }

  /** The values (not keys) of a scope in insertion order; `[]` for an unknown scope. */
  async list(data: unknown): Promise<Json[]> {
    const { scope } = readScopeInput('state::list', data);
    return storageStep('LIST_ERROR', 'Failed to list values', this.kv.list(STATE_NAMESPACE, scope));
  }

  async listGroups(data: unknown): Promise<{ groups: string[] }> {
    readEmptyInput('state::list_groups', data);
    const scopes = await storageStep('LIST_GROUPS_ERROR', 'Failed to list groups', this.kv.scopes(STATE_NAMESPACE));
    return { groups: Array.from(new Set(scopes)).sort() };
  }

  /** `max_value_bytes` counts the bytes of the compact JSON text, like the reference engine. */
  private checkSize(value: Json): void {
    const limit = this.config.maxValueBytes;
    if (limit === undefined) return;
    const size = Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
    if (size > limit) {
      throw new EngineError('VALUE_TOO_LARGE', `value of ${size} bytes exceeds the configured max_value_bytes limit of ${limit}`);
    }
  }

  private emit(eventType: StateEventType, scope: string, key: string, previous: Json | undefined, next: Json): void {
    if (!this.config.triggersEnabled) return;
    this.triggers.fire(this.ctx, eventType, scope, key, previous ?? null, next);
  }
}

/** Awaits a storage call, turning its failure into the function's documented error code. */
async function storageStep<T>(code: EngineErrorCode, prefix: string, step: Promise<T>): Promise<T> {
  try {
    return await step;
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new EngineError(code, `${prefix}: ${reason}`);
  }
}
