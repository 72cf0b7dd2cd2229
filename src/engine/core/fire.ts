import { toEngineError } from './errors';
import { isPlainObject } from './ids';
import type { EngineLogger, FireOptions, InvocationOptions, TriggerRecord } from './types';

export type Invoker = (functionId: string, data: unknown, options: InvocationOptions) => Promise<unknown>;

interface Delivery {
  readonly trigger: TriggerRecord;
  readonly payload: unknown;
  readonly withMetadata: boolean;
  readonly conditionId: string | undefined;
}

function conditionOf(trigger: TriggerRecord, withCondition: boolean): string | undefined {
  if (!withCondition) return undefined;
  const config = trigger.config;
  if (!isPlainObject(config)) return undefined;
  const id = config.condition_function_id;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/**
 * Delivers trigger events. Each trigger has its own FIFO: events are *dispatched* (the handler
 * invocation started) in the order they were handed in, and a condition being evaluated holds
 * back only that trigger's later events. Handlers themselves run concurrently, so a slow handler
 * never stalls another trigger, nor the next event of its own trigger once dispatched (worker
 * invocations are sent in order over one socket, so the worker sees them in order too).
 */
export interface DispatcherOptions {
  /**
   * true (default): per-trigger FIFO as described above. false: the reference engine 0.22's
   * behaviour, one task per event with no order across events (conditions evaluated concurrently).
   */
  ordered?: boolean;
}

export class TriggerDispatcher {
  private readonly queues = new Map<string, Delivery[]>();
  private closed = false;
  private readonly ordered: boolean;
  /** Deliveries handed in and not finished (condition, then handler), for the engine's `settle()`. */
  private inFlight = 0;

  constructor(
    private readonly invoke: Invoker,
    private readonly logger: EngineLogger,
    options: DispatcherOptions = {},
  ) {
    this.ordered = options.ordered !== false;
  }

  fire(triggers: readonly TriggerRecord[], payload: unknown, options: FireOptions = {}): void {
    if (this.closed) return;
    const withMetadata = options.withMetadata !== false;
    const withCondition = options.withCondition !== false;
    for (const trigger of triggers) {
      const delivery: Delivery = { trigger, payload, withMetadata, conditionId: conditionOf(trigger, withCondition) };
      this.inFlight++;
      if (!this.ordered) {
        void this.dispatchUnordered(delivery);
        continue;
      }
      const queue = this.queues.get(trigger.id);
      if (queue !== undefined) {
        queue.push(delivery);
      } else if (delivery.conditionId === undefined) {
        // Fast path: nothing queued for this trigger and nothing to await, dispatch right now.
        this.dispatch(delivery);
      } else {
        this.queues.set(trigger.id, [delivery]);
        void this.drain(trigger.id);
      }
    }
  }

  /** True when every event fired so far has been handled (its handler returned or failed). */
  isIdle(): boolean {
    return this.inFlight === 0;
  }

  /** Drops queued events and ignores later fires (engine shutdown). */
  close(): void {
    this.closed = true;
    for (const queue of this.queues.values()) this.inFlight -= queue.length;
    this.queues.clear();
  }

  private async drain(triggerId: string): Promise<void> {
    for (;;) {
      const queue = this.queues.get(triggerId);
      const next = queue?.shift();
      if (queue === undefined || next === undefined) {
        this.queues.delete(triggerId);
        return;
      }
      if (next.conditionId === undefined || (await this.conditionHolds(next, next.conditionId))) {
        this.dispatch(next);
      } else {
        this.inFlight--;
      }
    }
  }

  private async dispatchUnordered(delivery: Delivery): Promise<void> {
    if ((delivery.conditionId === undefined || (await this.conditionHolds(delivery, delivery.conditionId))) && !this.closed) {
      this.dispatch(delivery);
    } else {
      this.inFlight--;
    }
  }

  private async conditionHolds(delivery: Delivery, conditionId: string): Promise<boolean> {
    try {
      const verdict = await this.invoke(conditionId, delivery.payload, this.optionsFor(delivery));
      return verdict !== false;
    } catch (err) {
      this.logger.warn(`condition ${conditionId} of trigger ${delivery.trigger.id} failed; event skipped`, {
        error: toEngineError(err).message,
      });
      return false;
    }
  }

  private dispatch(delivery: Delivery): void {
    const { trigger } = delivery;
    this.invoke(trigger.function_id, delivery.payload, this.optionsFor(delivery))
      .catch((err: unknown) => {
        const error = toEngineError(err);
        this.logger.error(`trigger ${trigger.id} (${trigger.trigger_type}) → ${trigger.function_id} failed`, {
          code: error.code,
          error: error.message,
        });
      })
      .finally(() => {
        this.inFlight--;
      });
  }

  private optionsFor(delivery: Delivery): InvocationOptions {
    return delivery.withMetadata && delivery.trigger.metadata !== undefined ? { metadata: delivery.trigger.metadata } : {};
  }
}
