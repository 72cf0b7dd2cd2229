/**
 * One stream client (engine.md §8.3): its subscriptions, the join/leave protocol (with resume from a `seq`)
 * and the guard against a client that does not read. Frames from one client are handled strictly
 * in arrival order.
 */
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import type { EngineContext, Json, TriggerRecord } from '../../core/types';
import type { ClientFrameData } from '../../../protocol/stream';
import type { StreamEventLog } from './event-log';
import { withTimeout, type StreamLimits } from './limits';
import type { StreamOperations } from './operations';
import type { Outbox, OutboxClient } from './outbox';
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
  /** Writes each client's frames once per task (shared by every connection). */
  outbox: Outbox;
  maxBufferedBytes: number;
  /** false (`iii-0.22` semantics): `since` is ignored, every join gets a fresh sync. */
  resumable: boolean;
  limits: Pick<StreamLimits, 'subscriptionsPerConnection' | 'guardTimeoutMs'>;
}

/** A client flooding joins faster than join triggers answer is cut off past this many frames. */
export const MAX_QUEUED_FRAMES = 1024;
/** Close codes: 1013 "try again later" for a slow reader, 1008 "policy violation" for a flood. */
export const CLOSE_TOO_SLOW = 1013;
export const CLOSE_FLOODING = 1008;
/**
 * A dropped client's socket is destroyed once its unsent data has not shrunk for this long: a
 * client still reading gets everything up to the close frame (and so its close code), one that
 * stopped reading does not hold the socket. (`ws` destroys it 30 s after the close frame anyway.)
 */
const DROP_STALL_MS = 2000;

/** The `code` of an `error` event refusing a join (docs/streams-protocol.md). */
export type JoinErrorCode = 'subscription_limit' | 'duplicate_subscription';

/** Where a sync stands: the group's seq and epoch, and the item's version for an item sync. */
interface GroupPosition {
  seq: number;
  epoch: string;
  version?: number | undefined;
}

export class StreamConnection implements SubscriptionSink, OutboxClient {
  private readonly subscriptions = new Map<string, Subscription>();
  /** (stream, group, item) → subscription id: one subscription per target and connection. */
  private readonly targets = new Map<string, string>();
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  /** `dropping`: we asked the socket to close; `closed`: it did. Only `open` sends or subscribes. */
  private state: 'open' | 'dropping' | 'closed' = 'open';
  private dropTimer: NodeJS.Timeout | undefined;
  /** Whole WebSocket frames waiting for the outbox's write at the end of this task. */
  private frames: Buffer[] = [];

  /** Whether this client is still served (not being dropped or closed). */
  get isOpen(): boolean {
    return this.state === 'open';
  }

  constructor(
    private readonly socket: WebSocket,
    /**
     * The upgraded TCP socket under `socket`. Frames are prebuilt (`textFrame`), so they are written
     * here directly; `ws` writes its own frames (close, pong) synchronously to the same socket and
     * queues none (no compression), so the order of messages holds, and `bufferedAmount` counts both.
     */
    private readonly wire: Pick<Duplex, 'write'>,
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

  /** Queues a whole frame; the outbox writes this task's frames together (`write`). */
  deliver(frame: Buffer): void {
    if (this.state !== 'open' || this.socket.readyState !== WebSocket.OPEN) return;
    if (this.frames.length === 0) this.deps.outbox.schedule(this);
    this.frames.push(frame);
  }

  takeFrames(): Buffer[] {
    const frames = this.frames;
    this.frames = [];
    return frames;
  }

  write(data: Buffer): void {
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
    this.wire.write(data);
  }

  /**
   * Nothing of this client's is pending (for the engine's `settle()`): no join or leave queued, and
   * every frame sent so far handed to the kernel (`bufferedAmount` 0). A client being dropped or
   * gone has nothing more coming.
   */
  isFlushed(): boolean {
    return this.state !== 'open' || (this.queued === 0 && this.frames.length === 0 && this.socket.bufferedAmount === 0);
  }

  /** The socket closed: forget its subscriptions and tell `stream:leave` triggers (unless shutting down). */
  async closedBySocket(notifyLeave: boolean): Promise<void> {
    this.state = 'closed';
    this.frames = [];
    if (this.dropTimer !== undefined) clearInterval(this.dropTimer);
    const removed = [...this.subscriptions.values()];
    this.subscriptions.clear();
    this.targets.clear();
    for (const subscription of removed) this.deps.index.remove(subscription);
    if (!notifyLeave) return;
    for (const subscription of removed) await this.runLeaveTriggers(subscription);
  }

  /** Disconnects this client (slow reader, flood, shutdown); `closedBySocket` follows from the close event. */
  drop(code: number, reason: string): void {
    if (this.state !== 'open') return;
    this.state = 'dropping';
    this.frames = [];
    for (const subscription of this.subscriptions.values()) this.deps.index.remove(subscription);
    // The close frame queues behind what the client has not read yet: keep the socket while that
    // drains, so the client reads the code (a slow reader used to see 1006 instead of 1013).
    this.socket.close(code, reason);
    let unsent = this.socket.bufferedAmount;
    this.dropTimer = setInterval(() => {
      const now = this.socket.bufferedAmount;
      if (now >= unsent) this.socket.terminate();
      unsent = now;
    }, DROP_STALL_MS);
    this.dropTimer.unref();
  }

  private async join(data: ClientFrameData): Promise<void> {
    const refusal = this.joinRefusal(data);
    if (refusal !== undefined) {
      this.deps.context.logger.warn('stream join refused', { code: refusal.code, streamName: data.streamName, groupId: data.groupId });
      this.send(streamMessage(data.streamName, data.groupId, data.id, { type: 'error', error: refusal }));
      return;
    }
    const authorized = await this.runJoinTriggers(data);
    if (this.state !== 'open') return;
    if (!authorized) {
      this.send(streamMessage(data.streamName, data.groupId, data.id, { type: 'unauthorized' }));
      return;
    }
    const previous = this.subscriptions.get(data.subscriptionId);
    if (previous !== undefined) this.forget(previous);
    const subscription: Subscription = {
      subscriptionId: data.subscriptionId,
      streamName: data.streamName,
      groupId: data.groupId,
      itemId: data.id,
      sink: this,
      pending: [],
    };
    this.subscriptions.set(data.subscriptionId, subscription);
    this.targets.set(targetKey(data), data.subscriptionId);
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
    this.forget(subscription);
    await this.runLeaveTriggers(subscription);
  }

  private forget(subscription: Subscription): void {
    this.subscriptions.delete(subscription.subscriptionId);
    this.targets.delete(targetKey({ streamName: subscription.streamName, groupId: subscription.groupId, id: subscription.itemId }));
    this.deps.index.remove(subscription);
  }

  /**
   * Why a join is refused before its guards run: past the subscription limit, or the same target
   * (stream, group, item) as another subscription of this connection, which would double every
   * event it receives. Joining again under the same subscription id replaces it (a fresh sync).
   */
  private joinRefusal(data: ClientFrameData): { code: JoinErrorCode; message: string } | undefined {
    const holder = this.targets.get(targetKey(data));
    if (holder !== undefined && holder !== data.subscriptionId) {
      return { code: 'duplicate_subscription', message: `already subscribed to this target as ${JSON.stringify(holder)}` };
    }
    const limit = this.deps.limits.subscriptionsPerConnection;
    if (!this.subscriptions.has(data.subscriptionId) && this.subscriptions.size >= limit) {
      return { code: 'subscription_limit', message: `at most ${limit} subscriptions per connection` };
    }
    return undefined;
  }

  /**
   * Calls every `stream:join` trigger in turn; one `{unauthorized: true}` refuses the join. An
   * answer without a boolean counts as "authorized" (reference behaviour), but a guard that fails,
   * does not answer in time or went away with its worker refuses it (fail closed).
   */
  private async runJoinTriggers(data: ClientFrameData): Promise<boolean> {
    const orphaned = this.deps.triggers.orphanedGuards();
    if (orphaned.length > 0) {
      this.deps.context.logger.warn('stream join refused: a stream:join guard left with its worker', { functionIds: orphaned });
      return false;
    }
    const event = this.joinLeaveEvent(data.subscriptionId, data.streamName, data.groupId, data.id);
    let authorized = true;
    for (const trigger of this.deps.triggers.joinTriggers()) {
      let result: unknown;
      try {
        const call = this.deps.context.invoke(trigger.function_id, event, { metadata: trigger.metadata });
        result = await withTimeout(call, this.deps.limits.guardTimeoutMs);
      } catch (err) {
        this.deps.context.logger.error('stream:join guard failed; join refused', { functionId: trigger.function_id, error: String(err) });
        return false;
      }
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

  /** Invokes one leave trigger's function; failures are logged and read as "no answer". */
  private async callTrigger(trigger: TriggerRecord, event: JoinLeaveEvent): Promise<unknown> {
    try {
      return await this.deps.context.invoke(trigger.function_id, event, { metadata: trigger.metadata });
    } catch (err) {
      this.deps.context.logger.error('stream:leave trigger failed', {
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
    let frame: Buffer;
    try {
      frame = this.deps.index.frame(message);
    } catch (err) {
      this.deps.context.logger.error('stream frame could not be serialised', { error: String(err) });
      return;
    }
    this.deliver(frame);
  }
}

function targetKey(data: Pick<ClientFrameData, 'streamName' | 'groupId' | 'id'>): string {
  return JSON.stringify([data.streamName, data.groupId, data.id]);
}
