/**
 * The `state::*` functions (engine.md §7.1) over `ctx.storage`, namespace `state`.
 *
 * Every write goes through the change log (`ctx.storage.stateLog`): the value and its change
 * record are committed in one transaction before the function replies, and state triggers are
 * delivered from that log (`./reactions`), never from memory. The new value of `state::update` is
 * computed inside the storage's write, so two concurrent updates of a key never read the same old
 * value. A write may carry `idempotency_key`: a key already applied writes nothing and gets the
 * first write's reply (how reactions make their writes safe to repeat).
 */
import { EngineError, type EngineErrorCode } from '../../core/errors';
import type { EngineContext, InvocationOptions, Json, KvStore, LoggedWrite, LoggedWriteOutcome } from '../../core/types';
import { JsonText } from '../../../protocol/json';
import { decodeValue } from '../../storage/codec';
import type { StateConfig } from './config';
import { readEmptyInput, readIdempotencyKey, readKeyInput, readScopeInput, readSetInput, readUpdateInput } from './input';
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

export class StateFunctions {
  constructor(
    private readonly ctx: EngineContext,
    private readonly config: StateConfig,
  ) {}

  private get kv(): KvStore {
    return this.ctx.storage.kv;
  }

  async set(data: unknown): Promise<SetResult> {
    const { scope, key, value } = readSetInput('state::set', data);
    this.checkSize(value);
    const reply = (previous: Json | undefined): SetResult => ({ old_value: previous ?? null, new_value: value });
    const outcome = await this.write('SET_ERROR', 'Failed to set value', {
      scope,
      key,
      compute: () => ({ value }),
      ...idempotency(data, reply),
    });
    return outcome.duplicate ? (outcome.reply as unknown as SetResult) : reply(outcome.previous);
  }

  /**
   * Resolves the stored value, or `undefined` (no `result` on the wire) when the key is missing.
   * For a caller that writes the result into a frame (`acceptsJsonText`), the value stays the
   * JSON text the store keeps: it is never parsed, and the frame carries the same text.
   */
  async get(data: unknown, options?: InvocationOptions): Promise<Json | JsonText | undefined> {
    const { scope, key } = readKeyInput('state::get', data);
    let text: string | undefined;
    try {
      text = await this.kv.getText(STATE_NAMESPACE, scope, key);
    } catch (err) {
      throw storageFailure('GET_ERROR', 'Failed to get value', err);
    }
    if (text === undefined) return undefined;
    return options?.acceptsJsonText === true ? new JsonText(text) : decodeValue(text);
  }

  /**
   * Resolves the bare deleted value (not `{old_value}`), or `undefined` when there was none. A
   * delete of a missing key is still a write (engine.md §7.3: its event fires, with old_value null).
   */
  async delete(data: unknown): Promise<Json | undefined> {
    const { scope, key } = readKeyInput('state::delete', data);
    const outcome = await this.write('DELETE_ERROR', 'Failed to delete value', {
      scope,
      key,
      compute: () => ({ delete: true }),
      ...idempotency(data, (previous) => ({ deleted: previous ?? null })),
    });
    if (!outcome.duplicate) return outcome.previous;
    const deleted = (outcome.reply as { deleted?: Json } | null)?.deleted;
    return deleted === null ? undefined : deleted;
  }

  async update(data: unknown): Promise<UpdateResult> {
    const { scope, key, ops } = readUpdateInput('state::update', data);
    let errors: UpdateOpError[] = [];
    let written: Json = null;
    const reply = (previous: Json | undefined): UpdateResult => {
      const result: UpdateResult = { old_value: previous ?? null, new_value: written };
      if (errors.length > 0) result.errors = errors;
      return result;
    };
    const outcome = await this.write('UPDATE_ERROR', 'Failed to update value', {
      scope,
      key,
      compute: (current) => {
        const applied = applyParsedOps(current, ops);
        this.checkSize(applied.value);
        errors = applied.errors;
        written = applied.value;
        // The result is written even when every op failed (a missing key then becomes `{}`).
        return { value: applied.value };
      },
      ...idempotency(data, reply),
    });
    return outcome.duplicate ? (outcome.reply as unknown as UpdateResult) : reply(outcome.previous);
  }

  private async write(code: EngineErrorCode, prefix: string, write: LoggedWrite): Promise<LoggedWriteOutcome> {
    try {
      return await this.ctx.storage.stateLog.write(write);
    } catch (err) {
      if (err instanceof EngineError && err.code === 'VALUE_TOO_LARGE') throw err;
      const reason = err instanceof Error ? err.message : String(err);
      throw new EngineError(code, `${prefix}: ${reason}`);
    }
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
}

/** Awaits a storage call, turning its failure into the function's documented error code. */
async function storageStep<T>(code: EngineErrorCode, prefix: string, step: Promise<T>): Promise<T> {
  try {
    return await step;
  } catch (err) {
    throw storageFailure(code, prefix, err);
  }
}

/** A storage call's failure as the function's documented error code. */
function storageFailure(code: EngineErrorCode, prefix: string, err: unknown): EngineError {
  const reason = err instanceof Error ? err.message : String(err);
  return new EngineError(code, `${prefix}: ${reason}`);
}

/** The idempotency fields of a write: its key (when the caller sent one) and the reply to remember. */
function idempotency(data: unknown, reply: (previous: Json | undefined) => Json | object): Partial<LoggedWrite> {
  const key = readIdempotencyKey(data);
  if (key === undefined) return {};
  return { idempotencyKey: key, reply: (previous) => reply(previous) as Json };
}
