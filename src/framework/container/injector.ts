import 'reflect-metadata';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { FrameworkError, UnknownDependencyError } from '../errors';
import type { Token, Type } from '../metadata/types';
import type { ModuleGraph, ModuleNode } from './module-graph';
import { classRecipe, type ProviderRecipe } from './providers';
import { tokenName } from './tokens';

/** Something the injector built, in creation order (dependencies before dependants). */
export interface InstanceRecord {
  readonly token: Token;
  readonly instance: unknown;
  readonly module: ModuleNode;
  readonly kind: 'provider' | 'controller';
}

/**
 * Builds every provider and controller of a module graph, once (singletons), checking visibility
 * the NestJS way. Instances then live in one tsyringe child container per module, holding exactly
 * the tokens that module may inject, so `get()` answers with the same scoping rules.
 */
export class Injector {
  private readonly built = new Map<ModuleNode, Map<Token, unknown>>();
  private readonly resolving: Array<{ module: ModuleNode; token: Token; consumer: string }> = [];
  private readonly records: InstanceRecord[] = [];
  private readonly containers = new Map<ModuleNode, DependencyContainer>();

  constructor(private readonly graph: ModuleGraph) {}

  /** Instantiates everything: core globals, each module's providers, then controllers. */
  async instantiateAll(): Promise<readonly InstanceRecord[]> {
    for (const token of this.graph.core.recipes.keys()) await this.provide(this.graph.core, token);
    for (const node of this.graph.modules) {
      for (const token of node.recipes.keys()) await this.provide(node, token);
    }
    for (const node of this.graph.modules) {
      for (const controller of node.controllers) await this.buildController(node, controller);
    }
    this.fillContainers();
    return this.records;
  }

  /** The instance of `token` visible from the root module, else owned by any module. */
  get<T>(token: Token<T>): T {
    const scoped = this.containers.get(this.graph.root);
    if (scoped !== undefined && scoped.isRegistered(token as never, true)) return scoped.resolve(token as never) as T;
    for (const record of this.records) if (record.token === token) return record.instance as T;
    throw new FrameworkError('UNKNOWN_TOKEN', `No provider or controller for ${tokenName(token)} in this application`);
  }

  /**
   * Builds a class that is not a provider (a guard) with what `node` can inject; all providers
   * exist by then, so this is synchronous. A class that is itself a visible provider is reused.
   */
  construct<T>(node: ModuleNode, cls: Type<T>): T {
    const owner = node.visible.get(cls);
    if (owner !== undefined) return this.built.get(owner)?.get(cls) as T;
    const recipe = classRecipe(cls, cls);
    const deps = recipe.deps.map((token, index) => {
      const depOwner = token === undefined ? undefined : node.visible.get(token);
      const built = depOwner === undefined ? undefined : this.built.get(depOwner);
      if (token === undefined || built === undefined || !built.has(token)) {
        throw this.unknown(
          node,
          recipe,
          index,
          token === undefined ? '<unknown type>' : tokenName(token),
          'guards can only inject providers visible in the module of the controller they guard',
        );
      }
      return built.get(token);
    });
    return recipe.build(deps) as T;
  }

  /** The per-module tsyringe container (for advanced use and inspection). */
  containerOf(module: ModuleNode): DependencyContainer | undefined {
    return this.containers.get(module);
  }

  private async buildController(node: ModuleNode, controller: Type): Promise<void> {
    const instance = await this.build(node, classRecipe(controller, controller));
    this.ownMap(node).set(controller, instance);
    this.records.push({ token: controller, instance, module: node, kind: 'controller' });
  }

  private async provide(owner: ModuleNode, token: Token): Promise<unknown> {
    const own = this.ownMap(owner);
    if (own.has(token)) return own.get(token);
    const recipe = owner.recipes.get(token) as ProviderRecipe;
    const cycleAt = this.resolving.findIndex((r) => r.module === owner && r.token === token);
    if (cycleAt >= 0) {
      const names = [...this.resolving.slice(cycleAt).map((r) => r.consumer), recipe.consumer].join(' -> ');
      throw new FrameworkError(
        'PROVIDER_CYCLE',
        `Provider dependency cycle in ${owner.name} (${owner.chain}): ${names}. Break it by moving shared logic into a third provider.`,
      );
    }
    this.resolving.push({ module: owner, token, consumer: recipe.consumer });
    try {
      const instance = await this.build(owner, recipe);
      own.set(token, instance);
      this.records.push({ token, instance, module: owner, kind: 'provider' });
      return instance;
    } finally {
      this.resolving.pop();
    }
  }

  private async build(node: ModuleNode, recipe: ProviderRecipe): Promise<unknown> {
    const deps: unknown[] = [];
    for (let i = 0; i < recipe.deps.length; i++) {
      deps.push(await this.dependency(node, recipe, i));
    }
    const made = recipe.build(deps);
    return recipe.async ? await made : made;
  }

  private async dependency(node: ModuleNode, recipe: ProviderRecipe, index: number): Promise<unknown> {
    const token = recipe.deps[index];
    if (token === undefined) {
      throw this.unknown(
        node,
        recipe,
        index,
        '<unknown type>',
        'the parameter type is not known at runtime (an interface, a union, a primitive or a circular file import); use @Inject(token)',
      );
    }
    const owner = node.visible.get(token);
    if (owner === undefined) {
      throw this.unknown(
        node,
        recipe,
        index,
        tokenName(token),
        `${tokenName(token)} is neither provided by ${node.name} nor exported by a module it imports. ` +
          `Add it to the providers of ${node.name}, or export it from the module that provides it and import that module.`,
      );
    }
    return this.provide(owner, token);
  }

  private unknown(node: ModuleNode, recipe: ProviderRecipe, index: number, token: string, reason: string): UnknownDependencyError {
    const message = `Cannot resolve dependency #${index} (${token}) of ${recipe.consumer} in module ${node.name} [${node.chain}]. Reason: ${reason}`;
    return new UnknownDependencyError(message, recipe.consumer, index, token, node.chain);
  }

  private ownMap(node: ModuleNode): Map<Token, unknown> {
    let map = this.built.get(node);
    if (map === undefined) {
      map = new Map();
      this.built.set(node, map);
    }
    return map;
  }

  /** One child container per module holding exactly what that module can see. */
  private fillContainers(): void {
    const core = rootContainer.createChildContainer();
    for (const node of this.graph.modules) {
      const scoped = core.createChildContainer();
      for (const [token, owner] of node.visible) {
        scoped.register(token as never, { useValue: this.built.get(owner)?.get(token) });
      }
      for (const controller of node.controllers) {
        scoped.register(controller as never, { useValue: this.built.get(node)?.get(controller) });
      }
      this.containers.set(node, scoped);
    }
  }
}
