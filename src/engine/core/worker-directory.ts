import type { OutboundFrame } from '../../protocol/frames';
/** What a worker reported about itself through `engine::workers::register` (engine.md §6.1). */
export interface WorkerMetadata {
  runtime: string;
  version: string | null;
  name: string | null;
  description: string | null;
  os: string | null;
  pid: number | null;
  isolation: string | null;
  telemetry: { language?: string; project_name?: string; framework?: string } | null;
}

/** A live worker connection as the rest of the engine sees it. */
export interface ConnectedWorker {
  readonly id: string;
  readonly connectedAtMs: number;
  readonly ipAddress: string | null;
  metadata: WorkerMetadata | null;
  /** The identity it proved at its handshake (see ownership.ts); absent ⇒ the connection itself. */
  readonly principal?: string;
  /** Invocations this connection is executing right now. */
  activeInvocations(): number;
  /** Tears the connection down (reattach eviction); resolves once its cleanup finished. */
  evict(): Promise<void>;
  /** Proof a reconnecting worker presents to evict this connection (engine.md §2.6). */
  readonly reattachToken: string;
  /** Sends one protocol frame; false when the socket is gone or the frame cannot be encoded. */
  send(frame: OutboundFrame): boolean;
  /**
   * Whether this connection's RBAC session may call a function (engine.md §13.2); listings hide what
   * it may not call. Absent ⇒ unrestricted.
   */
  canInvoke?(functionId: string, metadata: Record<string, unknown> | undefined): boolean;
}

export type WorkerEvent = 'worker_connected' | 'worker_disconnected' | 'worker_metadata_updated';
export type WorkerEventListener = (event: WorkerEvent, workerId: string) => void;

/** Live worker connections plus the names of the in-process workers, with change notifications. */
export class WorkerDirectory {
  private readonly connections = new Map<string, ConnectedWorker>();
  private readonly builtins: string[] = [];
  private readonly listeners = new Set<WorkerEventListener>();

  add(worker: ConnectedWorker): void {
    this.connections.set(worker.id, worker);
    this.emit('worker_connected', worker.id);
  }

  remove(workerId: string): void {
    if (this.connections.delete(workerId)) this.emit('worker_disconnected', workerId);
  }

  get(workerId: string): ConnectedWorker | undefined {
    return this.connections.get(workerId);
  }

  list(): ConnectedWorker[] {
    return [...this.connections.values()];
  }

  /** The non-empty name a live connection reported about itself, if any (listings' `worker_name`). */
  nameOf(workerId: string): string | undefined {
    const name = this.connections.get(workerId)?.metadata?.name;
    return typeof name === 'string' && name !== '' ? name : undefined;
  }

  updateMetadata(workerId: string, metadata: WorkerMetadata): boolean {
    const worker = this.connections.get(workerId);
    if (worker === undefined) return false;
    worker.metadata = metadata;
    this.emit('worker_metadata_updated', workerId);
    return true;
  }

  addBuiltin(name: string): void {
    if (!this.builtins.includes(name)) this.builtins.push(name);
  }

  builtinNames(): readonly string[] {
    return this.builtins;
  }

  onEvent(listener: WorkerEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: WorkerEvent, workerId: string): void {
    for (const listener of this.listeners) listener(event, workerId);
  }
}
