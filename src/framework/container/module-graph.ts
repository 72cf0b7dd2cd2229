import { FrameworkError } from '../errors';
import { isGlobalModule, readModule } from '../metadata/reflection';
import type { DynamicModule, ModuleClass, ModuleMetadata, Token, Type } from '../metadata/types';
import { claimAppEnhancer, type AppEnhancerDecl } from './app-enhancers';
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
  readonly exportDecls: ReadonlyArray<Token | ModuleClass | DynamicModule>;
  /** `@Global()` or a dynamic module with `global: true`: its exports are visible in every module. */
  readonly global: boolean;
  /** The import entry that created this node (a class, or a dynamic module object). */
  readonly key: ModuleClass | DynamicModule;
  /** Its `APP_GUARD`/`APP_INTERCEPTOR`/`APP_PIPE`/`APP_FILTER` providers, in declaration order. */
  readonly appEnhancers: readonly AppEnhancerDecl[];
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

/**
 * Walks the imports from `root`, rejecting cycles, and computes every module's scope. A module
 * class is one node however often it is imported; a dynamic module is one node per object (so
 * `forFeature('a')` and `forFeature('b')` are two modules).
 */
export function buildModuleGraph(root: ModuleClass, core: ProviderRecipe[], overrides: RecipeOverrides = new Map()): ModuleGraph {
  const coreNode = makeNode({ key: CoreModule, type: CoreModule, chain: 'CoreModule', imports: [], recipes: core, overrides });
  const nodes = new Map<ModuleClass | DynamicModule, ModuleNode>();
  const ordered: ModuleNode[] = [];
  const rootNode = visit(root, [], undefined);
  resolveScopes(ordered, coreNode);
  return { root: rootNode, modules: ordered, core: coreNode };

  function visit(entry: unknown, stack: Array<{ key: unknown; name: string }>, importer: string | undefined): ModuleNode {
    const { key, type, meta, global } = readImport(entry, stack, importer);
    const seen = nodes.get(key);
    if (seen !== undefined) return seen;
    const at = stack.findIndex((s) => s.key === key);
    if (at >= 0) {
      const cycle = [...stack.slice(at).map((s) => s.name), type.name].join(' -> ');
      throw new FrameworkError('MODULE_CYCLE', `Module import cycle: ${cycle}. Move the shared providers into a module both can import.`);
    }
    const path = [...stack, { key, name: type.name }];
    const imports = (meta.imports ?? []).map((imported, i) => visit(imported, path, `${type.name} (imports[${i}])`));
    const appEnhancers: AppEnhancerDecl[] = [];
    const recipes = (meta.providers ?? []).map((p, i) => {
      const claimed = claimAppEnhancer(toRecipe(p, type.name, i), type.name, i);
      if (claimed.decl !== undefined) appEnhancers.push(claimed.decl);
      return claimed.recipe;
    });
    const node = makeNode({
      key,
      type,
      chain: path.map((m) => m.name).join(' -> '),
      imports,
      recipes,
      overrides,
      controllers: meta.controllers ?? [],
      exportDecls: meta.exports ?? [],
      global,
      appEnhancers,
    });
    nodes.set(key, node);
    ordered.push(node);
    return node;
  }
}

class CoreModule {}

/** A module class or a dynamic module, with the metadata of both merged. */
function readImport(
  entry: unknown,
  stack: ReadonlyArray<{ key: unknown }>,
  importer: string | undefined,
): { key: ModuleClass | DynamicModule; type: ModuleClass; meta: ModuleMetadata; global: boolean } {
  const where = importer === undefined ? 'root module' : `import of ${importer}`;
  if (entry !== null && typeof entry === 'object' && 'module' in entry) {
    const dynamic = entry as DynamicModule;
    const type = checkModuleClass(dynamic.module, stack, `${where} (a dynamic module)`);
    const base = readModule(type) ?? {};
    const meta: ModuleMetadata = {
      imports: [...(base.imports ?? []), ...(dynamic.imports ?? [])],
      providers: [...(base.providers ?? []), ...(dynamic.providers ?? [])],
      controllers: [...(base.controllers ?? []), ...(dynamic.controllers ?? [])],
      exports: [...(base.exports ?? []), ...(dynamic.exports ?? [])],
    };
    return { key: dynamic, type, meta, global: dynamic.global === true || isGlobalModule(type) };
  }
  const type = checkModuleClass(entry, stack, where);
  return { key: type, type, meta: readModule(type) ?? {}, global: isGlobalModule(type) };
}

function checkModuleClass(type: unknown, stack: ReadonlyArray<{ key: unknown }>, where: string): ModuleClass {
  if (typeof type !== 'function') {
    const hint = type === undefined ? ' — a circular file import?' : '';
    throw new FrameworkError('INVALID_MODULE', `The ${where} is ${String(type)}${hint}`);
  }
  if (stack.some((s) => s.key === type)) return type as ModuleClass;
  if (readModule(type) === undefined) {
    throw new FrameworkError('INVALID_MODULE', `${type.name} (${where}) is not decorated with @Module()`);
  }
  return type as ModuleClass;
}

interface NodeParts {
  key: ModuleClass | DynamicModule;
  type: ModuleClass;
  chain: string;
  imports: ModuleNode[];
  recipes: ProviderRecipe[];
  overrides: RecipeOverrides;
  controllers?: readonly Type[];
  exportDecls?: ReadonlyArray<Token | ModuleClass | DynamicModule>;
  global?: boolean;
  appEnhancers?: readonly AppEnhancerDecl[];
}

function makeNode(parts: NodeParts): ModuleNode {
  const { type, recipes, overrides, controllers = [] } = parts;
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
    key: parts.key,
    type,
    name: type.name,
    chain: parts.chain === '' ? type.name : parts.chain,
    imports: parts.imports,
    recipes: map,
    controllers,
    exportDecls: parts.exportDecls ?? [],
    global: parts.global ?? false,
    appEnhancers: parts.appEnhancers ?? [],
    exported: new Map(),
    visible: new Map(),
  };
}

/**
 * NestJS scoping: own providers, plus what imported modules export, plus what global modules
 * export, plus the core globals. Exports first (imports before importers, so each import's are
 * ready), then every module's view, since a global module may be imported after its users.
 */
function resolveScopes(modules: readonly ModuleNode[], core: ModuleNode): void {
  for (const token of core.recipes.keys()) core.visible.set(token, core);
  for (const node of modules) node.exported = computeExports(node);
  const globals = modules.filter((m) => m.global);
  for (const node of modules) {
    for (const [token] of core.recipes) node.visible.set(token, core);
    for (const global of globals) for (const [token, owner] of global.exported) node.visible.set(token, owner);
    for (const imported of node.imports) {
      for (const [token, owner] of imported.exported) node.visible.set(token, owner);
    }
    for (const token of node.recipes.keys()) node.visible.set(token, node);
  }
}

function computeExports(node: ModuleNode): Map<Token, ModuleNode> {
  const exported = new Map<Token, ModuleNode>();
  for (const decl of node.exportDecls) {
    const reExported = node.imports.find((m) => m.key === decl || m.type === decl);
    if (reExported !== undefined) {
      for (const [token, owner] of reExported.exported) exported.set(token, owner);
      continue;
    }
    if (node.recipes.has(decl as Token)) {
      exported.set(decl as Token, node);
      continue;
    }
    const viaImport = node.imports.find((m) => m.exported.has(decl as Token));
    if (viaImport !== undefined) {
      exported.set(decl as Token, viaImport.exported.get(decl as Token) as ModuleNode);
      continue;
    }
    throw new FrameworkError(
      'INVALID_EXPORT',
      `${node.name} (${node.chain}) exports ${tokenName(typeof decl === 'object' && 'module' in decl ? decl.module : decl)}, which it neither provides nor imports. ` +
        `Add it to providers of ${node.name}, or import the module that exports it.`,
    );
  }
  return exported;
}
