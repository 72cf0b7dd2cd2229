import { coreRecipes } from '../../../../src/framework/application/core-providers';
import { Injector } from '../../../../src/framework/container/injector';
import { buildModuleGraph } from '../../../../src/framework/container/module-graph';
import { disconnectedClient } from '../../../../src/framework/testing';
import { Inject, Injectable, Module, silentLogger, Test } from '../../../../src/framework';
import type { ModuleClass } from '../../../../src/framework/metadata/types';
import { failure } from '../failure';

async function boot(root: ModuleClass): Promise<{ injector: Injector; graph: ReturnType<typeof buildModuleGraph> }> {
  const graph = buildModuleGraph(
    root,
    coreRecipes(
      () => disconnectedClient,
      silentLogger,
      () => ({ worker: 'none' }),
    ),
  );
  const injector = new Injector(graph);
  await injector.instantiateAll();
  return { injector, graph };
}

describe('Injector: tsyringe child containers do the resolving', () => {
  @Injectable()
  class Repo {}
  @Injectable()
  class Service {
    constructor(
      readonly repo: Repo,
      @Inject('greeting') readonly greeting: string,
    ) {}
  }
  @Module({ providers: [Repo, { provide: 'greeting', useValue: 'hi' }], exports: [Repo, 'greeting'] })
  class DataModule {}
  @Module({ imports: [DataModule], providers: [Service], exports: [Service] })
  class FeatureModule {}
  @Module({ imports: [FeatureModule] })
  class AppModule {}

  it('builds each provider once, in the container of the module that declares it', async () => {
    const { injector, graph } = await boot(AppModule);
    const [data, feature] = graph.modules;
    const service = injector.containerOf(feature!).resolve(Service);
    expect(service).toBe(injector.get(Service));
    expect(service.repo).toBe(injector.containerOf(data!).resolve(Repo));
    expect(service.greeting).toBe('hi');
    // A singleton: resolving again through tsyringe does not build a second one.
    expect(injector.containerOf(feature!).resolve(Service)).toBe(service);
  });

  it('registers in a module only what the module graph lets it see', async () => {
    const { injector, graph } = await boot(AppModule);
    const [data, feature, app] = graph.modules;
    expect(injector.containerOf(feature!).isRegistered(Repo)).toBe(true); // exported by DataModule
    expect(injector.containerOf(app!).isRegistered(Repo)).toBe(false); // not re-exported by FeatureModule
    expect(injector.containerOf(data!).isRegistered(Service)).toBe(false);
  });

  it('awaits async factories once and hands tsyringe the value', async () => {
    let calls = 0;
    @Injectable()
    class UsesConfig {
      constructor(@Inject('config') readonly config: { port: number }) {}
    }
    @Module({
      providers: [{ provide: 'config', useFactory: async () => ({ port: ++calls }) }, UsesConfig],
      exports: [UsesConfig],
    })
    class ConfigFeature {}
    const { injector } = await boot(ConfigFeature);
    expect(injector.get(UsesConfig).config).toEqual({ port: 1 });
    expect(injector.get(UsesConfig).config).toBe(injector.get('config'));
    expect(calls).toBe(1);
  });
});

describe('Injector: a forgotten @Injectable()', () => {
  it('fails at bootstrap naming the class and the fix (MISSING_INJECTABLE)', async () => {
    @Injectable()
    class Repo {}
    class NotesService {
      constructor(readonly repo: Repo) {}
    }
    @Module({ providers: [Repo, NotesService] })
    class NotesModule {}
    const error = await failure(Test.createTestingModule({ imports: [NotesModule] }).compile());
    expect(error.code).toBe('MISSING_INJECTABLE');
    expect(error.message).toContain('add @Injectable() to the class NotesService');
    expect(error.message).toContain('NotesModule');
  });

  it('accepts an undecorated class without constructor parameters', async () => {
    class Plain {
      readonly n = 1;
    }
    @Module({ providers: [Plain], exports: [Plain] })
    class PlainModule {}
    const ref = await Test.createTestingModule({ imports: [PlainModule] }).compile();
    expect(ref.get(Plain).n).toBe(1);
  });
});
