/**
 * State-trigger delivery under the `iii-0.22` semantics, as the reference engine v0.22.1 does it:
 * each committed write is one background task that hands its event to the matching triggers one
 * after the other (a trigger's condition first: exactly `false` or an error skips it); separate
 * writes are separate tasks with no order between them. A failed reaction is logged, never
 * retried; nothing is remembered, so writes made while the engine was down or while no trigger
 * matched are never delivered; events carry no `seq` or `version`.
 *
 * The writes are read from the change log as they commit (the log still makes every acknowledged
 * write durable), starting at its head when the engine starts.
 */
import type { StateChangeEvent } from '../../../protocol/triggers';
import { toEngineError } from '../../core/errors';
import type { ChangeRecord, EngineContext, Json, StateLog, TriggerRecord } from '../../core/types';
import { parseTriggerConfig } from './triggers';

const READ_BATCH = 256;

export interface FanOutDeps {
  log: StateLog;
  /** The triggers a write to `scope`/`key` matches, in registration order. */
  matching(scope: string, key: string): TriggerRecord[];
  context: Pick<EngineContext, 'invoke' | 'logger'>;
}

export class WriteFanOut {
  private position: number;
  private running = 0;
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: FanOutDeps) {
    this.position = deps.log.head();
    this.unsubscribe = deps.log.onCommit(() => this.readCommitted());
  }

  /** True when every committed write was read and no fan-out task is running (for `settle()`). */
  isIdle(): boolean {
    return this.running === 0 && this.position >= this.deps.log.head();
  }

  /** The lowest log position still to be read (compaction keeps it). */
  get lowestNeeded(): number {
    return this.position + 1;
  }

  close(): void {
    this.unsubscribe();
  }

  private readCommitted(): void {
    const { log } = this.deps;
    while (this.position < log.head()) {
      const batch = log.read(this.position, READ_BATCH);
      if (batch.length === 0) {
        this.position = log.head();
        return;
      }
      for (const change of batch) {
        this.position = change.seq;
        const triggers = this.deps.matching(change.scope, change.key);
        if (triggers.length > 0) void this.fanOut(triggers, eventOf(change));
      }
    }
  }

  private async fanOut(triggers: readonly TriggerRecord[], event: StateChangeEvent<Json>): Promise<void> {
    this.running++;
    try {
      for (const trigger of triggers) await this.deliver(trigger, event);
    } finally {
      this.running--;
    }
  }

  private async deliver(trigger: TriggerRecord, event: StateChangeEvent<Json>): Promise<void> {
    const { invoke, logger } = this.deps.context;
    const options = trigger.metadata !== undefined ? { metadata: trigger.metadata } : {};
    const { conditionId } = parseTriggerConfig(trigger.config);
    if (conditionId !== undefined) {
      try {
        if ((await invoke(conditionId, event, options)) === false) return;
      } catch (err) {
        logger.warn(`condition ${conditionId} of trigger ${trigger.id} failed; event skipped`, { error: toEngineError(err).message });
        return;
      }
    }
    try {
      await invoke(trigger.function_id, event, options);
    } catch (err) {
      const error = toEngineError(err);
      logger.error(`trigger ${trigger.id} (state) → ${trigger.function_id} failed`, { code: error.code, error: error.message });
    }
  }
}

/** The reference engine's event: no `seq`, no `version`. */
function eventOf(change: ChangeRecord): StateChangeEvent<Json> {
  return {
    type: 'state',
    event_type: change.event_type,
    scope: change.scope,
    key: change.key,
    old_value: change.old_value,
    new_value: change.new_value,
  };
}
