import 'reflect-metadata';
import { container as rootContainer, inject, injectable, Lifecycle, type DependencyContainer, type InjectionToken } from 'tsyringe';
import { FrameworkError } from '../errors';
import { readInjectOverrides } from '../metadata/reflection';
import type { Token, Type } from '../metadata/types';
import type { GlobalEnhancers } from '../pipeline/types';
import { collectAppEnhancers } from './app-enhancers';
import type { ModuleGraph, ModuleNode } from './module-graph';
import { classRecipe, type ClassRecipe, type ProviderRecipe } from './providers';
import { dependencyOwner, planResolution } from './resolution-plan';
import { tokenName } from './tokens';

/** Something the injector built, in creation order (dependencies before dependants). */
export interface InstanceRecord {
  readonly token: Token;
  readonly instance: unknown;
  readonly module: ModuleNode;
  readonly kind: 'provider' | 'controller';
}

/**
 * The module graph decides visibility; tsyringe does the construction and holds the lifetimes.
 * Each module gets one tsyringe child container in which its own providers and controllers are
 * registered (classes as `useClass` singletons, values as `useValue`, aliases as `useToken`) and
 * every token it may inject from elsewhere is registered as a delegation to the owner's container.
 * So `resolve` in a module's container builds a class with exactly what that module can see, and
 * an exported provider exists once, in the container of the module that declares it.
 */
export class Injector {
  private readonly app: DependencyContainer = rootContainer.createChildContainer();
  private readonly containers = new Map<ModuleNode, DependencyContainer>();
  private readonly records: InstanceRecord[] = [];

  constructor(private readonly graph: ModuleGraph) {}

  /** Checks the graph, registers every module's providers with tsyringe, then resolves them in dependency order. */
  async instantiateAll(): Promise<readonly InstanceRecord[]> {
    const steps = planResolution(this.graph);
    for (const node of [this.graph.core, ...this.graph.modules]) this.containers.set(node, this.app.createChildContainer());
    for (const node of [this.graph.core, ...this.graph.modules]) this.registerModule(node);
    for (const { owner, recipe, kind } of steps) {
      const scoped = this.containerOf(owner);
      let instance: unknown;
      if (recipe.kind === 'factory') {
        // tsyringe factories are synchronous: an async factory is awaited here, once, and its value registered.
        instance = await recipe.factory(...recipe.deps.map((dep) => scoped.resolve(dep as InjectionToken)));
        scoped.register(recipe.token as InjectionToken, { useValue: instance });
      } else {
        instance = scoped.resolve(recipe.token as InjectionToken);
      }
      this.records.push({ token: recipe.token, instance, module: owner, kind });
    }
    return this.records;
  }

  /** The module the application was created from. */
  get rootModule(): ModuleNode {
    return this.graph.root;
  }

  /** The instance of `token` visible from the root module, else owned by any module. */
  get<T>(token: Token<T>): T {
    const scoped = this.containers.get(this.graph.root);
    if (scoped !== undefined && scoped.isRegistered(token as InjectionToken)) return scoped.resolve(token as InjectionToken);
    for (const record of this.records) if (record.token === token) return record.instance as T;
    throw new FrameworkError('UNKNOWN_TOKEN', `No provider or controller for ${tokenName(token)} in this application`);
  }

  /**
   * A guard, pipe, interceptor or filter given as a class: the visible provider when it is one,
   * else built once by tsyringe in `node`'s container with what `node` can inject (NestJS does the
   * same). `role` names it in the error when a dependency is not visible.
   */
  construct<T>(node: ModuleNode, cls: Type<T>, role: string): T {
    const scoped = this.containerOf(node);
    if (!node.visible.has(cls) && !scoped.isRegistered(cls as InjectionToken)) {
      const recipe = classRecipe(cls, cls);
      try {
        recipe.deps.forEach((_dep, index) => dependencyOwner(node, recipe, index));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new FrameworkError(
          'ENHANCER_NOT_RESOLVABLE',
          `${role} ${cls.name} cannot be built in module ${node.name}: classes given to @UseGuards/@UsePipes/@UseInterceptors/@UseFilters ` +
            `are built with the providers visible in the controller's module — provide what it needs there, or pass an instance. ${reason}`,
        );
      }
      this.registerClass(scoped, recipe);
    }
    return scoped.resolve(cls as InjectionToken);
  }

  /** The instances of every module's `APP_GUARD`/... providers, in module order (imports first). */
  appEnhancers(): GlobalEnhancers {
    const built = this.graph.modules.flatMap((node) =>
      node.appEnhancers.map((decl) => ({ decl, instance: this.containerOf(node).resolve(decl.token), module: node.name })),
    );
    return collectAppEnhancers(built);
  }

  /** The per-module tsyringe container (for advanced use and inspection). */
  containerOf(module: ModuleNode): DependencyContainer {
    const scoped = this.containers.get(module);
    if (scoped === undefined) throw new FrameworkError('UNKNOWN_TOKEN', `${module.name} is not part of this application`);
    return scoped;
  }

  private registerModule(node: ModuleNode): void {
    const scoped = this.containerOf(node);
    for (const [token, owner] of node.visible) {
      if (owner === node) continue;
      const source = this.containerOf(owner);
      scoped.register(token as InjectionToken, { useFactory: () => source.resolve(token as InjectionToken) });
    }
    for (const recipe of node.recipes.values()) this.registerRecipe(scoped, recipe);
    for (const controller of node.controllers) this.registerClass(scoped, classRecipe(controller, controller));
  }

  private registerRecipe(scoped: DependencyContainer, recipe: ProviderRecipe): void {
    const token = recipe.token as InjectionToken;
    switch (recipe.kind) {
      case 'class':
        return this.registerClass(scoped, recipe);
      case 'value':
        scoped.register(token, { useValue: recipe.value });
        return;
      case 'alias':
        scoped.register(token, { useToken: recipe.existing as InjectionToken }, { lifecycle: Lifecycle.Singleton });
        return;
      case 'factory':
        return; // registered as a value once awaited (instantiateAll)
    }
  }

  /** Tells tsyringe the constructor's tokens (our `@Inject` overrides included), then registers a singleton. */
  private registerClass(scoped: DependencyContainer, recipe: ClassRecipe): void {
    const cls = recipe.cls as unknown as new (...args: unknown[]) => unknown;
    for (const [index, token] of readInjectOverrides(recipe.cls)) inject(token as InjectionToken)(cls, undefined, index);
    injectable()(cls);
    scoped.register(recipe.token as InjectionToken, { useClass: cls }, { lifecycle: Lifecycle.Singleton });
  }
}
