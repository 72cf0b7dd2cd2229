/**
 * Stream items in the engine's KV store: namespace `stream`, one scope per `(stream, group)`,
 * one key per item. The scope is `<stream>:<group>` with `%` and `:` escaped in the stream name,
 * so the encoding stays injective (a stream named `a:b` never collides with stream `a`, group
 * `b:…`) while ordinary names read exactly like the reference engine's `stream:<name>:<group>`.
 */
import type { Json, KvStore, WriteJournal } from '../../core/types';

export const STREAM_NAMESPACE = 'stream';

export function encodeScope(streamName: string, groupId: string): string {
  return `${streamName.replace(/[%:]/g, (c) => (c === '%' ? '%25' : '%3A'))}:${groupId}`;
}

/** Inverse of `encodeScope`; `undefined` for scopes this worker did not write. */
export function decodeScope(scope: string): { streamName: string; groupId: string } | undefined {
  const colon = scope.indexOf(':');
  if (colon < 0) return undefined;
  const streamName = scope.slice(0, colon).replace(/%(25|3A)/g, (m) => (m === '%25' ? '%' : ':'));
  return { streamName, groupId: scope.slice(colon + 1) };
}

export class StreamStore {
  constructor(private readonly kv: KvStore) {}

  get(streamName: string, groupId: string, itemId: string): Promise<Json | undefined> {
    return this.kv.get(STREAM_NAMESPACE, encodeScope(streamName, groupId), itemId);
  }

  /** Stores the item and resolves its previous value (`undefined` when it was new). */
  set(streamName: string, groupId: string, itemId: string, value: Json, journal?: WriteJournal): Promise<Json | undefined> {
    return this.kv.set(STREAM_NAMESPACE, encodeScope(streamName, groupId), itemId, value, journal);
  }

  /** Deletes the item and resolves its previous value (`undefined` when there was none). */
  delete(streamName: string, groupId: string, itemId: string, journal?: WriteJournal): Promise<Json | undefined> {
    return this.kv.delete(STREAM_NAMESPACE, encodeScope(streamName, groupId), itemId, journal);
  }

  /** The group's item values in insertion order. */
  list(streamName: string, groupId: string): Promise<Json[]> {
    return this.kv.list(STREAM_NAMESPACE, encodeScope(streamName, groupId));
  }

  /** The groups of one stream that hold at least one item. */
  async listGroups(streamName: string): Promise<string[]> {
    const groups: string[] = [];
    for (const scope of await this.kv.scopes(STREAM_NAMESPACE)) {
      const decoded = decodeScope(scope);
      if (decoded !== undefined && decoded.streamName === streamName) groups.push(decoded.groupId);
    }
    return groups;
  }

  /** Every stream with its groups, both sorted (the shape of `stream::list_all`). */
  async listAll(): Promise<Array<{ id: string; groups: string[] }>> {
    const byStream = new Map<string, string[]>();
    for (const scope of await this.kv.scopes(STREAM_NAMESPACE)) {
      const decoded = decodeScope(scope);
      if (decoded === undefined) continue;
      const groups = byStream.get(decoded.streamName);
      if (groups === undefined) byStream.set(decoded.streamName, [decoded.groupId]);
      else groups.push(decoded.groupId);
    }
    return [...byStream.keys()].sort(compareStrings).map((id) => ({ id, groups: (byStream.get(id) ?? []).sort(compareStrings) }));
  }
}

/** Code-unit order, like Rust's `String` ordering for ASCII names (localeCompare is locale-bound). */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
