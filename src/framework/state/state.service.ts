import type { IIIClient } from 'iii-sdk';
import { Inject, Injectable } from '../decorators/module';
import { III_CLIENT } from '../tokens';
import { nextIdempotencyKey } from './reaction-scope';
import type { UpdateOp, UpdateOpError } from '../../protocol/update-ops';

export interface StateWriteResult<T> {
  /** The previous value, `null` when the key did not exist. */
  old_value: T | null;
  new_value: T;
}
export interface StateUpdateResult<T> extends StateWriteResult<T> {
  /** Per-operation failures (failed ops are skipped, the rest still apply). */
  errors?: UpdateOpError[];
}

/**
 * Typed access to one state scope. Every call is one `iii.trigger` of a `state::*` function. Writes
 * made inside a state reaction carry an idempotency key (see `reaction-scope`), so a reaction
 * delivered twice for one change writes once.
 */
export interface StateScope<T> {
  readonly name: string;
  get(key: string): Promise<T | undefined>;
  set(key: string, value: T): Promise<StateWriteResult<T>>;
  update(key: string, ops: UpdateOp[]): Promise<StateUpdateResult<T>>;
  /** Resolves the deleted value, `undefined` when there was none. */
  delete(key: string): Promise<T | undefined>;
  list(): Promise<T[]>;
}

/** The iii state worker (`iii-state`) as an injectable. */
@Injectable()
export class StateService {
  constructor(@Inject(III_CLIENT) private readonly iii: IIIClient) {}

  scope<T>(name: string): StateScope<T> {
    if (typeof name !== 'string' || name === '') throw new TypeError('state scope name must be a non-empty string');
    const call = <R>(fn: string, payload: Record<string, unknown>): Promise<R> =>
      this.iii.trigger<Record<string, unknown>, R>({ function_id: fn, payload: { scope: name, ...payload } });
    // Inside a state reaction, each write carries the key that makes a redelivery write nothing twice.
    const write = <R>(fn: string, payload: Record<string, unknown>): Promise<R> => {
      const key = nextIdempotencyKey();
      return call<R>(fn, key === undefined ? payload : { ...payload, idempotency_key: key });
    };
    return {
      name,
      get: (key) => call<T | undefined>('state::get', { key }).then(absentAsUndefined),
      set: (key, value) => write<StateWriteResult<T>>('state::set', { key, value }),
      update: (key, ops) => write<StateUpdateResult<T>>('state::update', { key, ops }),
      delete: (key) => write<T | undefined>('state::delete', { key }).then(absentAsUndefined),
      list: () => call<T[] | undefined>('state::list', {}).then((v) => v ?? []),
    };
  }

  /** Names of every scope that holds data. */
  async listScopes(): Promise<string[]> {
    const result = await this.iii.trigger<Record<string, never>, GroupList>({ function_id: 'state::list_groups', payload: {} });
    return groupsOf(result);
  }
}

/** How `state::list_groups` and `stream::list_groups` answer: a bare list or `{ groups }`. */
export type GroupList = string[] | { groups?: string[] } | undefined;

export function groupsOf(result: GroupList): string[] {
  if (Array.isArray(result)) return result;
  return result?.groups ?? [];
}

/** The engine answers "no value" with an absent result; normalise a `null` the same way. */
function absentAsUndefined<T>(value: T | undefined | null): T | undefined {
  return value === null ? undefined : value;
}
