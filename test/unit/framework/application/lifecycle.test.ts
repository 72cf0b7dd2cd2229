import {
  Controller,
  IIIFactory,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '../../../../src/framework';
import { FakeIII } from '../../../fakes/fake-iii';

const events: string[] = [];

function hooks(name: string) {
  return class implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
    onModuleInit() {
      events.push(`${name}.init`);
    }
    async onApplicationBootstrap() {
      await Promise.resolve();
      events.push(`${name}.bootstrap`);
    }
    onModuleDestroy() {
      events.push(`${name}.destroy`);
    }
    onApplicationShutdown(signal?: string) {
      events.push(`${name}.shutdown(${signal ?? ''})`);
    }
  };
}

@Injectable()
class Db extends hooks('Db') {}
@Injectable()
class Repo extends hooks('Repo') {
  constructor(readonly db: Db) {
    super();
  }
}
@Controller('c')
class Ctl extends hooks('Ctl') {
  constructor(@Inject(Repo) readonly repo: Repo) {
    super();
  }
}
@Module({ providers: [Db], exports: [Db] })
class DbModule {}
@Module({ imports: [DbModule], providers: [Repo], controllers: [Ctl] })
class AppModule {}

describe('lifecycle hooks', () => {
  beforeEach(() => {
    events.length = 0;
  });

  it('run init and bootstrap in dependency order, shutdown hooks in reverse', async () => {
    const fake = new FakeIII();
    const app = await IIIFactory.create(AppModule, { client: fake, logger: false });
    expect(events).toEqual(['Db.init', 'Repo.init', 'Ctl.init']);
    await app.listen();
    expect(events.slice(3)).toEqual(['Db.bootstrap', 'Repo.bootstrap', 'Ctl.bootstrap']);
    await app.close('SIGTERM');
    expect(events.slice(6)).toEqual([
      'Ctl.destroy',
      'Repo.destroy',
      'Db.destroy',
      'Ctl.shutdown(SIGTERM)',
      'Repo.shutdown(SIGTERM)',
      'Db.shutdown(SIGTERM)',
    ]);
  });

  it('keeps shutting down when a destroy hook throws, and logs it', async () => {
    const errors: string[] = [];
    @Injectable()
    class Faulty {
      onModuleDestroy() {
        throw new Error('stuck');
      }
    }
    @Module({ providers: [Faulty, Db] })
    class M {}
    const fake = new FakeIII();
    const app = await IIIFactory.create(M, { client: fake, logger: { log() {}, warn() {}, error: (m) => errors.push(m) } });
    await app.close();
    expect(errors).toEqual([expect.stringContaining('onModuleDestroy of Faulty failed: stuck')]);
    expect(events).toContain('Db.destroy');
    expect(fake.shutdownCount).toBe(1);
  });

  it('closes on a shutdown signal when hooks are enabled', async () => {
    const fake = new FakeIII();
    const closedBy: string[] = [];
    const app = await IIIFactory.create(AppModule, {
      client: fake,
      logger: false,
      onSignalClosed: (signal) => closedBy.push(signal),
    });
    app.enableShutdownHooks(['SIGUSR2']);
    const before = process.listenerCount('SIGUSR2');
    process.emit('SIGUSR2', 'SIGUSR2');
    await app.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(fake.shutdownCount).toBe(1);
    expect(events).toContain('Ctl.shutdown(SIGUSR2)');
    expect(closedBy).toEqual(['SIGUSR2']);
    expect(process.listenerCount('SIGUSR2')).toBe(before - 1);
  });

  it('removes its signal listeners on close()', async () => {
    const app = await IIIFactory.create(AppModule, { client: new FakeIII(), logger: false });
    const before = process.listenerCount('SIGINT');
    app.enableShutdownHooks();
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    await app.close();
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});
