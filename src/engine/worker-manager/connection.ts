import type { RawData } from 'ws';
import type { RoutedInvocationOptions, WorkerManagerKernel } from '../core/engine-core';
import { EngineError, toEngineError } from '../core/errors';
import { isPlainObject, isUuid, newId } from '../core/ids';
import type { FunctionHandler, TriggerRecord, TriggerTypeProvider } from '../core/types';
import type { ConnectedWorker, WorkerMetadata } from '../core/worker-directory';
import { withDeadline } from '../lib/deadline';
import { encodeFrame, type InboundFrame, type InboundFrameOf, type OutboundFrame, type OutboundFrameOf } from '../../protocol/frames';
import { decodeFrame, FrameIntake, type WorkerSocket } from './frame-intake';
import { acceptResult, routeInvocation } from './invocation-routing';
import type { WorkerManagerOptions } from './options';
import { decideAccess, OPEN_SESSION, type Session } from './rbac';
import { gateFunction, gateTrigger, gateTriggerType, withPrefix, type GateScope } from './registration-gate';
import type { HandshakeRequest } from '../security/handshake';
import { remoteAddress } from './session';
import type { WriteCoalescer } from './write-coalescer';

const REATTACH_WAIT_MS = 5_000;

/** The `triggerregistrationresult` that tells a trigger's registering worker it was rejected (engine.md §3.6). */
function registrationFailed(trigger: TriggerRecord, error: unknown): OutboundFrameOf<'triggerregistrationresult'> {
  return {
    type: 'triggerregistrationresult',
    id: trigger.id,
    trigger_type: trigger.trigger_type,
    function_id: trigger.function_id,
    error,
  };
}

/**
 * One worker socket on `/` (engine.md §2). Registration frames are applied one at a time in arrival
 * order; invocations are started in order but run concurrently. Cleanup (engine.md §5.6) runs once,
 * on close or reattach eviction.
 */
export class WorkerConnection implements ConnectedWorker {
  readonly id = newId();
  readonly reattachToken = newId();
  readonly connectedAtMs = Date.now();
  readonly ipAddress: string | null;
  metadata: WorkerMetadata | null = null;
  /** The identity proved at the handshake (set by the listener); undefined ⇒ this connection alone. */
  principal: string | undefined;

  private readonly intake = new FrameIntake(
    (frame) => (this.closed ? undefined : this.handle(frame)),
    (frame, err) => this.core.logger.error(`worker ${this.id}: ${frame.type} failed`, { error: toEngineError(err).message }),
  );
  /** `engine::register_trigger` calls waiting for this provider's acknowledgement, by trigger id. */
  private readonly confirmations = new Map<string, { resolve: () => void; reject: (error: Error) => void }>();
  private closed = false;
  private cleanupDone: Promise<void> | undefined;
  /** Registers this connection's trigger types' bindings by sending frames to it. */
  private readonly provider: TriggerTypeProvider;
  /** Registry id of each function id this worker registered, when a prefix or hook renamed it. */
  private readonly renamed = new Map<string, string>();
  private readonly gate: GateScope;

  constructor(
    private readonly core: WorkerManagerKernel,
    private readonly socket: WorkerSocket,
    request: HandshakeRequest,
    readonly listener: WorkerManagerOptions,
    private readonly writes?: WriteCoalescer,
    /** What the listener's auth function granted (everything when it has none). */
    readonly session: Session = OPEN_SESSION,
  ) {
    this.ipAddress = remoteAddress(request);
    this.gate = { core, rbac: listener.rbac, session, workerId: this.id };
    this.provider = {
      register: (trigger) => this.sendRegisterTrigger(trigger),
      unregister: (trigger) => {
        this.send({ type: 'unregistertrigger', id: trigger.id, trigger_type: trigger.trigger_type });
      },
    };
  }

  /** Handshake: `workerregistered` first, then `worker_connected`, then the read loop (engine.md §2.1). */
  start(): void {
    this.send({ type: 'workerregistered', worker_id: this.id, reattach_token: this.reattachToken });
    this.core.workers.add(this);
    this.socket.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    this.socket.on('close', () => void this.cleanup());
    this.socket.on('error', (err) => this.core.logger.warn(`worker ${this.id} socket error`, { error: err.message }));
  }

  send(frame: OutboundFrame): boolean {
    if (this.socket.readyState !== this.socket.OPEN) return false;
    let text: string;
    try {
      text = encodeFrame(frame);
    } catch (err) {
      this.core.logger.error(`frame to worker ${this.id} could not be encoded`, { error: toEngineError(err).message });
      return false;
    }
    this.writes?.hold();
    this.socket.send(text);
    return true;
  }

  /** Whether this session may call a function (listings hide the rest, engine.md §6.2–6.3). */
  canInvoke(functionId: string, metadata: Record<string, unknown> | undefined): boolean {
    const rbac = this.listener.rbac;
    return rbac === undefined || decideAccess(rbac, this.session, functionId, metadata) === 'allowed';
  }

  isOpen(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  activeInvocations(): number {
    return this.core.invocations.activeFor(this.id);
  }

  async evict(): Promise<void> {
    this.socket.terminate();
    await this.cleanup();
  }

  /** Resolves once this connection's cleanup has finished (started on demand). */
  cleanup(): Promise<void> {
    if (this.cleanupDone === undefined) {
      this.closed = true;
      // Let a registration frame already being applied finish first, so nothing it adds survives.
      this.cleanupDone = this.intake.drained().then(() => this.teardown());
    }
    return this.cleanupDone;
  }

  private onMessage(data: RawData | string, isBinary: boolean): void {
    if (this.closed) return;
    let frame: InboundFrame | null;
    try {
      frame = decodeFrame(data, isBinary);
    } catch (err) {
      this.core.logger.warn(`worker ${this.id}: invalid frame dropped`, { error: toEngineError(err).message });
      return;
    }
    if (frame !== null) this.intake.push(frame);
  }

  /** Applies one frame; only registration work is awaited (it holds back the next frame). */
  private handle(frame: InboundFrame): void | Promise<void> {
    switch (frame.type) {
      case 'invokefunction':
        void routeInvocation(this.core, this, frame);
        return;
      case 'invocationresult':
        return acceptResult(this.core, this, frame);
      case 'registerfunction':
        return this.registerFunction(frame);
      case 'unregisterfunction':
        this.unregisterFunction(frame.id);
        return;
      case 'registertriggertype':
        return this.registerTriggerType(frame);
      case 'unregistertriggertype':
        this.core.triggers.unregisterType(frame.id, { kind: 'connection', workerId: this.id });
        return;
      case 'registertrigger':
        return this.registerTrigger(frame);
      case 'unregistertrigger':
        return this.unregisterTrigger(frame.id);
      case 'triggerregistrationresult':
        return this.acceptTriggerResult(frame);
      case 'reattach':
        return this.reattach(frame);
      case 'ping':
        this.send({ type: 'pong' });
        return;
      case 'pong':
      case 'workerregistered':
      case 'registerservice':
        return;
    }
  }

  /**
   * engine.md §3.1 after the gates of engine.md §13.4. With `invocation` the engine itself runs the function over
   * HTTP (engine.md §11); without an `iii-http-functions` worker, or with an invalid URL, it is dropped.
   */
  private async registerFunction(frame: InboundFrameOf<'registerfunction'>): Promise<void> {
    const granted = await gateFunction(this.gate, { id: frame.id, description: frame.description, metadata: frame.metadata });
    if (granted === null || this.closed) return;
    const localId = frame.id;
    let handler: FunctionHandler = (data, options) => this.invokeRemote(localId, data, options);
    if (frame.invocation !== undefined) {
      const external = await this.externalHandler(granted.id, frame.invocation);
      if (external === undefined || this.closed) return;
      handler = external;
    }
    if (granted.id === localId) this.renamed.delete(localId);
    else this.renamed.set(localId, granted.id);
    await this.registerRefusable(`function`, granted.id, () =>
      this.core.functions.register({
        id: granted.id,
        description: granted.description,
        metadata: granted.metadata,
        request_format: frame.request_format,
        response_format: frame.response_format,
        owner: { kind: 'connection', workerId: this.id },
        handler,
        available: () => !this.closed && this.isOpen(),
      }),
    );
  }

  /**
   * Runs a registration that ownership may refuse. The refusal reaches the worker as a failed
   * `triggerregistrationresult` (the one registration error iii-sdk reports: it logs it), with
   * `trigger_type` naming what was refused (`function`, `trigger-type`).
   */
  private async registerRefusable(kind: string, id: string, register: () => void | Promise<void>): Promise<void> {
    try {
      await register();
    } catch (err) {
      const error = toEngineError(err, 'registration_refused');
      this.core.logger.warn(`worker ${this.id}: ${kind} ${id} refused`, { code: error.code, error: error.message });
      this.send({
        type: 'triggerregistrationresult',
        id,
        trigger_type: kind,
        function_id: kind === 'function' ? id : '',
        error: error.toBody(),
      });
    }
  }

  private async externalHandler(functionId: string, invocation: Record<string, unknown>): Promise<FunctionHandler | undefined> {
    const host = this.core.service('external-functions');
    if (host === undefined) {
      this.core.logger.warn(`worker ${this.id}: HTTP function ${functionId} dropped (iii-http-functions is not configured)`);
      return undefined;
    }
    try {
      return await host.createHandler(functionId, invocation);
    } catch (err) {
      const error = toEngineError(err, 'url_validation_failed');
      this.core.logger.warn(`worker ${this.id}: HTTP function ${functionId} not registered`, { code: error.code, error: error.message });
      return undefined;
    }
  }

  /** The worker names the id it registered; a prefix or hook may have renamed it (engine.md §13.4). */
  private unregisterFunction(localId: string): void {
    const id = this.renamed.get(localId) ?? withPrefix(this.session, localId);
    this.renamed.delete(localId);
    this.core.functions.unregister(id, { kind: 'connection', workerId: this.id });
  }

  private async registerTriggerType(frame: InboundFrameOf<'registertriggertype'>): Promise<void> {
    const granted = await gateTriggerType(this.gate, { id: frame.id, description: frame.description });
    if (granted === null || this.closed) return;
    await this.registerRefusable('trigger-type', granted.id, () =>
      this.core.triggers.registerType({
        id: granted.id,
        description: granted.description,
        owner: { kind: 'connection', workerId: this.id },
        provider: this.provider,
        awaitResult: (triggerId, timeoutMs) => this.awaitTriggerResult(triggerId, timeoutMs),
        trigger_request_format: frame.trigger_request_format,
        call_request_format: frame.call_request_format,
      }),
    );
  }

  /** Sends `invokefunction` to this worker synchronously and waits for its `invocationresult`. */
  private invokeRemote(functionId: string, data: unknown, options: RoutedInvocationOptions): Promise<unknown> {
    return new Promise((resolve, reject) => {
      if (this.closed) {
        reject(new EngineError('invocation_stopped', 'Invocation stopped'));
        return;
      }
      // The caller's id when it is free (engine.md §4.8), else a fresh one.
      const invocationId = this.core.invocations.add(
        { functionId, targetWorkerId: this.id, callerWorkerId: options.callerWorkerId, resolve, reject },
        options.invocationId,
      );
      const frame: OutboundFrameOf<'invokefunction'> = {
        type: 'invokefunction',
        invocation_id: invocationId,
        function_id: functionId,
        data: data === undefined ? null : data,
      };
      if (options.traceparent !== undefined) frame.traceparent = options.traceparent;
      if (options.baggage !== undefined) frame.baggage = options.baggage;
      if (options.metadata !== undefined) frame.metadata = options.metadata;
      if (!this.send(frame)) {
        const error = new EngineError('channel_send_failed', `Could not send invocation to worker ${this.id}`);
        this.core.invocations.settle(invocationId, this.id, { error });
      }
    });
  }

  private async registerTrigger(frame: InboundFrameOf<'registertrigger'>): Promise<void> {
    const granted = await gateTrigger(this.gate, frame);
    if (granted === null || this.closed) return;
    const record: TriggerRecord = {
      id: granted.id,
      trigger_type: granted.trigger_type,
      function_id: granted.function_id,
      config: granted.config,
      worker_id: this.id,
      ...(granted.metadata !== undefined && { metadata: granted.metadata }),
    };
    try {
      await this.core.triggers.registerTrigger(record);
    } catch (err) {
      this.send(registrationFailed(record, toEngineError(err, 'trigger_registration_failed').toBody()));
    }
  }

  private async unregisterTrigger(id: string): Promise<void> {
    const entry = this.core.registry.triggers.getTrigger(id);
    if (entry === undefined) return;
    // A worker may only withdraw its own triggers (engine-owned ones have no worker).
    if (entry.record.worker_id !== undefined && entry.record.worker_id !== this.id) return;
    await this.core.triggers.unregisterTrigger(id);
  }

  /** A provider's answer to a forwarded `registertrigger` (engine.md §3.6); errors park and forward. */
  private acceptTriggerResult(frame: InboundFrameOf<'triggerregistrationresult'>): void {
    const entry = this.core.registry.triggers.getTrigger(frame.id);
    if (entry === undefined) return;
    const type = this.core.registry.triggers.getType(entry.record.trigger_type);
    if (type?.owner.kind !== 'connection' || type.owner.workerId !== this.id) return; // spoofing guard
    const waiter = this.confirmations.get(frame.id);
    this.confirmations.delete(frame.id);
    if (frame.error === undefined) {
      waiter?.resolve();
      return;
    }
    this.core.triggers.park(frame.id);
    if (waiter !== undefined) {
      const body = isPlainObject(frame.error) ? frame.error : {};
      waiter.reject(new Error(`${String(body.code ?? 'UNKNOWN')}: ${String(body.message ?? '')}`));
      return;
    }
    const origin = entry.record.worker_id === undefined ? undefined : this.core.registry.workers.get(entry.record.worker_id);
    origin?.send(registrationFailed(entry.record, frame.error));
  }

  private awaitTriggerResult(triggerId: string, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.confirmations.delete(triggerId);
        this.core.logger.warn(`provider ${this.id} did not acknowledge trigger ${triggerId} within ${timeoutMs}ms`);
        resolve();
      }, timeoutMs);
      const settle = (error?: Error): void => {
        clearTimeout(timer);
        if (error === undefined) resolve();
        else reject(error);
      };
      this.confirmations.set(triggerId, { resolve: () => settle(), reject: (error) => settle(error) });
    });
  }

  private sendRegisterTrigger(trigger: TriggerRecord): void {
    const frame: OutboundFrameOf<'registertrigger'> = {
      type: 'registertrigger',
      id: trigger.id,
      trigger_type: trigger.trigger_type,
      function_id: trigger.function_id,
      config: trigger.config,
    };
    if (trigger.metadata !== undefined) frame.metadata = trigger.metadata;
    if (!this.send(frame)) {
      const error = new Error(`trigger type provider ${this.id} is not reachable`);
      this.confirmations.get(trigger.id)?.reject(error);
      this.confirmations.delete(trigger.id);
      throw error;
    }
  }

  /** Evicts the previous connection of a reconnecting worker when its token matches (engine.md §2.6). */
  private async reattach(frame: InboundFrameOf<'reattach'>): Promise<void> {
    const previousId = frame.previous_worker_id;
    if (!isUuid(previousId) || previousId === this.id) return;
    const previous = this.core.registry.workers.get(previousId);
    if (previous === undefined || frame.reattach_token === undefined) return;
    if (frame.reattach_token !== previous.reattachToken) {
      this.core.logger.warn(`worker ${this.id}: reattach to ${previousId} refused (bad token)`);
      return;
    }
    await withDeadline(previous.evict(), REATTACH_WAIT_MS);
  }

  /** engine.md §5.6, in order. */
  private async teardown(): Promise<void> {
    const { core, id } = this;
    for (const waiter of this.confirmations.values()) waiter.reject(new Error('trigger type provider disconnected'));
    this.confirmations.clear();
    core.functions.removeOwnedBy(id);
    core.invocations.haltFor(id);
    await core.triggers.removeTriggersOwnedBy(id);
    core.triggers.removeTypesOwnedBy(id);
    core.workerLeft(id);
    core.workers.remove(id);
  }
}
