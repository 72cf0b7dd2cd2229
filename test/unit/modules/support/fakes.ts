import type { StateChangeEvent, StateScope, StreamHandle, UpdateOp } from '../../../../src/framework';

/**
 * Hands a fake to `overrideProvider(...).useValue()`, checked against the real class's PUBLIC
 * surface (`Pick<T, keyof T>` leaves private members out, which no fake could match).
 */
export function fakeOf<T>(fake: Pick<T, keyof T>): T {
  return fake as unknown as T;
}

/**
 * In-memory stand-in for the framework's StateService: same `scope(name)` surface, values kept in
 * Maps, `update` supporting the ops the app uses (set, increment, decrement). Records every write.
 */
export class InMemoryStateService {
  readonly scopes = new Map<string, Map<string, unknown>>();
  readonly writes: Array<{ scope: string; op: 'set' | 'update' | 'delete'; key: string; ops?: UpdateOp[] }> = [];
  /** Runs just before an `update` applies, to simulate a concurrent writer. */
  beforeUpdate: ((scope: string, key: string) => void) | null = null;

  async listScopes(): Promise<string[]> {
    return [...this.scopes.keys()];
  }

  scope<T>(name: string): StateScope<T> {
    const data = (): Map<string, unknown> => {
      let map = this.scopes.get(name);
      if (!map) this.scopes.set(name, (map = new Map()));
      return map;
    };
    const clone = <V>(v: V): V => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as V));
    return {
      name,
      get: async (key) => clone(data().get(key) as T | undefined),
      set: async (key, value) => {
        this.writes.push({ scope: name, op: 'set', key });
        const old = data().get(key);
        data().set(key, clone(value));
        return { old_value: (old ?? null) as T | null, new_value: clone(value) };
      },
      update: async (key, ops) => {
        this.beforeUpdate?.(name, key);
        this.writes.push({ scope: name, op: 'update', key, ops });
        const old = data().get(key) as Record<string, unknown> | undefined;
        const next: Record<string, unknown> = { ...(old ?? {}) };
        for (const op of ops) {
          if (op.type === 'set') next[op.path] = op.value ?? null;
          else if (op.type === 'increment') next[op.path] = ((next[op.path] as number | undefined) ?? 0) + op.by;
          else if (op.type === 'decrement') next[op.path] = ((next[op.path] as number | undefined) ?? 0) - op.by;
          else throw new Error(`InMemoryStateService: op ${op.type} not supported`);
        }
        data().set(key, next);
        return { old_value: clone((old ?? null) as T | null), new_value: clone(next as T) };
      },
      delete: async (key) => {
        this.writes.push({ scope: name, op: 'delete', key });
        const old = data().get(key);
        data().delete(key);
        return old as T | undefined;
      },
      list: async () => [...data().values()].map(clone) as T[],
    };
  }
}

export type StreamCall =
  | { op: 'set'; stream: string; group: string; id: string; data: unknown }
  | { op: 'delete'; stream: string; group: string; id: string }
  | { op: 'send'; stream: string; group: string; type: string; data: unknown };

/** Stand-in for the framework's StreamService that only records what would be published. */
export class RecordingStreamService {
  readonly calls: StreamCall[] = [];

  stream<T>(name: string): StreamHandle<T> {
    const unsupported = (): never => {
      throw new Error('RecordingStreamService: not recorded');
    };
    return {
      name,
      set: async (group, id, data) => {
        this.calls.push({ op: 'set', stream: name, group, id, data });
        return { old_value: null, new_value: data };
      },
      delete: async (group, id) => {
        this.calls.push({ op: 'delete', stream: name, group, id });
        return undefined;
      },
      send: async (group, event) => {
        this.calls.push({ op: 'send', stream: name, group, type: event.type, data: event.data });
      },
      get: unsupported,
      update: unsupported,
      list: unsupported,
      listGroups: unsupported,
    };
  }
}

/** A StateChangeEvent as the engine delivers it (engine.md §7.3). */
export function stateEvent<T>(scope: string, key: string, oldValue: T | null, newValue: T | null): StateChangeEvent<T> {
  const event_type = newValue === null ? 'state:deleted' : oldValue === null ? 'state:created' : 'state:updated';
  return { type: 'state', event_type, scope, key, old_value: oldValue, new_value: newValue };
}
