/**
 * One stream client (engine.md §8.3): its subscriptions, the join/leave protocol (with resume from a `seq`)
 * and the guard against a client that does not read. Frames from one client are handled strictly
 * in arrival order.
 */
import { WebSocket } from 'ws';
import type { EngineContext, Json, TriggerRecord } from '../../core/types';
import type { ClientFrameData } from '../../../protocol/stream';
import type { StreamEventLog } from './event-log';
import type { StreamOperations } from './operations';
import type { Subscription, SubscriptionIndex, SubscriptionSink } from './subscriptions';
import type { StreamTriggers } from './triggers';
import { streamMessage, type JoinLeaveEvent, type StreamFrame, type StreamMessage } from './types';

/** What every connection shares with the server. */
export interface ConnectionDeps {
  context: Pick<EngineContext, 'invoke' | 'logger'>;
  triggers: StreamTriggers;
  /** Reads the join `sync` through the same path as `stream::get`/`stream::list` (custom streams too). */
  operations: Pick<StreamOperations, 'get' | 'list'>;
  /** Positions for syncs and the events a resuming client missed. */
  log: Pick<StreamEventLog, 'head' | 'version' | 'replay'>;
  index: SubscriptionIndex;
  maxBufferedBytes: number;
  /** false (`iii-0.22` semantics): `since` is ignored, every join gets a fresh sync. */
  resumable: boolean;
}

/** A client flooding joins faster than join triggers answer is cut off past this many frames. */
export const MAX_QUEUED_FRAMES = 1024;
/** Joins beyond this many live subscriptions on one connection are ignored. */
export const MAX_SUBSCRIPTIONS = 10_000;
/** Close codes: 1013 "try again later" for a slow reader, 1008 "policy violation" for a flood. */
export const CLOSE_TOO_SLOW = 1013;
export const CLOSE_FLOODING = 1008;
/** How long a dropped client gets to finish the closing handshake before its socket is destroyed. */
const DROP_GRACE_MS = 1000;

/** Where a sync stands: the group's seq and epoch, and the item's version for an item sync. */
interface GroupPosition {
  seq: number;
  epoch: string;
  version?: number | undefined;
}

export class StreamConnection implements SubscriptionSink {
  private readonly subscriptions = new Map<string, Subscription>();
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  /** `dropping`: we asked the socket to close; `closed`: it did. Only `open` sends or subscribes. */
  private state: 'open' | 'dropping' | 'closed' = 'open';
  private dropTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: WebSocket,
    /** The `context` the auth function attached to this connection (`null` without one). */
    private readonly authContext: Json,
    private readonly deps: ConnectionDeps,
  ) {}

  /** Queues one parsed client frame behind the ones before it. */
  enqueue(type: 'join' | 'leave', data: ClientFrameData): void {
    if (this.state !== 'open') return;
    if (this.queued >= MAX_QUEUED_FRAMES) {
      this.drop(CLOSE_FLOODING, 'too many pending frames');
      return;
    }
    this.queued++;
    this.queue = this.queue
      .then(() => (type === 'join' ? this.join(data) : this.leave(data)))
      .catch((err: unknown) => this.deps.context.logger.error('stream client frame failed', { error: String(err) }))
      .finally(() => {
        this.queued--;
      });
  }

  deliver(frame: string): void {
    if (this.state !== 'open' || this.socket.readyState !== WebSocket.OPEN) return;
    // `bufferedAmount` counts what the kernel has not accepted yet: a client that stopped reading
    // makes it grow without bound, so it is cut off instead of holding memory for everyone.
    if (this.socket.bufferedAmount > this.deps.maxBufferedBytes) {
      this.deps.context.logger.warn('stream client too slow, disconnecting', {
        bufferedAmount: this.socket.bufferedAmount,
      });
      this.drop(CLOSE_TOO_SLOW, 'client too slow');
      return;
    }
    this.socket.send(frame);
  }

  /** The socket closed: forget its subscriptions and tell `stream:leave` triggers (unless shutting down). */
  async closedBySocket(notifyLeave: boolean): Promise<void> {
    this.state = 'closed';
    if (this.dropTimer !== undefined) clearTimeout(this.dropTimer);
    const removed = [...this.subscriptions.values()];
    this.subscriptions.clear();
    for (const subscription of removed) this.deps.index.remove(subscription);
    if (!notifyLeave) return;
    for (const subscription of removed) await this.runLeaveTriggers(subscription);
  }

  /** Disconnects this client (slow reader, flood, shutdown); `closedBySocket` follows from the close event. */
  drop(code: number, reason: string): void {
    if (this.state !== 'open') return;
    this.state = 'dropping';
    for (const subscription of this.subscriptions.values()) this.deps.index.remove(subscription);
    this.socket.close(code, reason);
    this.dropTimer = setTimeout(() => this.socket.terminate(), DROP_GRACE_MS);
    this.dropTimer.unref();
  }

  private async join(data: ClientFrameData): Promise<void> {
    if (this.subscriptions.size >= MAX_SUBSCRIPTIONS && !this.subscriptions.has(data.subscriptionId)) {
      this.deps.context.logger.warn('stream client exceeded the subscription limit', { limit: MAX_SUBSCRIPTIONS });
      return;
    }
    const authorized = await this.runJoinTriggers(data);
    if (this.state !== 'open') return;
    if (!authorized) {
      this.send(streamMessage(data.streamName, data.groupId, data.id, { type: 'unauthorized' }));
      return;
    }
    const previous = this.subscriptions.get(data.subscriptionId);
    if (previous !== undefined) this.deps.index.remove(previous);
    const subscription: Subscription = {
      subscriptionId: data.subscriptionId,
      streamName: data.streamName,
      groupId: data.groupId,
      itemId: data.id,
      sink: this,
      pending: [],
    };
    this.subscriptions.set(data.subscriptionId, subscription);
    this.deps.index.add(subscription);
    const since = this.deps.resumable ? data.since : undefined;
    if (since !== undefined && this.resume(subscription, since, data.epoch)) return;
    await this.sync(subscription, since !== undefined);
  }

  /**
   * Sends the events after `since` from the log, if it still holds them all; `false` otherwise.
   * The read is synchronous and the subscription is already indexed, so every later event
   * reaches the client live, after these, and none twice.
   */
  private resume(subscription: Subscription, since: number, epoch: string | undefined): boolean {
    const { streamName, groupId, itemId } = subscription;
    let missed: StreamFrame[] | undefined;
    try {
      missed = this.deps.log.replay(streamName, groupId, itemId, { since, epoch });
    } catch (err) {
      this.deps.context.logger.error('stream resume failed, sending a fresh sync', { streamName, groupId, error: String(err) });
    }
    if (missed === undefined) return false;
    subscription.pending = null;
    for (const frame of missed) this.send(frame);
    return true;
  }

  /**
   * Sends the current item (or group) to a new subscription, then what changed meanwhile. The
   * sync carries the group's position: events up to it are in the snapshot and are not sent again.
   */
  private async sync(subscription: Subscription, gap: boolean): Promise<void> {
    const { streamName, groupId, itemId } = subscription;
    let snapshot: unknown;
    let head: GroupPosition | undefined;
    try {
      // The storage read commits queued writes and reads the table before this call returns, so
      // the position taken right after it (synchronously) is exactly the snapshot's. (A custom
      // stream answers later: its sync may be followed by events it already contains.)
      const read =
        itemId !== null
          ? this.deps.operations.get({ stream_name: streamName, group_id: groupId, item_id: itemId })
          : this.deps.operations.list({ stream_name: streamName, group_id: groupId });
      head = this.position(streamName, groupId, itemId);
      snapshot = await read;
    } catch (err) {
      head = undefined;
      this.deps.context.logger.error('stream join sync failed', { streamName, groupId, error: String(err) });
    }
    const pending = subscription.pending ?? [];
    subscription.pending = null;
    if (this.state !== 'open') return;
    if (head !== undefined) {
      const data = snapshot === undefined ? null : (snapshot as Json);
      const sync: StreamFrame = { ...streamMessage(streamName, groupId, itemId, { type: 'sync', data }), seq: head.seq };
      if (head.version !== undefined && snapshot !== undefined) sync.version = head.version;
      sync.epoch = head.epoch;
      if (gap) sync.gap = true;
      this.send(sync);
    }
    for (const message of pending) if (head === undefined || message.seq > head.seq) this.send(message);
  }

  private position(streamName: string, groupId: string, itemId: string | null): GroupPosition {
    const head: GroupPosition = this.deps.log.head(streamName, groupId);
    if (itemId !== null) head.version = this.deps.log.version(streamName, groupId, itemId);
    return head;
  }

  private async leave(data: ClientFrameData): Promise<void> {
    const subscription = this.subscriptions.get(data.subscriptionId);
    if (subscription === undefined) return;
    this.subscriptions.delete(data.subscriptionId);
    this.deps.index.remove(subscription);
    await this.runLeaveTriggers(subscription);
  }

  /**
   * Calls every `stream:join` trigger in turn; one `{unauthorized: true}` refuses the join.
   * A failing handler or an answer without a boolean counts as "authorized" (reference behaviour).
   */
  private async runJoinTriggers(data: ClientFrameData): Promise<boolean> {
    const event = this.joinLeaveEvent(data.subscriptionId, data.streamName, data.groupId, data.id);
    let authorized = true;
    for (const trigger of this.deps.triggers.joinTriggers()) {
      const result = await this.callTrigger(trigger, event);
      if (result === undefined) continue;
      const verdict = typeof result === 'object' && result !== null ? (result as Record<string, unknown>).unauthorized : undefined;
      if (verdict === true) authorized = false;
      else if (verdict !== false) {
        this.deps.context.logger.warn('stream:join handler returned no boolean `unauthorized`', {
          functionId: trigger.function_id,
        });
      }
    }
    return authorized;
  }

  private async runLeaveTriggers(subscription: Subscription): Promise<void> {
    const event = this.joinLeaveEvent(subscription.subscriptionId, subscription.streamName, subscription.groupId, subscription.itemId);
    for (const trigger of this.deps.triggers.leaveTriggers()) await this.callTrigger(trigger, event);
  }

  /** Invokes one join/leave trigger's function; failures are logged and read as "no answer". */
  private async callTrigger(trigger: TriggerRecord, event: JoinLeaveEvent): Promise<unknown> {
    try {
      return await this.deps.context.invoke(trigger.function_id, event, { metadata: trigger.metadata });
    } catch (err) {
      this.deps.context.logger.error('stream join/leave trigger failed', {
        functionId: trigger.function_id,
        error: String(err),
      });
      return undefined;
    }
  }

  private joinLeaveEvent(subscriptionId: string, streamName: string, groupId: string, id: string | null): JoinLeaveEvent {
    return { subscription_id: subscriptionId, stream_name: streamName, group_id: groupId, id, context: this.authContext };
  }

  private send(message: StreamMessage): void {
    let frame: string;
    try {
      frame = this.deps.index.serialise(message);
    } catch (err) {
      this.deps.context.logger.error('stream frame could not be serialised', { error: String(err) });
      return;
    }
    this.deliver(frame);
  }
}
