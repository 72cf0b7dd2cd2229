import type { IIIClient } from 'iii-sdk';
import { Inject, Injectable } from '../decorators/module';
import { groupsOf, type GroupList, type StateUpdateResult, type StateWriteResult } from '../state/state.service';
import type { UpdateOp } from '../../protocol/update-ops';
import { III_CLIENT } from '../tokens';

/** A custom event pushed to a group's subscribers (nothing is stored). */
export interface StreamEvent<D = unknown> {
  type: string;
  data: D;
  /** Item id the event concerns: item-level subscribers of that id receive it too. */
  id?: string;
}

/** Typed access to one stream: groups of items, plus custom events. Each call is one `iii.trigger`. */
export interface StreamHandle<T> {
  readonly name: string;
  get(group: string, id: string): Promise<T | undefined>;
  set(group: string, id: string, data: T): Promise<StateWriteResult<T>>;
  update(group: string, id: string, ops: UpdateOp[]): Promise<StateUpdateResult<T>>;
  /** Resolves the deleted item, `undefined` when there was none. */
  delete(group: string, id: string): Promise<T | undefined>;
  list(group: string): Promise<T[]>;
  listGroups(): Promise<string[]>;
  send<D = unknown>(group: string, event: StreamEvent<D>): Promise<void>;
}

/** The iii stream worker (`iii-stream`) as an injectable publisher. */
@Injectable()
export class StreamService {
  constructor(@Inject(III_CLIENT) private readonly iii: IIIClient) {}

  stream<T>(name: string): StreamHandle<T> {
    if (typeof name !== 'string' || name === '') throw new TypeError('stream name must be a non-empty string');
    const call = <R>(fn: string, payload: Record<string, unknown>): Promise<R> =>
      this.iii.trigger<Record<string, unknown>, R>({ function_id: fn, payload: { stream_name: name, ...payload } });
    return {
      name,
      get: (group, id) => call<T | undefined | null>('stream::get', { group_id: group, item_id: id }).then((v) => v ?? undefined),
      set: (group, id, data) => call<StateWriteResult<T>>('stream::set', { group_id: group, item_id: id, data }),
      update: (group, id, ops) => call<StateUpdateResult<T>>('stream::update', { group_id: group, item_id: id, ops }),
      delete: (group, id) =>
        call<{ old_value?: T | null } | undefined>('stream::delete', { group_id: group, item_id: id }).then(
          (r) => r?.old_value ?? undefined,
        ),
      list: (group) => call<T[] | undefined>('stream::list', { group_id: group }).then((v) => v ?? []),
      listGroups: () => call<GroupList>('stream::list_groups', {}).then(groupsOf),
      send: async (group, event) => {
        await call<null>('stream::send', {
          group_id: group,
          type: event.type,
          data: event.data,
          ...(event.id !== undefined ? { id: event.id } : {}),
        });
      },
    };
  }
}
