import { createTestApp, type TestApp, type TestAppOptions } from './test-app';
import { coreRecipes } from '../application/core-providers';
import { explore, exploreContext, type TriggerDefinition } from '../application/explorer';
import { runHook } from '../application/lifecycle';
import { Injector, type InstanceRecord } from '../container/injector';
import { buildModuleGraph } from '../container/module-graph';
import { classRecipe, factoryRecipe, valueRecipe, type ProviderRecipe } from '../container/providers';
import { checkEnhancers } from '../decorators/enhancers';
import { Module } from '../decorators/module';
import { silentLogger, type Logger } from '../logger';
import type { ModuleClass, ModuleMetadata, Token, Type } from '../metadata/types';
import {
  NO_GLOBALS,
  type EnhancerKind,
  type FilterRef,
  type GlobalEnhancers,
  type GuardRef,
  type InterceptorRef,
  type PipeRef,
} from '../pipeline/types';
import { III_CLIENT } from '../tokens';
import { disconnectedClient } from './disconnected-client';
import type { IIIClient } from 'iii-sdk';

/** A testing module talks to no engine; override ENGINE_URLS to give providers real ones. */
const TESTING_URLS = { worker: '(testing module: no engine)' } as const;

export type TestingModuleMetadata = Pick<ModuleMetadata, 'imports' | 'providers' | 'controllers'>;

export interface OverrideBy<T> {
  /**
   * A stand-in value. Only the public surface of `T` is required, so a plain object can replace a
   * class that has private members (e.g. `StateService`).
   */
  useValue(value: T | Pick<T, keyof T>): TestingModuleBuilder;
  useClass(cls: Type<T>): TestingModuleBuilder;
  useFactory(options: { factory: (...deps: never[]) => T | Promise<T>; inject?: Token[] }): TestingModuleBuilder;
}

type Override = (owner: string) => ProviderRecipe;

/** Builds a throwaway root module around `metadata`, with providers replaced where asked. */
export class TestingModuleBuilder {
  private readonly overrides = new Map<Token, Override>();
  private logger: Logger = silentLogger;

  constructor(private readonly metadata: TestingModuleMetadata) {}

  /** Replaces `token` wherever a module declares it (framework globals such as III_CLIENT too). */
  overrideProvider<T>(token: Token<T>): OverrideBy<T> {
    const set = (override: Override): TestingModuleBuilder => {
      this.overrides.set(token, override);
      return this;
    };
    return {
      useValue: (value) => set(() => valueRecipe(token, value)),
      useClass: (cls) => set(() => classRecipe(token, cls)),
      useFactory: ({ factory, inject }) => set((owner) => factoryRecipe(token, factory, inject, owner)),
    };
  }

  /** Where handler failures are logged (default: nowhere). */
  useLogger(logger: Logger): this {
    this.logger = logger;
    return this;
  }

  async compile(): Promise<TestingModule> {
    class TestingRootModule {}
    Module({ ...this.metadata })(TestingRootModule);
    const override = this.overrides.get(III_CLIENT);
    const client = override !== undefined ? undefined : disconnectedClient;
    const recipes = coreRecipes(
      () => client as IIIClient,
      this.logger,
      () => TESTING_URLS,
    );
    const graph = buildModuleGraph(TestingRootModule, recipes, this.overrides);
    const injector = new Injector(graph);
    const records = await injector.instantiateAll();
    return new TestingModule(injector, records, this.logger);
  }
}

/** A compiled testing module: instances by token, and the trigger definitions its controllers make. */
export class TestingModule {
  private definitionsCache: readonly TriggerDefinition[] | undefined;
  private initialized = false;
  private globals: GlobalEnhancers = NO_GLOBALS;

  constructor(
    private readonly injector: Injector,
    private readonly records: readonly InstanceRecord[],
    private readonly logger: Logger,
  ) {}

  get<T>(token: Token<T>): T {
    return this.injector.get(token);
  }

  /** Guards for every trigger, as `app.useGlobalGuards(...)` (after the `APP_GUARD` providers). */
  useGlobalGuards(...guards: GuardRef[]): this {
    return this.addGlobals('guards', guards);
  }

  /** Interceptors around every trigger, as `app.useGlobalInterceptors(...)`. */
  useGlobalInterceptors(...interceptors: InterceptorRef[]): this {
    return this.addGlobals('interceptors', interceptors);
  }

  /** Pipes for every decorated parameter, as `app.useGlobalPipes(...)`. */
  useGlobalPipes(...pipes: PipeRef[]): this {
    return this.addGlobals('pipes', pipes);
  }

  /** Exception filters for every trigger, as `app.useGlobalFilters(...)`. */
  useGlobalFilters(...filters: FilterRef[]): this {
    return this.addGlobals('filters', filters);
  }

  /** What the registrar would register, with invokers you can call directly: `def.invoke(payload)`. */
  definitions(): readonly TriggerDefinition[] {
    this.definitionsCache ??= explore(this.records, exploreContext(this.injector, this.logger, this.globals));
    return this.definitionsCache;
  }

  /** The invokers are rebuilt with the new globals the next time `definitions()` is read. */
  private addGlobals(kind: EnhancerKind, refs: readonly unknown[]): this {
    const name = `useGlobal${kind.charAt(0).toUpperCase()}${kind.slice(1)}()`;
    checkEnhancers(name, kind, refs);
    this.globals = { ...this.globals, [kind]: [...this.globals[kind], ...refs] };
    this.definitionsCache = undefined;
    return this;
  }

  /** The definition of one function id (throws when absent, listing what exists). */
  definition(functionId: string): TriggerDefinition {
    const found = this.definitions().find((d) => d.functionId === functionId);
    if (found === undefined) {
      throw new Error(
        `No function '${functionId}'; defined: ${this.definitions()
          .map((d) => d.functionId)
          .join(', ')}`,
      );
    }
    return found;
  }

  /** Runs `onModuleInit` then `onApplicationBootstrap`. */
  async init(): Promise<this> {
    if (this.initialized) return this;
    this.initialized = true;
    await runHook(this.records, 'onModuleInit', this.logger);
    await runHook(this.records, 'onApplicationBootstrap', this.logger);
    return this;
  }

  /** Runs the shutdown hooks if `init()` ran. */
  async close(): Promise<void> {
    if (!this.initialized) return;
    this.initialized = false;
    await runHook(this.records, 'onModuleDestroy', this.logger);
    await runHook(this.records, 'onApplicationShutdown', this.logger);
  }
}

export const Test = {
  createTestingModule(metadata: TestingModuleMetadata): TestingModuleBuilder {
    return new TestingModuleBuilder(metadata);
  },
  /** `createTestApp(root, options)`: the whole module on an embedded engine, with `settle()` and a fake clock. */
  createTestingApp(root: ModuleClass, options?: TestAppOptions): Promise<TestApp> {
    return createTestApp(root, options);
  },
};
