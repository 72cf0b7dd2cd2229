import Database from 'better-sqlite3';
import { parseQueueWorkerConfig } from '../../../../../src/engine/workers/queue/config';
import { QueueWorker } from '../../../../../src/engine/workers/queue';
import { FakeClock } from '../../../../fakes/fake-clock';
import { FakeEngineContext } from '../../../../fakes/fake-engine-context';

/** A started queue worker on a fake context and clock; `restart()` reopens the same database. */
export class QueueHarness {
  ctx!: FakeEngineContext;
  worker!: QueueWorker;

  constructor(
    readonly clock: FakeClock,
    private readonly config: Record<string, unknown>,
    private readonly openDatabase: () => Database.Database = () => new Database(':memory:'),
  ) {}

  async start(): Promise<this> {
    this.ctx = new FakeEngineContext({ database: this.openDatabase() });
    this.worker = new QueueWorker(parseQueueWorkerConfig(this.config), this.clock);
    await this.worker.start(this.ctx);
    return this;
  }

  async close(): Promise<void> {
    await this.worker.stop();
    await this.ctx.storage.close();
  }

  enqueue(input: Record<string, unknown>): Promise<unknown> {
    return this.ctx.call('engine::queue::enqueue', input);
  }

  rows(): Array<Record<string, unknown>> {
    return this.ctx.storage.database.prepare('SELECT id, queue, status, attempts FROM iii_queue_jobs ORDER BY seq').all() as Array<
      Record<string, unknown>
    >;
  }
}
