import type { IIIClient } from 'iii-sdk';
import { FrameworkError } from '../errors';
import type { TriggerDefinition } from './explorer';

interface Registration {
  unregister(): void;
}

/**
 * Turns definitions into `iii.registerFunction` + `iii.registerTrigger` calls — and nothing else,
 * so the same definitions mean the same on the embedded and the real engine. Registers once.
 * It also counts the handler calls in flight, so a graceful close can let them finish before the
 * worker goes away (an engine halts a disconnected worker's invocations as `invocation_stopped`).
 */
export class Registrar {
  private functions: Registration[] = [];
  private triggers: Registration[] = [];
  private state: 'idle' | 'registered' | 'unregistered' = 'idle';
  private inFlight = 0;
  private started = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly iii: IIIClient) {}

  register(definitions: readonly TriggerDefinition[]): void {
    if (this.state !== 'idle') {
      throw new FrameworkError('ALREADY_REGISTERED', `Registrar: definitions were already ${this.state}; create a new application instead`);
    }
    this.state = 'registered';
    // Functions first: the engine applies frames in order, so a trigger never fires into nothing.
    for (const def of definitions) {
      this.functions.push(
        this.iii.registerFunction(def.functionId, this.tracked(def.invoke), {
          description: `${def.class.name}.${def.method} (${def.kind})`,
        }),
      );
    }
    for (const def of definitions) {
      if (def.triggerType === null) continue;
      this.triggers.push(this.iii.registerTrigger({ type: def.triggerType, function_id: def.functionId, config: def.config ?? {} }));
    }
  }

  /** Stops new fires: unregisters every trigger (functions stay callable). Idempotent. */
  unregisterTriggers(): void {
    for (const t of this.triggers.reverse()) t.unregister();
    this.triggers = [];
  }

  /** Resolves `true` once no handler call is running, or `false` after `timeoutMs`. */
  drain(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Handler calls started so far (only grows; `settle()` compares readings). */
  get callsStarted(): number {
    return this.started;
  }

  /** Triggers first (stop new fires), then functions. Idempotent. */
  unregisterAll(): void {
    if (this.state !== 'registered') return;
    this.state = 'unregistered';
    this.unregisterTriggers();
    for (const f of this.functions.reverse()) f.unregister();
    this.functions = [];
  }

  private tracked(invoke: TriggerDefinition['invoke']): TriggerDefinition['invoke'] {
    return (payload, metadata) => {
      this.inFlight++;
      this.started++;
      return invoke(payload, metadata).finally(() => {
        if (--this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
      });
    };
  }
}
