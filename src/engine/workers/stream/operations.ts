/**
 * What the `stream::*` functions do once their input is typed: route to a custom stream
 * implementation when one is registered (engine.md §8.2), otherwise to storage, and announce every change.
 *
 * Writes to one stored item take their place one at a time (read-modify-write is atomic per item):
 * the item's lock is held until the write is queued in the store, which fixes its order (the store
 * takes writes in call order), not until it commits, so writes to one hot item share a storage
 * batch instead of waiting for one commit each. Every change event goes through the group's event
 * log (`event-log.ts`), which numbers it: a stored write's event is logged in the write's own
 * transaction and published as soon as it commits, in commit order — so subscribers and triggers
 * see a group's events in the order of their `seq`.
 */
import type { EngineContext, Json, WriteJournal } from '../../core/types';
import { EngineError, type EngineErrorCode } from '../../core/errors';
import { applyParsedOps, parseUpdateOps } from '../../lib/update-ops';
import { customCallError, customFunctionId, readDeleteResult, readWriteResult, type CustomOperation } from './custom';
import type { StreamEventLog } from './event-log';
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
  type StreamFrame,
  type StreamMessage,
  type UpdateInput,
} from './types';

export type UpdateResult = SetResult & { errors?: readonly unknown[] };

/** Receives a change event that still has to be logged (the bridge's events from the other engine). */
export type ChangeSink = (message: StreamMessage<StreamChangeEvent>) => void;

/** Receives every logged change event (fans out to `stream` triggers and subscribed clients). */
export type FrameSink = (frame: StreamFrame<StreamChangeEvent>) => void;

export interface StreamOperationsDeps {
  context: Pick<EngineContext, 'hasFunction' | 'invoke'>;
  store: StreamStore;
  log: StreamEventLog;
  publish: FrameSink;
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
    const old = await this.queued(input, () => {
      const journal = this.writeJournal(input, input.data);
      return {
        done: storage('STREAM_SET_ERROR', 'set value', () =>
          this.deps.store.set(input.stream_name, input.group_id, input.item_id, input.data, journal),
        ),
      };
    });
    return { old_value: old ?? null, new_value: input.data };
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
    const old = await this.queued(ref, () => {
      // Deleting a missing item announces nothing.
      const journal = this.deps.log.journal(
        envelope(ref),
        (previous) => (previous === undefined ? undefined : { type: 'delete', data: previous }),
        this.deps.publish,
      );
      return {
        done: storage('STREAM_DELETE_ERROR', 'delete value', () =>
          this.deps.store.delete(ref.stream_name, ref.group_id, ref.item_id, journal),
        ),
      };
    });
    return { old_value: old ?? null };
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

  /** Applies engine.md §7.2 update ops; op failures are reported in `errors` and never fail the call. */
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
    let result: UpdateResult | undefined;
    const { stream_name: name, group_id: group, item_id: item } = input;
    await this.queued(input, async () => {
      // The store answers with its queued writes included: this reads what the last write queued.
      const current = await storage('STREAM_UPDATE_ERROR', 'update value', () => this.deps.store.get(name, group, item));
      const { value, errors } = applyParsedOps(current, ops);
      const journal = this.writeJournal(input, value);
      result = { old_value: current ?? null, new_value: value };
      if (errors.length > 0) result.errors = errors;
      return { done: storage('STREAM_UPDATE_ERROR', 'update value', () => this.deps.store.set(name, group, item, value, journal)) };
    });
    return result as UpdateResult;
  }

  /** A custom event for subscribers; nothing is stored. */
  send(input: SendInput): null {
    const event: StreamChangeEvent = { type: 'event', event: { type: input.type, data: input.data } };
    this.deps.publish(this.deps.log.append(streamMessage(input.stream_name, input.group_id, input.id, event)));
    return null;
  }

  /**
   * Runs `write` under the item's lock until it has queued its storage call (the promise it
   * returns), then waits for that call outside the lock: the next write of the item may queue
   * behind it in the same batch. Commits and their events keep the queue's order.
   */
  private async queued<T>(ref: ItemRef, write: () => Queued<T> | Promise<Queued<T>>): Promise<T> {
    const queued = await this.lock.run(itemKey(ref), async () => {
      const { done } = await write();
      // Awaited by the caller a few microtasks later: a rejection until then is not "unhandled".
      done.catch(() => undefined);
      return { done };
    });
    return queued.done;
  }

  private customId(operation: CustomOperation, streamName: string): string | undefined {
    const id = customFunctionId(operation, streamName);
    return this.deps.context.hasFunction(id) ? id : undefined;
  }

  private async callCustom(functionId: string, data: unknown, failureCode: EngineErrorCode, verb: string): Promise<unknown> {
    try {
      return await this.deps.context.invoke(functionId, data);
    } catch (err) {
      throw customCallError(err, failureCode, verb);
    }
  }

  /** The journal of a stored write: `create` when the item had no value before, else `update`. */
  private writeJournal(ref: ItemRef, value: Json): WriteJournal {
    return this.deps.log.journal(
      envelope(ref),
      (previous) => (previous === undefined ? { type: 'create', data: value } : { type: 'update', data: value }),
      this.deps.publish,
    );
  }

  /** A custom stream's write: `existed` decides `update` over `create` (a non-null `old_value`). */
  private emitWrite(ref: ItemRef, existed: boolean, value: Json): void {
    const event: StreamChangeEvent = existed ? { type: 'update', data: value } : { type: 'create', data: value };
    this.deps.publish(this.deps.log.append(streamMessage(ref.stream_name, ref.group_id, ref.item_id, event)));
  }

  /** A custom stream's deletion (only called when something was deleted). */
  private emitDelete(ref: ItemRef, oldValue: Json): void {
    const event: StreamChangeEvent = { type: 'delete', data: oldValue };
    const message = streamMessage(ref.stream_name, ref.group_id, ref.item_id, event);
    this.deps.publish(this.deps.log.append(message));
  }
}

/** A storage write that has taken its place in the store's order; `done` settles at its commit. */
interface Queued<T> {
  done: Promise<T>;
}

/** The envelope of an item's event, stamped now (the event itself is known only at commit). */
function envelope(ref: ItemRef): Omit<StreamMessage<StreamChangeEvent>, 'event'> {
  return { type: 'stream', timestamp: Date.now(), streamName: ref.stream_name, groupId: ref.group_id, id: ref.item_id };
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
async function storage<T>(code: EngineErrorCode, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof EngineError && err.code === code) throw err;
    throw new EngineError(code, `Failed to ${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
