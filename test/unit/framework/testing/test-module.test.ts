import { Controller, Fn, Inject, Injectable, Module, StateService, Test, III_CLIENT } from '../../../../src/framework';
import { FakeIII } from '../../../fakes/fake-iii';

const MAILER = Symbol('MAILER');

interface Mailer {
  send(to: string): string;
}

@Injectable()
class TodosService {
  constructor(
    readonly state: StateService,
    @Inject(MAILER) readonly mailer: Mailer,
  ) {}
  async complete(id: string): Promise<string> {
    await this.state.scope('todos').update(id, [{ type: 'set', path: 'done', value: true }]);
    return this.mailer.send(id);
  }
}

@Controller('todos')
class TodosController {
  constructor(readonly service: TodosService) {}
  @Fn() complete(data: { id: string }) {
    return this.service.complete(data.id);
  }
}

@Module({
  providers: [TodosService, { provide: MAILER, useValue: { send: (to: string) => `real mail to ${to}` } }],
  controllers: [TodosController],
})
class TodosModule {}

describe('Test.createTestingModule', () => {
  it('builds the real graph when nothing is overridden', async () => {
    const ref = await Test.createTestingModule({ imports: [TodosModule] }).compile();
    expect(ref.get<Mailer>(MAILER).send('x')).toBe('real mail to x');
  });

  it('replaces a provider with useValue', async () => {
    const ref = await Test.createTestingModule({ imports: [TodosModule] })
      .overrideProvider(MAILER)
      .useValue({ send: (to: string) => `fake mail to ${to}` })
      .compile();
    expect(ref.get(TodosService).mailer.send('x')).toBe('fake mail to x');
  });

  it('replaces a provider with useClass', async () => {
    class FakeState {
      scope() {
        return { update: async () => ({ old_value: null, new_value: {} }) };
      }
    }
    const ref = await Test.createTestingModule({ imports: [TodosModule] })
      .overrideProvider(StateService)
      .useClass(FakeState as never)
      .compile();
    expect(await ref.get(TodosService).complete('t1')).toBe('real mail to t1');
  });

  it("replaces a provider with useFactory, injecting from the declaring module's scope", async () => {
    const ref = await Test.createTestingModule({ imports: [TodosModule] })
      .overrideProvider(MAILER)
      .useFactory({
        factory: (s: StateService) => ({ send: (to: string) => `${s.constructor.name} mail to ${to}` }),
        inject: [StateService],
      })
      .compile();
    expect(ref.get(TodosService).mailer.send('x')).toBe('StateService mail to x');
  });

  it('replaces the iii client so services run against a recording fake', async () => {
    const fake = new FakeIII();
    const ref = await Test.createTestingModule({ imports: [TodosModule] })
      .overrideProvider(III_CLIENT)
      .useValue(fake)
      .compile();
    expect(await ref.definition('todos::complete').invoke({ id: 't9' })).toBe('real mail to t9');
    expect(fake.calls).toEqual([
      { function_id: 'state::update', payload: { scope: 'todos', key: 't9', ops: [{ type: 'set', path: 'done', value: true }] } },
    ]);
  });

  it('fails clearly when a service needs the engine and no client was given', async () => {
    const ref = await Test.createTestingModule({ imports: [TodosModule] }).compile();
    await expect(ref.get(TodosService).complete('t1')).rejects.toMatchObject({ code: 'NO_CLIENT' });
  });

  it('accepts providers and controllers directly', async () => {
    const ref = await Test.createTestingModule({
      providers: [TodosService, { provide: MAILER, useValue: { send: () => 'direct' } }],
      controllers: [TodosController],
    }).compile();
    expect(ref.get(TodosController).service).toBe(ref.get(TodosService));
    expect(ref.definitions().map((d) => d.functionId)).toEqual(['todos::complete']);
  });

  it('lists the defined ids when asked for a missing one', async () => {
    const ref = await Test.createTestingModule({ imports: [TodosModule] }).compile();
    expect(() => ref.definition('todos::nope')).toThrow(/defined: todos::complete/);
  });

  it('runs lifecycle hooks only through init() and close()', async () => {
    const calls: string[] = [];
    @Injectable()
    class Hooked {
      onModuleInit() {
        calls.push('init');
      }
      onModuleDestroy() {
        calls.push('destroy');
      }
    }
    const ref = await Test.createTestingModule({ providers: [Hooked] }).compile();
    expect(calls).toEqual([]);
    await ref.init();
    await ref.close();
    expect(calls).toEqual(['init', 'destroy']);
  });
});
