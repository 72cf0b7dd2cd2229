import type { EngineContext } from '../../core/types';
import type { BuiltinTriggerType, TriggerRecord } from '../../core/types';
import { functionSummary } from './summaries';

export const WORKERS_AVAILABLE = 'engine::workers-available';
export const FUNCTIONS_AVAILABLE = 'engine::functions-available';

/** Coalesces a burst of registrations (an SDK replay) into one `functions_changed` event. */
const FUNCTIONS_DEBOUNCE_MS = 25;

/** Keeps the triggers handed to a built-in type; re-registering an id replaces it. */
export class TriggerSet {
  private readonly records = new Map<string, TriggerRecord>();

  readonly provider = {
    register: (trigger: TriggerRecord): void => {
      this.records.set(trigger.id, trigger);
    },
    unregister: (trigger: TriggerRecord): void => {
      this.records.delete(trigger.id);
    },
  };

  list(): TriggerRecord[] {
    return [...this.records.values()];
  }
}

/**
 * The discovery trigger types of engine.md §6.13. Instead of polling the function set every 5 s we
 * fire on change (debounced); worker events are fired as they happen.
 */
export class Discovery {
  private readonly workerTriggers = new TriggerSet();
  private readonly functionTriggers = new TriggerSet();
  private readonly unsubscribe: Array<() => void> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly ctx: EngineContext) {}

  triggerTypes(): BuiltinTriggerType[] {
    return [
      {
        id: WORKERS_AVAILABLE,
        description: 'Triggered when workers connect/disconnect',
        provider: this.workerTriggers.provider,
      },
      {
        id: FUNCTIONS_AVAILABLE,
        description: 'Triggered when functions are registered/unregistered',
        provider: this.functionTriggers.provider,
      },
    ];
  }

  start(): void {
    this.unsubscribe.push(
      this.ctx.registry.workers.onEvent((event, workerId) => {
        const triggers = this.workerTriggers.list();
        if (triggers.length > 0) this.ctx.fire(triggers, { event, worker_id: workerId });
      }),
      this.ctx.registry.functions.onChange(() => this.scheduleFunctionsChanged()),
    );
  }

  stop(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private scheduleFunctionsChanged(): void {
    if (this.timer !== undefined || this.functionTriggers.list().length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const functions = this.ctx.registry.functions.list().map((entry) => functionSummary(this.ctx, entry));
      this.ctx.fire(this.functionTriggers.list(), { event: 'functions_changed', functions });
    }, FUNCTIONS_DEBOUNCE_MS);
  }
}
