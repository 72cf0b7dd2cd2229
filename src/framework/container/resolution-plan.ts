import { FrameworkError, UnknownDependencyError } from '../errors';
import { lacksParamTypes } from '../metadata/reflection';
import type { Token, Type } from '../metadata/types';
import type { ModuleGraph, ModuleNode } from './module-graph';
import { classRecipe, type ProviderRecipe } from './providers';
import { tokenName } from './tokens';

/** One thing to build, after everything it needs. */
export interface PlanStep {
  readonly owner: ModuleNode;
  readonly recipe: ProviderRecipe;
  readonly kind: 'provider' | 'controller';
}

/**
 * Checks the whole graph before anything is built — every dependency known and visible from the
 * module that needs it, no cycles — and orders the work so dependencies come first. The module
 * graph decides visibility here; tsyringe then constructs (see injector.ts).
 */
export function planResolution(graph: ModuleGraph): PlanStep[] {
  const steps: PlanStep[] = [];
  const done = new Map<ModuleNode, Set<Token>>();
  const stack: Array<{ owner: ModuleNode; token: Token; consumer: string }> = [];

  const visit = (owner: ModuleNode, token: Token): void => {
    if (done.get(owner)?.has(token) === true) return;
    const recipe = owner.recipes.get(token) as ProviderRecipe;
    const cycleAt = stack.findIndex((s) => s.owner === owner && s.token === token);
    if (cycleAt >= 0) {
      const names = [...stack.slice(cycleAt).map((s) => s.consumer), recipe.consumer].join(' -> ');
      throw new FrameworkError(
        'PROVIDER_CYCLE',
        `Provider dependency cycle in ${owner.name} (${owner.chain}): ${names}. Break it by moving shared logic into a third provider.`,
      );
    }
    stack.push({ owner, token, consumer: recipe.consumer });
    recipe.deps.forEach((_dep, index) => {
      const depOwner = dependencyOwner(owner, recipe, index);
      visit(depOwner, recipe.deps[index] as Token);
    });
    stack.pop();
    let set = done.get(owner);
    if (set === undefined) done.set(owner, (set = new Set()));
    set.add(token);
    steps.push({ owner, recipe, kind: 'provider' });
  };

  for (const token of graph.core.recipes.keys()) visit(graph.core, token);
  for (const node of graph.modules) for (const token of node.recipes.keys()) visit(node, token);
  for (const node of graph.modules) {
    for (const controller of node.controllers) {
      const recipe = classRecipe(controller, controller);
      recipe.deps.forEach((_dep, index) => dependencyOwner(node, recipe, index));
      steps.push({ owner: node, recipe, kind: 'controller' });
    }
  }
  return steps;
}

/** The module owning dependency `index` of `recipe` as seen from `node`, or a precise error. */
export function dependencyOwner(node: ModuleNode, recipe: ProviderRecipe, index: number): ModuleNode {
  const token = recipe.deps[index];
  if (token === undefined) {
    if (recipe.kind === 'class' && lacksParamTypes(recipe.cls)) throw missingInjectable(node, recipe.cls);
    throw unknownDependency(
      node,
      recipe,
      index,
      '<unknown type>',
      'the parameter type is not known at runtime (an interface, a union, a primitive or a circular file import); use @Inject(token)',
    );
  }
  const owner = node.visible.get(token);
  if (owner === undefined) {
    throw unknownDependency(
      node,
      recipe,
      index,
      tokenName(token),
      `${tokenName(token)} is neither provided by ${node.name} nor exported by a module it imports. ` +
        `Add it to the providers of ${node.name}, or export it from the module that provides it and import that module.`,
    );
  }
  return owner;
}

function missingInjectable(node: ModuleNode, cls: Type): FrameworkError {
  return new FrameworkError(
    'MISSING_INJECTABLE',
    `${cls.name} (in module ${node.name} [${node.chain}]) has constructor parameters but no @Injectable(): ` +
      `add @Injectable() to the class ${cls.name} so its parameter types are recorded and can be injected.`,
  );
}

function unknownDependency(node: ModuleNode, recipe: ProviderRecipe, index: number, token: string, reason: string): UnknownDependencyError {
  const message = `Cannot resolve dependency #${index} (${token}) of ${recipe.consumer} in module ${node.name} [${node.chain}]. Reason: ${reason}`;
  return new UnknownDependencyError(message, recipe.consumer, index, token, node.chain);
}
