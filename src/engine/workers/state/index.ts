/**
 * `iii-state`: key/value state in scopes, with reactive `state` triggers (engine.md §7).
 */
import { NO_ADAPTERS, type EngineContext, type EngineWorker, type WorkerAdapters, type WorkerFactory } from '../../core/types';
import type { BridgeAdapterConfig, BridgeClient } from '../../adapters/bridge';
import { BridgeStateFunctions } from './bridged-functions';
import { parseStateConfig, type StateConfig } from './config';
import { StateFunctions } from './functions';
import { reactionFunctions } from './reaction-functions';
import { ReactionStore } from './reaction-store';
import { STATE_TRIGGER_TYPE, StateTriggers } from './triggers';
import { WriteFanOut } from './write-fan-out';

/** How often the change log is compacted to its retention. */
const COMPACT_EVERY_MS = 60_000;

export { applyUpdateOps, parseUpdateOps } from '../../lib/update-ops';
export type { UpdateOp, UpdateOpError } from '../../lib/update-ops';
export type { StateEvent } from './triggers';
export type { DeadLetter } from './reaction-store';

export const STATE_WORKER_NAME = 'iii-state';

export const createStateWorker: WorkerFactory = (config, adapters = NO_ADAPTERS) => new StateWorker(parseStateConfig(config), adapters);

class StateWorker implements EngineWorker {
  readonly name = STATE_WORKER_NAME;
  private readonly triggers = new StateTriggers();
  /** `iii-0.22` semantics: the reference engine's one task per write instead of cursors. */
  private fanOut: WriteFanOut | undefined;
  private bridge: BridgeClient | undefined;
  private compaction: { timer: object; clock: EngineContext['clock'] } | undefined;

  constructor(
    private readonly config: StateConfig,
    private readonly adapters: WorkerAdapters,
  ) {}

  async start(ctx: EngineContext): Promise<void> {
    if (this.config.adapterName !== undefined && this.config.adapterName !== 'kv' && this.config.bridge === undefined) {
      ctx.logger.warn(`iii-state: adapter "${this.config.adapterName}" is not supported; using the engine storage`);
    }
    const bridge = this.config.bridge;
    const functions = bridge === undefined ? new StateFunctions(ctx, this.config) : this.bridged(ctx, bridge);
    if (bridge === undefined) this.startLogDelivery(ctx);
    ctx.registerFunction({ id: 'state::set', description: 'Set a value in state', handler: (data) => functions.set(data) });
    ctx.registerFunction({
      id: 'state::get',
      description: 'Get a value from state',
      handler: (data, options) => functions.get(data, options),
    });
    ctx.registerFunction({
      id: 'state::delete',
      description: 'Delete a value from state',
      handler: (data) => functions.delete(data),
    });
    ctx.registerFunction({
      id: 'state::update',
      description: 'Update a value in state',
      handler: (data) => functions.update(data),
    });
    ctx.registerFunction({ id: 'state::list', description: 'Get a group from state', handler: (data) => functions.list(data) });
    ctx.registerFunction({
      id: 'state::list_groups',
      description: 'List all state groups',
      handler: (data) => functions.listGroups(data),
    });
    ctx.registerTriggerType({
      id: STATE_TRIGGER_TYPE,
      description: 'Fires when a state value is created, updated or deleted',
      provider: this.triggers,
    });
  }

  async stop(): Promise<void> {
    if (this.compaction !== undefined) this.compaction.clock.clearTimeout(this.compaction.timer);
    this.compaction = undefined;
    this.triggers.clear();
    this.fanOut?.close();
    this.fanOut = undefined;
    await this.bridge?.close();
  }

  /**
   * Triggers from the change log, their admin functions, compaction and the idle probe. Under the
   * `iii-0.22` semantics the log only keeps writes durable: triggers get the reference engine's
   * one task per write (`./write-fan-out.ts`), and the functions it lacks (`engine::capabilities`,
   * `state::reactions::*`) are not registered.
   */
  private startLogDelivery(ctx: EngineContext): void {
    const log = ctx.storage.stateLog;
    if (ctx.semantics === 'iii-0.22') {
      if (this.config.triggersEnabled) {
        const triggers = this.triggers;
        this.fanOut = new WriteFanOut({ log, matching: (scope, key) => triggers.matching(scope, key), context: ctx });
      }
      ctx.registerIdleProbe('state-triggers', () => this.fanOut?.isIdle() ?? true);
    } else {
      const store = new ReactionStore(ctx.storage.database);
      if (this.config.triggersEnabled) {
        this.triggers.deliverFromLog({ log, store, context: ctx, defaults: this.config.reactions });
      }
      const admin = {
        store,
        log,
        context: ctx,
        liveIdentities: () => this.triggers.liveIdentities(),
        savePositions: () => this.triggers.savePositions(),
      };
      for (const fn of reactionFunctions(admin)) ctx.registerFunction(fn);
      ctx.registerIdleProbe('state-triggers', () => this.triggers.isIdle());
    }
    const compact = (): void => {
      try {
        const keepFrom = Math.min(this.triggers.lowestLivePosition(), this.fanOut?.lowestNeeded ?? Number.POSITIVE_INFINITY);
        const dropped = log.compact(this.config.retention, keepFrom);
        if (dropped > 0) ctx.logger.debug('state change log compacted', { dropped });
      } catch (err) {
        ctx.logger.warn('state change log compaction failed', { error: (err as Error).message });
      }
      this.compaction = { timer: ctx.clock.setTimeout(compact, COMPACT_EVERY_MS), clock: ctx.clock };
    };
    compact();
  }

  /** Adapter `bridge`: the same functions, forwarded to another engine over the connection the worker table hands in. */
  private bridged(ctx: EngineContext, config: BridgeAdapterConfig): BridgeStateFunctions {
    this.bridge = this.adapters.openBridge({ config, owner: STATE_WORKER_NAME, logger: ctx.logger });
    const { triggersEnabled } = this.config;
    return new BridgeStateFunctions({ context: ctx, client: this.bridge, triggers: this.triggers, triggersEnabled });
  }
}
