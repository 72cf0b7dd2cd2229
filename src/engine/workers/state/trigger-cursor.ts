/**
 * Delivers the change log to one state trigger identity (function id + trigger type + config).
 *
 * - Per key, changes go out in version order and one at a time: the next change of a key is not
 *   handed over until the previous one succeeded or was parked as a dead letter.
 * - Different keys run in parallel, at most `concurrency` at once (the latest registration's own
 *   `concurrency`, else the engine default), reading at most `bufferSize` changes ahead of the
 *   oldest unfinished one.
 * - A failure is retried with exponential backoff on the engine clock; after `maxAttempts` the
 *   change goes to the dead-letter list and the key moves on. A delivery cut because the worker
 *   went away (`invocation_stopped`, `function_not_found`) is not an attempt: it waits.
 * - The durable cursor is the low-water mark: every change at or below it is finished. Keys finish
 *   out of order, so progress past a still-running change is kept in memory only; after a crash,
 *   a SIGTERM or an unregistration the changes above the saved mark are delivered again (at least
 *   once — reactions make their effects idempotent, see `idempotency_key`).
 */
import type { StateChangeEvent } from '../../../protocol/triggers';
import { toEngineError } from '../../core/errors';
import type { ChangeRecord, EngineContext, Json, StateLog, TriggerRecord } from '../../core/types';
import { retryDelay, type ReactionDefaults, type RetryPolicy } from './reaction-policy';
import type { ReactionStore } from './reaction-store';

/** Errors meaning "nobody is there to take it", not "the reaction failed". */
const NOT_AN_ATTEMPT: ReadonlySet<string> = new Set(['invocation_stopped', 'function_not_found']);
const READ_BATCH = 256;
/**
 * How long a moved low-water mark may wait before it is saved: one upsert per cursor per interval
 * instead of one per event-loop turn under load. A crash redelivers at most this much more (the
 * delivery is at least once either way); close() and `state::reactions::cursors` save at once.
 */
export const SAVE_DELAY_MS = 100;

/** The payload a state trigger's function receives (always with `version` and `seq` here). */
export type StateEvent = StateChangeEvent<Json> & { version: number; seq: number };

export function stateEventOf(change: ChangeRecord): StateEvent {
  return {
    type: 'state',
    event_type: change.event_type,
    scope: change.scope,
    key: change.key,
    version: change.version,
    seq: change.seq,
    old_value: change.old_value,
    new_value: change.new_value,
  };
}

/** What a cursor is for: its identity and the filters of its config. */
export interface CursorTarget {
  identity: string;
  functionId: string;
  /** The identifying config (scope, key, condition) as stored with the cursor. */
  configText: string;
  scope: string | undefined;
  key: string | undefined;
  conditionId: string | undefined;
}

export interface CursorDeps {
  log: StateLog;
  store: ReactionStore;
  context: Pick<EngineContext, 'invoke' | 'logger' | 'clock'>;
  defaults: ReactionDefaults;
}

/** How the changes go out to one registration: its retry policy and how many keys at once. */
export interface DeliveryPolicy {
  retry: RetryPolicy;
  concurrency: number;
}

interface Binding extends DeliveryPolicy {
  record: TriggerRecord;
}

interface Lane {
  readonly id: string;
  readonly queue: ChangeRecord[];
  running: boolean;
  attempts: number;
  retry: object | undefined;
}

export class TriggerCursor {
  private readonly bindings = new Map<string, Binding>();
  private readonly lanes = new Map<string, Lane>();
  private readonly ready = new Set<Lane>();
  /** Matched changes read but not finished, in seq order (a Map keeps insertion order). */
  private readonly outstanding = new Map<number, true>();
  private readPos: number;
  private saved: number;
  private running = 0;
  private closed = false;
  private pumpQueued = false;
  private saveTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly target: CursorTarget,
    private readonly deps: CursorDeps,
  ) {
    const stored = deps.store.cursor(target.identity);
    // A trigger seen for the first time starts at the head: it reacts to writes made from its
    // registration on, never to a surprise replay of retained history.
    const start = stored?.seq ?? deps.log.head();
    this.readPos = start;
    this.saved = start;
    if (stored === undefined) this.save();
    const oldest = deps.log.oldest();
    if (oldest > start + 1) {
      deps.context.logger.error(
        `state trigger ${target.functionId}: changes ${start + 1}..${oldest - 1} were compacted before it read them`,
        {
          identity: target.identity,
        },
      );
      this.readPos = oldest - 1;
    }
  }

  /** The saved low-water mark (every change at or below it is finished). */
  get position(): number {
    return this.saved;
  }

  get bindingCount(): number {
    return this.bindings.size;
  }

  bind(record: TriggerRecord, policy: DeliveryPolicy): void {
    this.bindings.delete(record.id);
    this.bindings.set(record.id, { record, ...policy });
    this.wake();
  }

  /** Returns true when that was the last binding (the caller then closes the cursor). */
  unbind(triggerId: string): boolean {
    this.bindings.delete(triggerId);
    return this.bindings.size === 0;
  }

  /** New changes were committed. */
  wake(): void {
    if (this.pumpQueued || this.closed) return;
    this.pumpQueued = true;
    queueMicrotask(() => {
      this.pumpQueued = false;
      this.pump();
    });
  }

  /** True when nothing is due: everything read and finished, or waiting for a retry timer. */
  isIdle(): boolean {
    if (this.closed || this.bindings.size === 0) return true;
    if (this.running > 0 || this.ready.size > 0 || this.pumpQueued) return false;
    return this.readPos >= this.deps.log.head() || this.outstanding.size >= this.deps.defaults.bufferSize;
  }

  /** Stops delivering and saves the low-water mark; deliveries still running are redelivered later. */
  close(): void {
    if (this.closed) return;
    this.savePosition();
    this.closed = true;
    for (const lane of this.lanes.values()) {
      if (lane.retry !== undefined) this.deps.context.clock.clearTimeout(lane.retry);
    }
    this.lanes.clear();
    this.ready.clear();
  }

  private pump(): void {
    if (this.closed || this.bindings.size === 0) return;
    this.fill();
    const concurrency = this.latestBinding()?.concurrency ?? this.deps.defaults.concurrency;
    for (const lane of this.ready) {
      if (this.running >= concurrency) break;
      this.ready.delete(lane);
      this.start(lane);
    }
  }

  private fill(): void {
    const { log, defaults } = this.deps;
    while (this.outstanding.size < defaults.bufferSize && this.readPos < log.head()) {
      const batch = log.read(this.readPos, Math.min(READ_BATCH, defaults.bufferSize - this.outstanding.size));
      if (batch.length === 0) {
        this.readPos = log.head();
        break;
      }
      for (const change of batch) {
        this.readPos = change.seq;
        if (!this.matches(change)) continue;
        this.outstanding.set(change.seq, true);
        const lane = this.laneOf(change.key);
        lane.queue.push(change);
        if (!lane.running && lane.retry === undefined) this.ready.add(lane);
      }
    }
    this.advance();
  }

  private matches(change: ChangeRecord): boolean {
    const { scope, key } = this.target;
    return (scope === undefined || scope === change.scope) && (key === undefined || key === change.key);
  }

  private laneOf(id: string): Lane {
    let lane = this.lanes.get(id);
    if (lane === undefined) {
      lane = { id, queue: [], running: false, attempts: 0, retry: undefined };
      this.lanes.set(id, lane);
    }
    return lane;
  }

  private start(lane: Lane): void {
    const change = lane.queue[0];
    const binding = this.latestBinding();
    if (change === undefined || binding === undefined) return;
    lane.running = true;
    this.running++;
    void this.deliver(change, binding.record).then((error) => this.settled(lane, change, binding.retry, error));
  }

  /** Resolves undefined on success (or a condition that said no), else the error. */
  private async deliver(change: ChangeRecord, trigger: TriggerRecord): Promise<unknown> {
    const payload = stateEventOf(change);
    const options = trigger.metadata !== undefined ? { metadata: trigger.metadata } : {};
    try {
      const conditionId = this.target.conditionId;
      if (conditionId !== undefined && (await this.deps.context.invoke(conditionId, payload, options)) === false) return undefined;
      await this.deps.context.invoke(trigger.function_id, payload, options);
      return undefined;
    } catch (err) {
      return err ?? new Error('reaction failed');
    }
  }

  private settled(lane: Lane, change: ChangeRecord, retry: RetryPolicy, error: unknown): void {
    // Closed meanwhile: the saved cursor is below this change, so it is delivered again later.
    if (this.closed) return;
    lane.running = false;
    this.running--;
    if (error === undefined) {
      this.finish(lane, change);
    } else {
      const failure = toEngineError(error);
      if (NOT_AN_ATTEMPT.has(failure.code)) {
        this.retryLater(lane, retry.maxBackoffMs > 0 ? Math.min(retry.maxBackoffMs, 1000) : 0);
      } else if (++lane.attempts >= retry.maxAttempts) {
        this.bury(change, lane.attempts, `${failure.code}: ${failure.message}`);
        this.finish(lane, change);
      } else {
        this.deps.context.logger.warn(`state trigger ${this.target.functionId} failed; retrying`, {
          seq: change.seq,
          key: change.key,
          attempt: lane.attempts,
          error: failure.message,
        });
        this.retryLater(lane, retryDelay(retry, lane.attempts));
      }
    }
    this.pump();
  }

  private finish(lane: Lane, change: ChangeRecord): void {
    lane.queue.shift();
    lane.attempts = 0;
    this.outstanding.delete(change.seq);
    if (lane.queue.length > 0) this.ready.add(lane);
    else this.lanes.delete(lane.id);
    this.advance();
  }

  private retryLater(lane: Lane, delayMs: number): void {
    const { clock } = this.deps.context;
    lane.retry = clock.setTimeout(() => {
      lane.retry = undefined;
      if (this.closed) return;
      this.ready.add(lane);
      this.pump();
    }, delayMs);
  }

  private bury(change: ChangeRecord, attempts: number, error: string): void {
    const { store, context } = this.deps;
    const id = store.bury({
      identity: this.target.identity,
      function_id: this.target.functionId,
      seq: change.seq,
      scope: change.scope,
      key: change.key,
      version: change.version,
      payload: stateEventOf(change) as unknown as Json,
      error,
      attempts,
      failed_at: context.clock.now(),
    });
    context.logger.error(`state trigger ${this.target.functionId} failed ${attempts} time(s); parked as dead letter ${id}`, {
      seq: change.seq,
      scope: change.scope,
      key: change.key,
      error,
    });
  }

  /** Moves the low-water mark to just below the oldest unfinished change, saving it soon. */
  private advance(): void {
    const oldest = this.outstanding.keys().next();
    const mark = oldest.done === true ? this.readPos : oldest.value - 1;
    if (mark <= this.saved || this.saveTimer !== undefined) return;
    this.saveTimer = setTimeout(() => this.savePosition(), SAVE_DELAY_MS);
    this.saveTimer.unref();
  }

  /** Saves the low-water mark now if it moved (a save already scheduled is no longer needed). */
  savePosition(): void {
    if (this.saveTimer !== undefined) clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (this.closed) return;
    const oldest = this.outstanding.keys().next();
    const mark = oldest.done === true ? this.readPos : oldest.value - 1;
    if (mark <= this.saved) return;
    this.saved = mark;
    this.save();
  }

  private save(): void {
    try {
      this.deps.store.saveCursor({
        identity: this.target.identity,
        function_id: this.target.functionId,
        config: this.target.configText,
        seq: this.saved,
        updated_at: this.deps.context.clock.now(),
      });
    } catch (err) {
      // The database is closing (engine shutdown): the change is delivered again after restart.
      this.deps.context.logger.debug('saving a state trigger cursor failed', { error: toEngineError(err).message });
    }
  }

  private latestBinding(): Binding | undefined {
    let last: Binding | undefined;
    for (const binding of this.bindings.values()) last = binding;
    return last;
  }
}
