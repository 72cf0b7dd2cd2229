/**
 * What the `stream::*` functions do once their input is typed: route to a custom stream
 * implementation when one is registered (§8.2), otherwise to storage, and announce every change.
 *
 * Writes to one stored item run one at a time (read-modify-write is atomic per item), and the
 * change event is emitted synchronously right after the write is acknowledged, inside that
 * critical section — so subscribers and triggers see the writes of an item in the order they
 * happened.
 */
import type { EngineContext, Json } from '../../core/types';
import { EngineError } from '../../core/errors';
import { applyParsedOps, parseUpdateOps } from '../state/update-ops';
import { customCallError, customFunctionId, readDeleteResult, readWriteResult, type CustomOperation } from './custom';
import { KeyedLock } from './keyed-lock';
import type { StreamStore } from './store';
import {
  streamMessage,
  type DeleteResult,
  type GroupRef,
  type ItemRef,
  type ListAllResult,
  type SendInput,
  type SetInput,
  type SetResult,
  type StreamChangeEvent,
  type StreamMessage,
  type UpdateInput,
} from './types';

export type UpdateResult = SetResult & { errors?: readonly unknown[] };

/** Receives every change event (fans out to `stream` triggers and subscribed clients). */
export type ChangeSink = (message: StreamMessage<StreamChangeEvent>) => void;

export interface StreamOperationsDeps {
  context: Pick<EngineContext, 'hasFunction' | 'invoke'>;
  store: StreamStore;
  emit: ChangeSink;
}

export class StreamOperations {
  private readonly lock = new KeyedLock();

  constructor(private readonly deps: StreamOperationsDeps) {}

  async set(input: SetInput): Promise<SetResult> {
    const custom = this.customId('set', input.stream_name);
    if (custom !== undefined) {
      const call = { stream_name: input.stream_name, group_id: input.group_id, item_id: input.item_id, data: input.data };
      const result = readWriteResult(await this.callCustom(custom, call, 'STREAM_SET_ERROR', 'set'), 'STREAM_SET_ERROR', 'set');
      this.emitWrite(input, result.old_value !== null, result.new_value);
      return { old_value: result.old_value, new_value: result.new_value };
    }
    return this.lock.run(itemKey(input), async () => {
      const old = await storage('STREAM_SET_ERROR', 'set value', () =>
        this.deps.store.set(input.stream_name, input.group_id, input.item_id, input.data),
      );
      const result: SetResult = { old_value: old ?? null, new_value: input.data };
      this.emitWrite(input, old !== undefined, input.data);
      return result;
    });
  }

  /** The item, or `undefined` when missing; a custom stream's answer is returned untouched. */
  async get(ref: ItemRef): Promise<unknown> {
    const custom = this.customId('get', ref.stream_name);
    if (custom !== undefined) return this.deps.context.invoke(custom, itemCall(ref));
    return storage('STREAM_GET_ERROR', 'get value', () => this.deps.store.get(ref.stream_name, ref.group_id, ref.item_id));
  }

  async delete(ref: ItemRef): Promise<DeleteResult> {
    const custom = this.customId('delete', ref.stream_name);
    if (custom !== undefined) {
      const result = readDeleteResult(await this.callCustom(custom, itemCall(ref), 'STREAM_DELETE_ERROR', 'delete'));
      if (result.old_value !== null) this.emitDelete(ref, result.old_value);
      return result;
    }
    return this.lock.run(itemKey(ref), async () => {
      const old = await storage('STREAM_DELETE_ERROR', 'delete value', () =>
        this.deps.store.delete(ref.stream_name, ref.group_id, ref.item_id),
      );
      if (old !== undefined) this.emitDelete(ref, old);
      return { old_value: old ?? null };
    });
  }

  /** The group's values (`[]` when empty); a custom stream's answer is returned untouched. */
  async list(ref: GroupRef): Promise<unknown> {
    const custom = this.customId('list', ref.stream_name);
    if (custom !== undefined) {
      return this.deps.context.invoke(custom, { stream_name: ref.stream_name, group_id: ref.group_id });
    }
    return storage('STREAM_GET_GROUP_ERROR', 'get group', () => this.deps.store.list(ref.stream_name, ref.group_id));
  }

  /** A bare array of group ids (the README's `{groups}` is not what the engine returns). */
  async listGroups(streamName: string): Promise<unknown> {
    const custom = this.customId('list_groups', streamName);
    if (custom !== undefined) return this.deps.context.invoke(custom, { stream_name: streamName });
    return storage('STREAM_LIST_GROUPS_ERROR', 'list groups', () => this.deps.store.listGroups(streamName));
  }

  async listAll(): Promise<ListAllResult> {
    const stream = await storage('STREAM_LIST_ALL_ERROR', 'list stream', () => this.deps.store.listAll());
    return { stream, count: stream.length };
  }

  /** Applies §7.2 update ops; op failures are reported in `errors` and never fail the call. */
  async update(input: UpdateInput): Promise<UpdateResult> {
    const ops = parseUpdateOps(input.ops, 'stream::update');
    const custom = this.customId('update', input.stream_name);
    if (custom !== undefined) {
      const call = { stream_name: input.stream_name, group_id: input.group_id, item_id: input.item_id, ops };
      const raw = await this.callCustom(custom, call, 'STREAM_UPDATE_ERROR', 'update');
      const result = readWriteResult(raw, 'STREAM_UPDATE_ERROR', 'update');
      this.emitWrite(input, result.old_value !== null, result.new_value);
      return result;
    }
    return this.lock.run(itemKey(input), async () => {
      const { stream_name: name, group_id: group, item_id: item } = input;
      const current = await storage('STREAM_UPDATE_ERROR', 'update value', () => this.deps.store.get(name, group, item));
      const { value, errors } = applyParsedOps(current, ops);
      await storage('STREAM_UPDATE_ERROR', 'update value', () => this.deps.store.set(name, group, item, value));
      const result: UpdateResult = { old_value: current ?? null, new_value: value };
      if (errors.length > 0) result.errors = errors;
      this.emitWrite(input, current !== undefined, value);
      return result;
    });
  }

  /** A custom event for subscribers; nothing is stored. */
  send(input: SendInput): null {
    const event: StreamChangeEvent = { type: 'event', event: { type: input.type, data: input.data } };
    this.deps.emit(streamMessage(input.stream_name, input.group_id, input.id, event));
    return null;
  }

  private customId(operation: CustomOperation, streamName: string): string | undefined {
    const id = customFunctionId(operation, streamName);
    return this.deps.context.hasFunction(id) ? id : undefined;
  }

  private async callCustom(functionId: string, data: unknown, failureCode: string, verb: string): Promise<unknown> {
    try {
      return await this.deps.context.invoke(functionId, data);
    } catch (err) {
      throw customCallError(err, failureCode, verb);
    }
  }

  /** `existed` decides `update` over `create` (a custom stream signals it with a non-null `old_value`). */
  private emitWrite(ref: ItemRef, existed: boolean, value: Json): void {
    const event: StreamChangeEvent = existed ? { type: 'update', data: value } : { type: 'create', data: value };
    this.deps.emit(streamMessage(ref.stream_name, ref.group_id, ref.item_id, event));
  }

  /** Called only for an actual deletion: deleting a missing item announces nothing. */
  private emitDelete(ref: ItemRef, oldValue: Json): void {
    this.deps.emit(streamMessage(ref.stream_name, ref.group_id, ref.item_id, { type: 'delete', data: oldValue }));
  }
}

/** An injective key for one item (the lock key). */
function itemKey(ref: ItemRef): string {
  return JSON.stringify([ref.stream_name, ref.group_id, ref.item_id]);
}

/** The typed input a custom stream function receives (no injected extras such as `_caller_worker_id`). */
function itemCall(ref: ItemRef): ItemRef {
  return { stream_name: ref.stream_name, group_id: ref.group_id, item_id: ref.item_id };
}

/** Runs one storage call, reporting an adapter failure with the operation's stable code. */
async function storage<T>(code: string, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof EngineError && err.code === code) throw err;
    throw new EngineError(code, `Failed to ${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
