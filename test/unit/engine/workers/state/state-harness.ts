/**
 * The state worker on a fake engine context with a fake clock: triggers deliver from the change
 * log to test functions registered with `handle`, and `settle()` waits on the worker's idle probe
 * (no sleeps). `restart()` stops the worker and starts a new one on the same storage, as an engine
 * restart would.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EngineStorage, EngineWorker, TriggerRecord } from '../../../../../src/engine/core/types';
import { openStorage } from '../../../../../src/engine/storage';
import { createStateWorker } from '../../../../../src/engine/workers/state';
import { ReactionStore, type CursorRow } from '../../../../../src/engine/workers/state/reaction-store';
import { IdleProbes } from '../../../../../src/engine/core/settle';
import { FakeClock } from '../../../../fakes/fake-clock';
import { FakeEngineContext } from '../../../../fakes/fake-engine-context';

export interface StateEventSeen {
  type: 'state';
  event_type: string;
  scope: string;
  key: string;
  version: number;
  seq: number;
  old_value: unknown;
  new_value: unknown;
}

export class StateHarness {
  ctx!: FakeEngineContext;
  worker!: EngineWorker;
  readonly clock = new FakeClock();
  private directory: string | undefined;
  private storage!: EngineStorage;

  constructor(
    private readonly kind: 'memory' | 'sqlite' = 'memory',
    private readonly config: Record<string, unknown> = {},
  ) {}

  async start(): Promise<this> {
    if (this.storage === undefined) {
      if (this.kind === 'sqlite') {
        this.directory = fs.mkdtempSync(path.join(os.tmpdir(), 'iii-state-'));
        this.storage = openStorage({ kind: 'sqlite', directory: this.directory });
      } else {
        this.storage = openStorage({ kind: 'memory' });
      }
    }
    this.ctx = new FakeEngineContext({ storage: this.storage });
    this.ctx.clock = this.clock;
    this.worker = createStateWorker(this.config);
    await this.worker.start(this.ctx);
    return this;
  }

  /** Stops the worker (cursors saved) and starts a fresh one on the same storage; handlers must be re-added. */
  async restart(): Promise<void> {
    await this.worker.stop();
    await this.start();
  }

  /** Reopens the SQLite file as after a crash (nothing flushed by a stop). */
  async reopenAfterCrash(): Promise<void> {
    if (this.directory === undefined) throw new Error('sqlite only');
    await this.storage.close();
    this.storage = openStorage({ kind: 'sqlite', directory: this.directory });
    await this.start();
  }

  /** The cursor rows as saved in the database (what a crash would leave). */
  savedCursors(): CursorRow[] {
    return new ReactionStore(this.storage.database).cursors();
  }

  call(id: string, data: unknown): Promise<unknown> {
    return this.ctx.call(id, data);
  }

  /** Registers `functionId` recording its events and a state trigger on it. */
  async react(
    functionId: string,
    config: Record<string, unknown>,
    handler: (event: StateEventSeen) => unknown = () => null,
    triggerId = `trigger-${functionId}`,
  ): Promise<{ events: StateEventSeen[]; record: TriggerRecord }> {
    const events: StateEventSeen[] = [];
    this.ctx.handle(functionId, async (data) => {
      events.push(data as StateEventSeen);
      return handler(data as StateEventSeen);
    });
    const record = await this.ctx.addTrigger('state', triggerId, config, functionId);
    return { events, record };
  }

  /** Waits until the worker reports nothing due (retries waiting on the fake clock excepted). */
  async settle(): Promise<void> {
    const probes = new IdleProbes();
    for (const [name, probe] of this.ctx.idleProbes) probes.add(name, probe);
    await probes.settle(5_000);
  }

  async close(): Promise<void> {
    await this.worker.stop();
    await this.storage.close();
    if (this.directory !== undefined) fs.rmSync(this.directory, { recursive: true, force: true });
  }
}
