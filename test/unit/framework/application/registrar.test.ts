import {
  Controller,
  ENGINE_URLS,
  Fn,
  Inject,
  Http,
  IIIFactory,
  Injectable,
  Module,
  OnQueue,
  OnStateChange,
  Subscribe,
  type EngineUrls,
  type IIIApplication,
} from '../../../../src/framework';
import { FakeIII } from '../../../fakes/fake-iii';

@Injectable()
class Greeter {
  greet(name: string): string {
    return `hello ${name}`;
  }
}

@Controller('greet')
class GreetController {
  constructor(private readonly greeter: Greeter) {}
  @Http('GET', ':name') hello(req: { path_params: { name: string } }) {
    return { text: this.greeter.greet(req.path_params.name) };
  }
  @OnStateChange('people', { events: ['created'] }) onPerson(): string {
    return 'seen';
  }
  @Subscribe('people.joined') onJoined(): void {}
  @OnQueue('mail') mail(): void {}
  @Fn('greet::plain') plain(data: { n: number }) {
    return data.n + 1;
  }
}

@Module({ providers: [Greeter], controllers: [GreetController] })
class GreetModule {}
@Module({ imports: [GreetModule] })
class AppModule {}

describe('registrar (through IIIFactory with a recording fake)', () => {
  let fake: FakeIII;
  let app: IIIApplication;

  beforeEach(async () => {
    fake = new FakeIII();
    app = await IIIFactory.create(AppModule, { client: fake, logger: false });
  });
  afterEach(() => app.close());

  it('registers nothing before listen()', () => {
    expect(fake.log).toEqual([]);
  });

  it('registers every function first, then a trigger for each kind that has one', async () => {
    await app.listen();
    expect(fake.log).toEqual([
      'registerFunction greet::hello',
      'registerFunction greet::on-person',
      'registerFunction greet::on-joined',
      'registerFunction greet::mail',
      'registerFunction greet::plain',
      'registerTrigger http greet::hello',
      'registerTrigger state greet::on-person',
      'registerTrigger subscribe greet::on-joined',
    ]);
    expect(fake.triggerFor('greet::hello')?.config).toEqual({ api_path: 'greet/:name', http_method: 'GET' });
    expect(fake.triggerFor('greet::on-person')?.config).toEqual({ scope: 'people' });
  });

  it('confirms registration with one engine round trip', async () => {
    await app.listen();
    expect(fake.calls.map((c) => c.function_id)).toEqual(['engine::capabilities', 'engine::functions::list']);
  });

  it('registers handlers that answer in the engine shape', async () => {
    await app.listen();
    expect(await fake.invoke('greet::hello', { path_params: { name: 'ann' } })).toEqual({ status_code: 200, body: { text: 'hello ann' } });
    expect(await fake.invoke('greet::plain', { n: 1 })).toBe(2);
  });

  it('skips state events the decorator filtered out', async () => {
    await app.listen();
    const base = { type: 'state', scope: 'people', key: 'k', old_value: null, new_value: 1 };
    expect(await fake.invoke('greet::on-person', { ...base, event_type: 'state:created' })).toBe('seen');
    expect(await fake.invoke('greet::on-person', { ...base, event_type: 'state:updated' })).toBeUndefined();
  });

  it('unregisters triggers, then functions, then shuts the worker down on close()', async () => {
    await app.listen();
    fake.log.length = 0;
    await app.close();
    expect(fake.log).toEqual([
      'unregisterTrigger subscribe greet::on-joined',
      'unregisterTrigger state greet::on-person',
      'unregisterTrigger http greet::hello',
      'unregisterFunction greet::plain',
      'unregisterFunction greet::mail',
      'unregisterFunction greet::on-joined',
      'unregisterFunction greet::on-person',
      'unregisterFunction greet::hello',
      'shutdown',
    ]);
    expect(fake.functions.size).toBe(0);
  });

  it('closes once however often close() is called', async () => {
    await app.listen();
    await Promise.all([app.close(), app.close()]);
    await app.close();
    expect(fake.shutdownCount).toBe(1);
  });

  it('registers once when listen() is called concurrently', async () => {
    const [a, b] = await Promise.all([app.listen(), app.listen()]);
    expect(a).toBe(b);
    expect(fake.log.filter((l) => l.startsWith('registerFunction'))).toHaveLength(5);
  });

  it('refuses listen() after close()', async () => {
    await app.close();
    await expect(app.listen()).rejects.toMatchObject({ code: 'APPLICATION_CLOSED' });
  });

  it('exposes providers and controllers through get()', () => {
    expect(app.get(Greeter).greet('x')).toBe('hello x');
    expect(app.get(GreetController)).toBeInstanceOf(GreetController);
  });

  it('fails get() for an unknown token with a code', () => {
    expect(() => app.get('nope')).toThrow(expect.objectContaining({ code: 'UNKNOWN_TOKEN' }));
  });

  it('names the URL it connects to', () => {
    expect(app.urls.worker).toBe('(provided client)');
  });
});

describe('IIIFactory options', () => {
  it('installs signal handlers with shutdownHooks: true', async () => {
    const before = process.listenerCount('SIGTERM');
    const app = await IIIFactory.create(AppModule, { client: new FakeIII(), logger: false, shutdownHooks: true });
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    await app.close();
    expect(process.listenerCount('SIGTERM')).toBe(before);
  });
});

describe('IIIFactory failures', () => {
  it('does not start anything when the module graph is broken', async () => {
    const fake = new FakeIII();
    class NotAModule {}
    await expect(IIIFactory.create(NotAModule, { client: fake, logger: false })).rejects.toMatchObject({ code: 'INVALID_MODULE' });
    expect(fake.shutdownCount).toBe(0);
  });

  it('shuts the worker down when providers fail to build', async () => {
    const fake = new FakeIII();
    @Module({ providers: [{ provide: 'boom', useFactory: () => Promise.reject(new Error('no db')) }] })
    class Broken {}
    await expect(IIIFactory.create(Broken, { client: fake, logger: false })).rejects.toThrow('no db');
    expect(fake.shutdownCount).toBe(1);
  });
});

describe('graceful close', () => {
  @Controller('slow')
  class SlowController {
    release: () => void = () => undefined;
    @Fn('slow::work') work(): Promise<string> {
      return new Promise((resolve) => (this.release = () => resolve('done')));
    }
  }
  @Module({ controllers: [SlowController] })
  class SlowModule {}

  it('stops new fires, lets handler calls in flight finish, then shuts the worker down', async () => {
    const fake = new FakeIII();
    const app = await IIIFactory.create(SlowModule, { client: fake, logger: false });
    await app.listen();
    const running = fake.invoke('slow::work', {});
    const closing = app.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(fake.shutdownCount).toBe(0);
    app.get(SlowController).release();
    await expect(running).resolves.toBe('done');
    await closing;
    expect(fake.shutdownCount).toBe(1);
  });

  it('shuts down after drainTimeoutMs even if a handler never finishes', async () => {
    const fake = new FakeIII();
    const app = await IIIFactory.create(SlowModule, { client: fake, logger: false, drainTimeoutMs: 20 });
    await app.listen();
    void fake.invoke('slow::work', {});
    await app.close();
    expect(fake.shutdownCount).toBe(1);
  });
});

describe('ENGINE_URLS', () => {
  @Injectable()
  class Where {
    constructor(@Inject(ENGINE_URLS) readonly urls: EngineUrls) {}
  }
  @Module({ providers: [Where] })
  class WhereModule {}

  it('injects the URLs of the engine the application uses', async () => {
    const app = await IIIFactory.create(WhereModule, { client: new FakeIII(), engineUrl: 'ws://engine.test:49134', logger: false });
    expect(app.get(Where).urls).toEqual(app.urls);
    expect(app.get(Where).urls.worker).toBe('ws://engine.test:49134');
    await app.close();
  });
});
