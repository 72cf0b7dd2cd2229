/**
 * A stand-in for the iii-sdk client the bridge drives: a settable connection state, scripted
 * answers for `trigger()`, and records of the functions and triggers registered on the "remote".
 */
import { InvocationError, type InitOptions } from 'iii-sdk';
import type { BridgeSdk, BridgeSdkFactory, ConnectionState } from '../../../../../src/engine/adapters/bridge';

type Answer = (payload: unknown) => unknown;

export interface RemoteTrigger {
  type: string;
  function_id: string;
  config: unknown;
  active: boolean;
}

export class FakeSdk implements BridgeSdk {
  connectionState: ConnectionState = 'connected';
  shutdowns = 0;
  readonly calls: Array<{ function_id: string; payload: unknown; timeoutMs: number | undefined }> = [];
  /** Fire-and-forget (`void`) calls, which get no answer. */
  readonly notifications: Array<{ function_id: string; payload: unknown }> = [];
  readonly functions = new Map<string, (data: unknown) => Promise<unknown>>();
  readonly triggers: RemoteTrigger[] = [];
  private readonly answers = new Map<string, Answer>();

  constructor(
    readonly url: string,
    readonly options: InitOptions,
  ) {}

  /** Scripts the remote answer of `functionId` (return a value, throw an error, or return a never-settling promise). */
  answer(functionId: string, answer: Answer): void {
    this.answers.set(functionId, answer);
  }

  /** Makes `functionId` fail the way the SDK reports a remote error. */
  fail(functionId: string, code: string, message: string): void {
    this.answer(functionId, () => {
      throw new InvocationError({ code, message, function_id: functionId });
    });
  }

  trigger: BridgeSdk['trigger'] = async <TInput, TOutput>(request: {
    function_id: string;
    payload: TInput;
    timeoutMs?: number;
    action?: { type: string };
  }) => {
    if (request.action?.type === 'void') {
      this.notifications.push({ function_id: request.function_id, payload: request.payload });
      return undefined as TOutput;
    }
    this.calls.push({ function_id: request.function_id, payload: request.payload, timeoutMs: request.timeoutMs });
    const answer = this.answers.get(request.function_id);
    if (answer === undefined) throw new InvocationError({ code: 'function_not_found', message: 'Function not found' });
    return answer(request.payload) as TOutput;
  };

  registerFunction: BridgeSdk['registerFunction'] = (functionId, handler) => {
    if (typeof handler !== 'function') throw new Error('fake SDK: only local handlers');
    this.functions.set(functionId, (data) => Promise.resolve(handler(data)));
    return { id: functionId, unregister: () => void this.functions.delete(functionId) };
  };

  registerTrigger: BridgeSdk['registerTrigger'] = (trigger) => {
    const record: RemoteTrigger = { type: trigger.type, function_id: trigger.function_id, config: trigger.config, active: true };
    this.triggers.push(record);
    return { unregister: () => void (record.active = false) };
  };

  shutdown: BridgeSdk['shutdown'] = async () => {
    this.shutdowns++;
    this.connectionState = 'disconnected';
  };

  activeTriggers(): RemoteTrigger[] {
    return this.triggers.filter((t) => t.active);
  }
}

/** A factory that records the one client it creates. */
export function fakeFactory(): { connect: BridgeSdkFactory; sdk: () => FakeSdk } {
  let created: FakeSdk | undefined;
  return {
    connect: (url, options) => (created = new FakeSdk(url, options)),
    sdk: () => {
      if (created === undefined) throw new Error('no SDK client was created');
      return created;
    },
  };
}
