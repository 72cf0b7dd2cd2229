/**
 * A recording fake of the iii-sdk client for unit tests. It talks to no engine: it records
 * registerFunction / registerTrigger / trigger calls, lets a test invoke a registered handler
 * directly, and answers `trigger()` from canned responders (or from locally registered functions).
 */
import type { IIIClient } from 'iii-sdk';

type RegisterFunctionArgs = Parameters<IIIClient['registerFunction']>;
type RegisterTriggerInput = Parameters<IIIClient['registerTrigger']>[0];
type TriggerRequest = Parameters<IIIClient['trigger']>[0];
type Handler = (data: unknown, metadata?: unknown) => Promise<unknown>;

export interface RecordedFunction {
  id: string;
  handler: Handler;
  options: RegisterFunctionArgs[2];
}
export interface RecordedTrigger {
  id: string;
  type: string;
  function_id: string;
  config: unknown;
  metadata?: Record<string, unknown>;
}
export type Responder = (payload: unknown, request: TriggerRequest) => unknown;

export class FakeIII implements IIIClient {
  /** Currently registered functions by id. */
  readonly functions = new Map<string, RecordedFunction>();
  /** Currently registered triggers, in registration order. */
  readonly triggers: RecordedTrigger[] = [];
  /** Every `trigger()` request, in order. */
  readonly calls: TriggerRequest[] = [];
  /** Every register/unregister call, in order, for asserting sequences. */
  readonly log: string[] = [];
  shutdownCount = 0;
  private readonly responders = new Map<string, Responder>();
  private triggerSeq = 0;

  registerFunction(...[id, handler, options]: RegisterFunctionArgs) {
    if (typeof handler !== 'function') throw new Error('FakeIII only records local handlers');
    if (this.functions.has(id)) throw new Error(`function id already registered: ${id}`);
    this.functions.set(id, { id, handler: handler as Handler, options });
    this.log.push(`registerFunction ${id}`);
    return {
      id,
      unregister: () => {
        this.functions.delete(id);
        this.log.push(`unregisterFunction ${id}`);
      },
    };
  }

  registerTrigger(input: RegisterTriggerInput) {
    const record: RecordedTrigger = { ...input, id: `trigger-${++this.triggerSeq}` };
    this.triggers.push(record);
    this.log.push(`registerTrigger ${input.type} ${input.function_id}`);
    return {
      unregister: () => {
        const at = this.triggers.indexOf(record);
        if (at >= 0) this.triggers.splice(at, 1);
        this.log.push(`unregisterTrigger ${input.type} ${input.function_id}`);
      },
    };
  }

  registerTriggerType(): never {
    throw new Error('FakeIII does not provide trigger types');
  }

  unregisterTriggerType(): void {}

  /** Answers from a responder for the function id, else a locally registered handler, else `undefined`. */
  async trigger<TInput = unknown, TOutput = unknown>(request: TriggerRequest): Promise<TOutput> {
    this.calls.push(request);
    const responder = this.responders.get(request.function_id);
    if (responder !== undefined) return (await responder(request.payload, request)) as TOutput;
    const local = this.functions.get(request.function_id);
    if (local !== undefined) return (await local.handler(request.payload as TInput, request.metadata)) as TOutput;
    return undefined as TOutput;
  }

  async shutdown(): Promise<void> {
    this.shutdownCount++;
    this.log.push('shutdown');
  }

  /** Canned answer for `trigger({ function_id })`. */
  respondTo(functionId: string, responder: Responder): this {
    this.responders.set(functionId, responder);
    return this;
  }

  /** Calls a registered handler as the engine would. */
  invoke(functionId: string, payload: unknown, metadata?: unknown): Promise<unknown> {
    const fn = this.functions.get(functionId);
    if (fn === undefined) throw new Error(`FakeIII: no function '${functionId}' (have: ${[...this.functions.keys()].join(', ')})`);
    return fn.handler(payload, metadata);
  }

  /** The trigger bound to a function id (the first, when several). */
  triggerFor(functionId: string): RecordedTrigger | undefined {
    return this.triggers.find((t) => t.function_id === functionId);
  }

  /** `trigger()` requests made to one function id. */
  callsTo(functionId: string): TriggerRequest[] {
    return this.calls.filter((c) => c.function_id === functionId);
  }
}
