import type { IIIClient } from 'iii-sdk';
import { Injectable } from '../decorators/module';

/** What `engine::capabilities` answers on the embedded engine (the real iii engine has no such function). */
interface CapabilitiesReply {
  settle?: boolean;
  state?: { idempotency_keys?: boolean; change_log?: boolean; dead_letters?: boolean };
}

/**
 * What the engine the application talks to offers beyond the iii protocol, detected once when the
 * application starts (`engine::capabilities`). On an engine without that function (a real iii
 * engine) everything is false and the framework behaves as the protocol alone allows.
 */
@Injectable()
export class EngineCapabilities {
  /** State writes may carry `idempotency_key`, applied once (reactions' writes use it). */
  idempotentStateWrites = false;
  /** State triggers are delivered from a change log: versions, retries, durable cursors. */
  stateChangeLog = false;
  /** Failed reactions are kept as dead letters (`ReactionsService`). */
  reactionDeadLetters = false;
  /** `engine::settle` tells when nothing is due; without it `app.settle()` waits on what this process observes. */
  engineSettle = false;

  /** Asks the engine; any failure (unknown function, timeout) leaves everything false. */
  async detect(client: IIIClient, timeoutMs: number): Promise<void> {
    let reply: CapabilitiesReply | undefined;
    try {
      reply = await client.trigger<Record<string, never>, CapabilitiesReply>({
        function_id: 'engine::capabilities',
        payload: {},
        timeoutMs,
      });
    } catch {
      reply = undefined;
    }
    const state = reply?.state;
    this.engineSettle = reply?.settle === true;
    this.idempotentStateWrites = state?.idempotency_keys === true;
    this.stateChangeLog = state?.change_log === true;
    this.reactionDeadLetters = state?.dead_letters === true;
  }
}
