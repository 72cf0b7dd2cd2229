/**
 * What the client needs to know about an app, read from its decorators' metadata alone (no
 * bootstrap, no engine): every HTTP route with its parameters, and every `@Stream` publication.
 * Declared TypeScript types are not in the metadata; `declared-types.ts` adds them.
 */
import { kebabCase } from '../../../framework/application/naming';
import { readController, readModule, readParams, readStreamPublish, readTriggers } from '../../../framework/metadata/reflection';
import type { DynamicModule, HttpMethod, ModuleImport, ParamMeta, Type } from '../../../framework/metadata/types';

/** A handler parameter the client sends: the whole body/query, or one named field of it, or a path parameter. */
export interface ClientParam {
  index: number;
  kind: 'body' | 'query' | 'param';
  /** `@Body('title')`: one field; absent: the whole object. */
  name?: string;
}

export interface RouteInfo {
  httpMethod: HttpMethod;
  /** `/todos/:id`: the controller prefix joined with the method's path. */
  path: string;
  /** `:id` segments, in order. */
  pathParams: string[];
  controller: Type;
  method: string;
  params: ClientParam[];
  /** The decorator's fixed status, if any (201 for POST by default is not metadata). */
  status?: number;
}

export interface StreamInfo {
  stream: string;
  /** A fixed group, or `null` when the group is computed per result. */
  group: string | null;
  mode: 'item' | 'event';
  /** Mode `event`: the event type (the method name in kebab-case by default). */
  eventType?: string;
  controller: Type;
  method: string;
}

export interface AppMetadata {
  routes: RouteInfo[];
  streams: StreamInfo[];
}

function isDynamic(entry: ModuleImport): entry is DynamicModule {
  return typeof entry === 'object' && entry !== null && 'module' in entry;
}

/** Every controller class of the module tree under `root`, each once, in import order. */
export function controllersOf(root: ModuleImport): Type[] {
  const seen = new Set<unknown>();
  const controllers: Type[] = [];
  const visit = (entry: ModuleImport): void => {
    if (seen.has(entry)) return;
    seen.add(entry);
    const cls = isDynamic(entry) ? entry.module : entry;
    const meta = { ...readModule(cls) };
    const imports = [...(meta.imports ?? []), ...(isDynamic(entry) ? (entry.imports ?? []) : [])];
    imports.forEach(visit);
    for (const controller of [...(meta.controllers ?? []), ...(isDynamic(entry) ? (entry.controllers ?? []) : [])]) {
      if (!controllers.includes(controller)) controllers.push(controller);
    }
  };
  visit(root);
  return controllers;
}

function clientParams(params: readonly ParamMeta[]): ClientParam[] {
  return params
    .filter((p): p is ParamMeta & { kind: ClientParam['kind'] } => p.kind === 'body' || p.kind === 'query' || p.kind === 'param')
    .map((p) => ({ index: p.index, kind: p.kind, ...(p.name !== undefined ? { name: p.name } : {}) }))
    .sort((a, b) => a.index - b.index);
}

/** Routes and stream publications of every controller under `root`, ordered by path then method. */
export function readAppMetadata(root: ModuleImport): AppMetadata {
  const routes: RouteInfo[] = [];
  const streams: StreamInfo[] = [];
  for (const controller of controllersOf(root)) {
    const prefix = readController(controller)?.prefix ?? '';
    for (const trigger of readTriggers(controller)) {
      if (trigger.kind !== 'http') continue;
      const joined = [prefix, trigger.path].filter((s) => s !== '').join('/');
      const path = `/${joined}`.replace(/\/+/g, '/');
      routes.push({
        httpMethod: trigger.httpMethod,
        path,
        pathParams: path
          .split('/')
          .filter((s) => s.startsWith(':'))
          .map((s) => s.slice(1)),
        controller,
        method: trigger.method,
        params: clientParams(readParams(controller, trigger.method)),
        ...(trigger.status !== undefined ? { status: trigger.status } : {}),
      });
    }
    for (const publish of readStreamPublish(controller)) {
      const { group, mode, type } = publish.options;
      streams.push({
        stream: publish.streamName,
        group: typeof group === 'string' ? group : null,
        mode,
        ...(mode === 'event' ? { eventType: type ?? kebabCase(publish.method) } : {}),
        controller,
        method: publish.method,
      });
    }
  }
  routes.sort((a, b) => (a.path === b.path ? a.httpMethod.localeCompare(b.httpMethod) : a.path.localeCompare(b.path)));
  return { routes, streams };
}
