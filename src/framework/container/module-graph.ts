import { FrameworkError } from '../errors';
import { readModule } from '../metadata/reflection';
import type { ModuleClass, Token, Type } from '../metadata/types';
import { toRecipe, type ProviderRecipe } from './providers';
import { tokenName } from './tokens';

/** One module of the application, as discovered from the root. */
export interface ModuleNode {
  readonly type: ModuleClass;
  readonly name: string;
  /** How the module was first reached from the root, for error messages (`AppModule -> TodosModule`). */
  readonly chain: string;
  readonly imports: ModuleNode[];
  readonly recipes: Map<Token, ProviderRecipe>;
  readonly controllers: readonly Type[];
  readonly exportDecls: ReadonlyArray<Token | ModuleClass>;
  /** Filled by `resolveScopes`: tokens importers of this module can see, with their owner. */
  exported: Map<Token, ModuleNode>;
  /** Filled by `resolveScopes`: tokens this module's classes can inject, with their owner. */
  visible: Map<Token, ModuleNode>;
}

export interface ModuleGraph {
  readonly root: ModuleNode;
  /** Every module, dependencies before dependants (an import precedes its importer). */
  readonly modules: readonly ModuleNode[];
  /** The framework's global providers (client, state, streams, ...), visible everywhere. */
  readonly core: ModuleNode;
}

/** Replaces the recipe of a token wherever it is declared (testing overrides). */
export type RecipeOverrides = ReadonlyMap<Token, (owner: string) => ProviderRecipe>;

/** Walks the imports from `root`, rejecting cycles, and computes every module's scope. */
export function buildModuleGraph(root: ModuleClass, core: ProviderRecipe[], overrides: RecipeOverrides = new Map()): ModuleGraph {
  const coreNode = makeNode(CoreModule, 'CoreModule', [], core, overrides);
  const nodes = new Map<ModuleClass, ModuleNode>();
  const ordered: ModuleNode[] = [];
  const rootNode = visit(root, [], undefined);
  resolveScopes(ordered, coreNode);
  return { root: rootNode, modules: ordered, core: coreNode };

  function visit(type: unknown, stack: ModuleClass[], importer: string | undefined): ModuleNode {
    const moduleClass = checkModuleClass(type, stack, importer);
    const seen = nodes.get(moduleClass);
    if (seen !== undefined) return seen;
    if (stack.includes(moduleClass)) {
      const cycle = [...stack.slice(stack.indexOf(moduleClass)), moduleClass].map((m) => m.name).join(' -> ');
      throw new FrameworkError('MODULE_CYCLE', `Module import cycle: ${cycle}. Move the shared providers into a module both can import.`);
    }
    const meta = readModule(moduleClass) ?? {};
    const path = [...stack, moduleClass];
    const imports = (meta.imports ?? []).map((imported, i) => visit(imported, path, `${moduleClass.name} (imports[${i}])`));
    const chain = path.map((m) => m.name).join(' -> ');
    const recipes = (meta.providers ?? []).map((p, i) => toRecipe(p, moduleClass.name, i));
    const node = makeNode(moduleClass, chain, imports, recipes, overrides, meta.controllers, meta.exports);
    nodes.set(moduleClass, node);
    ordered.push(node);
    return node;
  }
}

class CoreModule {}

function checkModuleClass(type: unknown, stack: ModuleClass[], importer: string | undefined): ModuleClass {
  const where = importer === undefined ? 'root module' : `import of ${importer}`;
  if (typeof type !== 'function') {
    const hint = type === undefined ? ' — a circular file import?' : '';
    throw new FrameworkError('INVALID_MODULE', `The ${where} is ${String(type)}${hint}`);
  }
  if (stack.includes(type as ModuleClass)) return type as ModuleClass;
  if (readModule(type) === undefined) {
    throw new FrameworkError('INVALID_MODULE', `${type.name} (${where}) is not decorated with @Module()`);
  }
  return type as ModuleClass;
}

function makeNode(
  type: ModuleClass,
  chain: string,
  imports: ModuleNode[],
  recipes: ProviderRecipe[],
  overrides: RecipeOverrides,
  controllers: readonly Type[] = [],
  exportDecls: ReadonlyArray<Token | ModuleClass> = [],
): ModuleNode {
  const map = new Map<Token, ProviderRecipe>();
  for (const recipe of recipes) {
    const override = overrides.get(recipe.token);
    map.set(recipe.token, override !== undefined ? override(type.name) : recipe);
  }
  controllers.forEach((c, i) => {
    if (typeof c !== 'function') {
      throw new FrameworkError('INVALID_MODULE', `${type.name}: controllers[${i}] is ${String(c)} — a circular file import?`);
    }
  });
  return {
    type,
    name: type.name,
    chain: chain === '' ? type.name : chain,
    imports,
    recipes: map,
    controllers,
    exportDecls,
    exported: new Map(),
    visible: new Map(),
  };
}

/** NestJS scoping: own providers, plus what imported modules export, plus the core globals. */
function resolveScopes(modules: readonly ModuleNode[], core: ModuleNode): void {
  for (const token of core.recipes.keys()) core.visible.set(token, core);
  // `modules` lists imports before importers, so every import's `exported` is ready in time.
  for (const node of modules) {
    for (const [token] of core.recipes) node.visible.set(token, core);
    for (const imported of node.imports) {
      for (const [token, owner] of imported.exported) node.visible.set(token, owner);
    }
    for (const token of node.recipes.keys()) node.visible.set(token, node);
    node.exported = computeExports(node);
  }
}

function computeExports(node: ModuleNode): Map<Token, ModuleNode> {
  const exported = new Map<Token, ModuleNode>();
  for (const decl of node.exportDecls) {
    const reExported = node.imports.find((m) => m.type === decl);
    if (reExported !== undefined) {
      for (const [token, owner] of reExported.exported) exported.set(token, owner);
      continue;
    }
    if (node.recipes.has(decl)) {
      exported.set(decl, node);
      continue;
    }
    const viaImport = node.imports.find((m) => m.exported.has(decl));
    if (viaImport !== undefined) {
      exported.set(decl, viaImport.exported.get(decl) as ModuleNode);
      continue;
    }
    throw new FrameworkError(
      'INVALID_EXPORT',
      `${node.name} (${node.chain}) exports ${tokenName(decl)}, which it neither provides nor imports. ` +
        `Add it to providers of ${node.name}, or import the module that exports it.`,
    );
  }
  return exported;
}
