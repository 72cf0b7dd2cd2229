/**
 * Brings the remote engine's stream change events home. The bridge registers one function on
 * the remote and, per stream name somebody here cares about, one remote `stream` trigger bound
 * to it; each event the remote fires is checked and handed to the local sink (local `stream`
 * triggers, then local WebSocket subscribers). Because the events come from the remote's own
 * trigger fan-out, writes made there by anybody — through this bridge, another bridge, or
 * directly — reach local clients alike, and each exactly once.
 */
import { randomUUID } from 'node:crypto';
import type { EngineLogger, Json } from '../../../core/types';
import type { ChangeSink } from '../operations';
import type { StreamChangeEvent, StreamMessage } from '../types';
import type { BridgeClient } from '../../../adapters/bridge/client';
import { isRecord } from '../../../adapters/bridge/payload';

/** Remote `stream` triggers this relay will hold at most (stream names are few in practice). */
export const MAX_WATCHED_STREAMS = 1024;

interface Watch {
  holders: number;
  unregister: () => void;
}

export class StreamRelay {
  /** Unique per bridge, so several engines can bridge to the same remote. */
  readonly functionId = `stream::bridge::on_event::${randomUUID()}`;
  private readonly watched = new Map<string, Watch>();
  private closed = false;

  constructor(
    private readonly client: Pick<BridgeClient, 'registerFunction' | 'registerTrigger'>,
    private readonly sink: ChangeSink,
    private readonly logger: EngineLogger,
  ) {
    client.registerFunction(this.functionId, async (data) => {
      this.deliver(data);
      return null;
    });
  }

  /**
   * Starts relaying events of `streamName` (if not already) and resolves a release function;
   * the remote trigger is removed when the last holder releases it.
   */
  hold(streamName: string): () => void {
    if (this.closed) return () => undefined;
    let watch = this.watched.get(streamName);
    if (watch === undefined) {
      if (this.watched.size >= MAX_WATCHED_STREAMS) {
        this.logger.warn('iii-stream bridge: too many watched streams; events of this one are not relayed', { streamName });
        return () => undefined;
      }
      watch = { holders: 0, unregister: this.client.registerTrigger('stream', this.functionId, { stream_name: streamName }) };
      this.watched.set(streamName, watch);
    }
    watch.holders++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release(streamName);
    };
  }

  /** Whether events of `streamName` are being relayed. */
  isWatching(streamName: string): boolean {
    return this.watched.has(streamName);
  }

  /** Stops relaying (the remote drops the triggers with the bridge's connection). */
  close(): void {
    this.closed = true;
    this.watched.clear();
  }

  private release(streamName: string): void {
    const watch = this.watched.get(streamName);
    if (watch === undefined) return;
    watch.holders--;
    if (watch.holders > 0) return;
    this.watched.delete(streamName);
    if (!this.closed) watch.unregister();
  }

  private deliver(data: unknown): void {
    const message = readChangeMessage(data);
    if (message === undefined) {
      this.logger.warn('iii-stream bridge: ignored a relayed event that is not a stream change message');
      throw new Error('not a stream change message');
    }
    if (this.closed) return;
    this.sink(message);
  }
}

const WRITE_EVENTS: ReadonlySet<string> = new Set(['create', 'update', 'delete']);

/**
 * Checks a relayed `StreamWrapperMessage` (the remote `stream` trigger payload) and rebuilds it
 * with only the known fields; `undefined` for anything else.
 */
export function readChangeMessage(data: unknown): StreamMessage<StreamChangeEvent> | undefined {
  if (!isRecord(data) || data['type'] !== 'stream') return undefined;
  const { streamName, groupId, id, timestamp, event } = data;
  if (typeof streamName !== 'string' || typeof groupId !== 'string') return undefined;
  if (id !== undefined && id !== null && typeof id !== 'string') return undefined;
  if (!isRecord(event) || typeof event['type'] !== 'string') return undefined;
  let change: StreamChangeEvent;
  if (WRITE_EVENTS.has(event['type'])) {
    change = { type: event['type'] as 'create' | 'update' | 'delete', data: (event['data'] ?? null) as Json };
  } else if (event['type'] === 'event') {
    const custom = event['event'];
    if (!isRecord(custom) || typeof custom['type'] !== 'string') return undefined;
    change = { type: 'event', event: { type: custom['type'], data: (custom['data'] ?? null) as Json } };
  } else {
    return undefined;
  }
  return {
    type: 'stream',
    timestamp: typeof timestamp === 'number' && Number.isFinite(timestamp) ? timestamp : Date.now(),
    streamName,
    groupId,
    id: typeof id === 'string' ? id : null,
    event: change,
  };
}
