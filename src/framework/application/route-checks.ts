import { FrameworkError } from '../errors';
import type { HttpTriggerMeta, ParamMeta, Type } from '../metadata/types';
import type { TriggerDefinition } from './explorer';

/** The `:name` segments of a route path. */
export function routeParams(path: string): string[] {
  return path
    .split('/')
    .filter((s) => s.startsWith(':'))
    .map((s) => s.slice(1));
}

/** `@Param('idd')` on a route `:id` would read nothing at every call: refuse it at bootstrap. */
export function assertParamsInRoute(cls: Type, meta: HttpTriggerMeta, apiPath: string, params: readonly ParamMeta[]): void {
  const known = routeParams(apiPath);
  for (const param of params) {
    if (param.kind !== 'param' || param.name === undefined || known.includes(param.name)) continue;
    const hint = known.length === 0 ? 'the route has no parameters' : `the route has ${known.map((k) => `:${k}`).join(', ')}`;
    throw new FrameworkError(
      'UNKNOWN_ROUTE_PARAM',
      `${cls.name}.${meta.method}: @Param('${param.name}') is not a parameter of ${meta.httpMethod} /${apiPath} (${hint}); ` +
        `rename it to one of the route's parameters or add ':${param.name}' to the path.`,
    );
  }
}

/** Two handlers on one method and path (parameter names aside): the engine would keep only the last. */
export function assertRoutesSound(definitions: readonly TriggerDefinition[]): void {
  const seen = new Map<string, TriggerDefinition>();
  for (const def of definitions) {
    if (def.kind !== 'http' || def.config === null) continue;
    const path = String(def.config.api_path);
    const key = `${String(def.config.http_method)} ${path.replace(/:[^/]+/g, ':')}`;
    const first = seen.get(key);
    if (first !== undefined) {
      throw new FrameworkError(
        'DUPLICATE_ROUTE',
        `${String(def.config.http_method)} /${path.replace(/^\//, '')} is served by both ${first.class.name}.${first.method} and ` +
          `${def.class.name}.${def.method}; change the path of one of them (routes that differ only in parameter names are the same route).`,
      );
    }
    seen.set(key, def);
  }
}
