/**
 * `state::*` over a bridge (engine.md §7.4 adapter `bridge`): every call is forwarded to the remote
 * engine's function of the same id and its result (or error) is returned unchanged — absent stays
 * absent. Validation is the remote's job, so error codes and messages are exactly the remote's.
 *
 * Local `state` triggers still fire for writes made through this engine: once the remote call
 * succeeded, the event is rebuilt from the remote's answer (`old_value`/`new_value`) and handed
 * to `ctx.fire`. Writes made on the remote by others do not reach local triggers (the remote's
 * own `state` triggers see those).
 */
import type { EngineContext, Json } from '../../core/types';
import type { StateEventType, StateTriggers } from './triggers';
import type { BridgeClient } from '../../adapters/bridge/client';
import { forwardPayload, isRecord, stringField } from '../../adapters/bridge/payload';

export interface BridgeStateOptions {
  context: Pick<EngineContext, 'fire' | 'logger'>;
  client: Pick<BridgeClient, 'call'>;
  triggers: Pick<StateTriggers, 'fire'>;
  triggersEnabled: boolean;
}

export class BridgeStateFunctions {
  constructor(private readonly options: BridgeStateOptions) {}

  async set(data: unknown): Promise<unknown> {
    const result = await this.options.client.call('state::set', forwardPayload(data));
    this.emitWrite(data, result);
    return result;
  }

  get(data: unknown): Promise<unknown> {
    return this.options.client.call('state::get', forwardPayload(data));
  }

  /** The remote answers the bare deleted value (or nothing); the event fires either way (engine.md §7.3). */
  async delete(data: unknown): Promise<unknown> {
    const result = await this.options.client.call('state::delete', forwardPayload(data));
    this.emit(data, 'state:deleted', result === undefined ? null : (result as Json), null);
    return result;
  }

  async update(data: unknown): Promise<unknown> {
    const result = await this.options.client.call('state::update', forwardPayload(data));
    this.emitWrite(data, result);
    return result;
  }

  list(data: unknown): Promise<unknown> {
    return this.options.client.call('state::list', forwardPayload(data));
  }

  listGroups(data: unknown): Promise<unknown> {
    return this.options.client.call('state::list_groups', forwardPayload(data ?? {}));
  }

  /** `set`/`update` answer `{old_value, new_value}`; `created` when there was no previous value. */
  private emitWrite(data: unknown, result: unknown): void {
    if (!isRecord(result) || !Object.prototype.hasOwnProperty.call(result, 'new_value')) {
      this.options.context.logger.warn('iii-state bridge: remote write answered without `new_value`; no state event fired');
      return;
    }
    const old = (result['old_value'] ?? null) as Json;
    this.emit(data, old === null ? 'state:created' : 'state:updated', old, result['new_value'] as Json);
  }

  private emit(data: unknown, eventType: StateEventType, oldValue: Json, newValue: Json): void {
    if (!this.options.triggersEnabled) return;
    const scope = stringField(data, 'scope');
    const key = stringField(data, 'key');
    // The remote accepted the call, so both are strings; checked anyway before matching.
    if (scope === undefined || key === undefined) return;
    this.options.triggers.fire(this.options.context, eventType, scope, key, oldValue, newValue);
  }
}
