import type { IIIClient } from 'iii-sdk';
import { FrameworkError } from '../errors';
import type { TriggerDefinition } from './explorer';

interface Registration {
  unregister(): void;
}

/**
 * Turns definitions into `iii.registerFunction` + `iii.registerTrigger` calls — and nothing else,
 * so the same definitions mean the same on the embedded and the real engine. Registers once.
 */
export class Registrar {
  private functions: Registration[] = [];
  private triggers: Registration[] = [];
  private state: 'idle' | 'registered' | 'unregistered' = 'idle';

  constructor(private readonly iii: IIIClient) {}

  register(definitions: readonly TriggerDefinition[]): void {
    if (this.state !== 'idle') {
      throw new FrameworkError('ALREADY_REGISTERED', `Registrar: definitions were already ${this.state}; create a new application instead`);
    }
    this.state = 'registered';
    // Functions first: the engine applies frames in order, so a trigger never fires into nothing.
    for (const def of definitions) {
      this.functions.push(this.iii.registerFunction(def.functionId, def.invoke, { description: `${def.class.name}.${def.method} (${def.kind})` }));
    }
    for (const def of definitions) {
      if (def.triggerType === null) continue;
      this.triggers.push(this.iii.registerTrigger({ type: def.triggerType, function_id: def.functionId, config: def.config ?? {} }));
    }
  }

  /** Triggers first (stop new fires), then functions. Idempotent. */
  unregisterAll(): void {
    if (this.state !== 'registered') return;
    this.state = 'unregistered';
    for (const t of this.triggers.reverse()) t.unregister();
    for (const f of this.functions.reverse()) f.unregister();
    this.triggers = [];
    this.functions = [];
  }
}
