import { Inject, Injectable, Module, Test, UnknownDependencyError } from '../../../../src/framework';
import { failure } from '../failure';

const compile = (imports: Array<new () => unknown>) => Test.createTestingModule({ imports }).compile();

describe('module graph: scoping', () => {
  @Injectable()
  class Repo {}
  @Injectable()
  class Service {
    constructor(readonly repo: Repo) {}
  }

  it('injects a provider of the same module', async () => {
    @Module({ providers: [Repo, Service] })
    class Feature {}
    const ref = await compile([Feature]);
    expect(ref.get(Service).repo).toBe(ref.get(Repo));
  });

  it('shares one instance of an exported provider with importers', async () => {
    @Module({ providers: [Repo], exports: [Repo] })
    class Data {}
    @Module({ imports: [Data], providers: [Service], exports: [Service] })
    class Feature {}
    @Injectable()
    class Other {
      constructor(readonly repo: Repo) {}
    }
    @Module({ imports: [Data], providers: [Other], exports: [Other] })
    class Second {}
    const ref = await compile([Feature, Second]);
    expect(ref.get(Service).repo).toBe(ref.get(Other).repo);
  });

  it('hides a provider that is not exported from importers', async () => {
    @Module({ providers: [Repo] })
    class Data {}
    @Module({ imports: [Data], providers: [Service] })
    class Feature {}
    @Module({ imports: [Feature] })
    class AppModule {}
    const error = await failure(Test.createTestingModule({ imports: [AppModule] }).compile());
    expect(error.code).toBe('UNKNOWN_DEPENDENCY');
  });

  it('does not leak an import of an import (no transitive visibility)', async () => {
    @Module({ providers: [Repo], exports: [Repo] })
    class Data {}
    @Module({ imports: [Data] })
    class Middle {}
    @Module({ imports: [Middle], providers: [Service] })
    class Feature {}
    const error = await failure(compile([Feature]));
    expect(error.code).toBe('UNKNOWN_DEPENDENCY');
  });

  it('lets a module re-export an imported module', async () => {
    @Module({ providers: [Repo], exports: [Repo] })
    class Data {}
    @Module({ imports: [Data], exports: [Data] })
    class Shared {}
    @Module({ imports: [Shared], providers: [Service], exports: [Service] })
    class Feature {}
    const ref = await compile([Feature]);
    expect(ref.get(Service).repo).toBeInstanceOf(Repo);
  });

  it('lets a module re-export a single imported token', async () => {
    @Module({ providers: [Repo], exports: [Repo] })
    class Data {}
    @Module({ imports: [Data], exports: [Repo] })
    class Shared {}
    @Module({ imports: [Shared], providers: [Service] })
    class Feature {}
    const ref = await compile([Feature]);
    expect(ref.get(Service).repo).toBeInstanceOf(Repo);
  });

  it('refuses to export what a module neither provides nor imports', async () => {
    @Module({ exports: [Repo] })
    class Broken {}
    const error = await failure(compile([Broken]));
    expect(error.code).toBe('INVALID_EXPORT');
    expect(error.message).toContain('Broken');
  });
});

describe('module graph: providers', () => {
  const CONFIG = Symbol('CONFIG');

  it('supports useValue, useClass and useFactory with inject (async factories too)', async () => {
    abstract class Clock {
      abstract now(): number;
    }
    class FixedClock extends Clock {
      now(): number {
        return 42;
      }
    }
    @Module({
      providers: [
        { provide: CONFIG, useValue: { base: 1 } },
        { provide: Clock, useClass: FixedClock },
        { provide: 'sum', useFactory: async (c: { base: number }, clock: Clock) => c.base + clock.now(), inject: [CONFIG, Clock] },
      ],
      exports: ['sum'],
    })
    class Feature {}
    const ref = await compile([Feature]);
    expect(ref.get<number>('sum')).toBe(43);
  });

  it('aliases a token to an existing provider with useExisting (same instance)', async () => {
    @Injectable()
    class Impl {}
    @Module({ providers: [Impl, { provide: 'alias', useExisting: Impl }], exports: ['alias', Impl] })
    class Feature {}
    const ref = await compile([Feature]);
    expect(ref.get('alias')).toBe(ref.get(Impl));
  });

  it('injects string and symbol tokens through @Inject', async () => {
    @Injectable()
    class UsesConfig {
      constructor(@Inject(CONFIG) readonly config: { base: number }) {}
    }
    @Module({ providers: [{ provide: CONFIG, useValue: { base: 7 } }, UsesConfig] })
    class Feature {}
    const ref = await compile([Feature]);
    expect(ref.get(UsesConfig).config.base).toBe(7);
  });

  it.each([
    ['an object without provide', { useValue: 1 }],
    ['two strategies at once', { provide: 'x', useValue: 1, useFactory: () => 1 }],
    ['a non-class useClass', { provide: 'x', useClass: 'nope' }],
    ['a non-function factory', { provide: 'x', useFactory: 3 }],
    ['undefined (a circular file import)', undefined],
  ])('rejects %s', async (_what, provider) => {
    const error = await failure(
      (async () => {
        @Module({ providers: [provider as never] })
        class Feature {}
        return compile([Feature]);
      })(),
    );
    expect(error.code).toBe('INVALID_PROVIDER');
  });
});

describe('module graph: missing providers', () => {
  @Injectable()
  class TodosService {}
  @Injectable()
  class TodosController {
    constructor(readonly service: TodosService) {}
  }

  it('names the consumer, the parameter index, the token and the import chain', async () => {
    @Module({ providers: [TodosController] })
    class TodosModule {}
    @Module({ imports: [TodosModule] })
    class AppModule {}

    const error = (await failure(Test.createTestingModule({ imports: [AppModule] }).compile())) as UnknownDependencyError;

    expect(error).toBeInstanceOf(UnknownDependencyError);
    expect(error.code).toBe('UNKNOWN_DEPENDENCY');
    expect(error.consumer).toBe('TodosController');
    expect(error.index).toBe(0);
    expect(error.token).toBe('TodosService');
    expect(error.moduleChain).toBe('TestingRootModule -> AppModule -> TodosModule');
    expect(error.message).toContain('AppModule -> TodosModule');
    expect(error.message).toContain('Reason:');
  });

  it('explains a parameter whose type is unknown at runtime', async () => {
    interface Port {
      send(): void;
    }
    @Injectable()
    class NeedsPort {
      constructor(readonly port: Port) {}
    }
    @Module({ providers: [NeedsPort] })
    class Feature {}
    const error = await failure(compile([Feature]));
    expect(error.code).toBe('UNKNOWN_DEPENDENCY');
    expect(error.message).toContain('@Inject(token)');
  });

  it('reports a factory dependency that is missing', async () => {
    @Module({ providers: [{ provide: 'x', useFactory: (n: number) => n, inject: ['missing'] }] })
    class Feature {}
    const error = (await failure(compile([Feature]))) as UnknownDependencyError;
    expect(error.code).toBe('UNKNOWN_DEPENDENCY');
    expect(error.token).toBe("'missing'");
  });
});

describe('module graph: cycles', () => {
  it('reports an import cycle with the chain', async () => {
    const A = class A {};
    const B = class B {};
    Module({ imports: [B] })(A);
    Module({ imports: [A] })(B);
    const error = await failure(compile([A]));
    expect(error.code).toBe('MODULE_CYCLE');
    expect(error.message).toContain('A -> B -> A');
  });

  it('reports a provider dependency cycle with the chain', async () => {
    @Injectable()
    class First {
      constructor(@Inject('second') readonly second: unknown) {}
    }
    @Module({
      providers: [First, { provide: 'second', useFactory: (f: First) => ({ f }), inject: [First] }],
    })
    class Feature {}
    const error = await failure(compile([Feature]));
    expect(error.code).toBe('PROVIDER_CYCLE');
    expect(error.message).toContain("First -> factory of 'second' -> First");
  });

  it('rejects an import that is not a module', async () => {
    class Plain {}
    const error = await failure(compile([Plain]));
    expect(error.code).toBe('INVALID_MODULE');
    expect(error.message).toContain('Plain');
  });

  it('rejects an undefined import, hinting at a circular file import', async () => {
    const error = await failure(compile([undefined as never]));
    expect(error.code).toBe('INVALID_MODULE');
    expect(error.message).toContain('circular file import');
  });
});
