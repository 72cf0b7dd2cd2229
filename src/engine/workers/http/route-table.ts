/**
 * The live routes of the REST listener, over find-my-way's radix tree: lookups cost the same with
 * one route or thousands, and static segments win over parameters (`/todos/metrics` beside
 * `/todos/:id`). Bookkeeping follows the engine: one binding per route key (a later registration
 * of the key replaces it), same-shape routes with different parameter names are refused, and a
 * route is removed only by the trigger that still owns it.
 */
// find-my-way is a CommonJS module whose type is the callable export itself.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import FindMyWay = require('find-my-way');
import { EngineError } from '../../core/errors';
import { countSegments, ROUTED_METHODS, type HttpRouteSpec, type RoutedMethod } from './route-spec';

export const HTTP_ROUTE_CONFLICT = 'trigger_registration_failed';

/** One bound route: what to call and on whose behalf. */
export interface HttpRoute {
  readonly spec: HttpRouteSpec;
  readonly triggerId: string;
  readonly workerId: string | undefined;
  readonly functionId: string;
  readonly metadata: unknown;
}

/**
 * The router's store for one key. Replacing a binding swaps `route` in place, so the radix tree
 * is only touched when a key appears or disappears.
 */
interface Slot {
  route: HttpRoute;
}

// Parameters are extracted from the raw path by position (route-spec.ts); this bound only keeps
// find-my-way from refusing long segments (its default is 100 characters).
const MAX_PARAM_LENGTH = 64 * 1024;

const noopHandler = (): void => undefined;

/**
 * find-my-way lets a parameter match an empty segment (`/a/` for `/a/:id`); the engine's router
 * does not. Literal segments always match non-empty text, so an empty parameter shows up as a
 * shortfall of non-empty segments.
 */
function hasEmptyParam(route: HttpRoute, rawPath: string): boolean {
  return route.spec.params.length > 0 && countSegments(rawPath) !== route.spec.segmentCount;
}

export class RouteTable {
  private readonly router = FindMyWay({ caseSensitive: true, ignoreTrailingSlash: false, maxParamLength: MAX_PARAM_LENGTH });
  private readonly slots = new Map<string, Slot>();
  private readonly keyByTrigger = new Map<string, string>();
  /** shape → key of the route holding that shape. */
  private readonly shapes = new Map<string, string>();
  /** How many routed bindings each method has, so a 405 probe skips empty trees. */
  private readonly methodCounts = new Map<RoutedMethod, number>();

  get size(): number {
    return this.slots.size;
  }

  /** Binds a route, replacing the binding of the same key or of the same trigger id. */
  add(route: HttpRoute): void {
    const { spec } = route;
    const holderKey = this.shapes.get(spec.shape);
    if (holderKey !== undefined && holderKey !== spec.key) {
      const holder = this.slots.get(holderKey)!.route;
      if (holder.triggerId !== route.triggerId) {
        throw new EngineError(
          HTTP_ROUTE_CONFLICT,
          `Route '${spec.method} ${spec.apiPath}' conflicts with already-registered route '${spec.method} ${holder.spec.apiPath}': ` +
            'routes with identical structure but different path-parameter names are not supported',
        );
      }
    }

    // A trigger id binds one route: re-registering it elsewhere (SDK replays reuse ids) moves it.
    const previousKey = this.keyByTrigger.get(route.triggerId);
    if (previousKey !== undefined && previousKey !== spec.key) this.removeKey(previousKey);

    const slot = this.slots.get(spec.key);
    if (slot !== undefined) {
      if (slot.route.triggerId !== route.triggerId) this.keyByTrigger.delete(slot.route.triggerId);
      slot.route = route;
    } else {
      const fresh: Slot = { route };
      this.slots.set(spec.key, fresh);
      this.shapes.set(spec.shape, spec.key);
      if (spec.routed) {
        const method = spec.method as RoutedMethod;
        this.router.on(method, spec.pattern, noopHandler, fresh);
        this.methodCounts.set(method, (this.methodCounts.get(method) ?? 0) + 1);
      }
    }
    this.keyByTrigger.set(route.triggerId, spec.key);
  }

  /** The route bound to a route key (`METHOD:path`), if any. */
  routeAt(key: string): HttpRoute | undefined {
    return this.slots.get(key)?.route;
  }

  /** Removes the trigger's route if that trigger still owns it; says whether it did. */
  remove(triggerId: string, workerId?: string): boolean {
    const key = this.keyByTrigger.get(triggerId);
    if (key === undefined) return false;
    const slot = this.slots.get(key);
    if (slot === undefined || slot.route.triggerId !== triggerId) return false;
    if (workerId !== undefined && slot.route.workerId !== undefined && slot.route.workerId !== workerId) return false;
    this.removeKey(key);
    return true;
  }

  /** The route serving `method` on the raw request path; HEAD falls back to GET (axum behaviour). */
  match(method: string, rawPath: string): HttpRoute | null {
    const direct = this.find(method, rawPath);
    if (direct !== null || method !== 'HEAD') return direct;
    return this.find('GET', rawPath);
  }

  /** Methods that have a route for this path (for 405 `allow`); empty ⇒ the path is unknown. */
  allowedMethods(rawPath: string): string[] {
    const allowed: string[] = [];
    for (const method of ROUTED_METHODS) {
      if (this.find(method, rawPath) !== null) allowed.push(method);
    }
    if (allowed.includes('GET') && !allowed.includes('HEAD')) allowed.push('HEAD');
    return allowed;
  }

  private find(method: string, rawPath: string): HttpRoute | null {
    if (!this.methodCounts.has(method as RoutedMethod)) return null;
    let found = this.router.find(method as RoutedMethod, rawPath);
    // find-my-way refuses paths with broken percent-encoding; the engine matches the raw path, and
    // parameters are taken raw anyway, so match the path with its `%` signs taken literally.
    if (found === null && rawPath.includes('%')) found = this.router.find(method as RoutedMethod, rawPath.replace(/%/g, '%25'));
    if (found === null) return null;
    const route = (found.store as Slot).route;
    return hasEmptyParam(route, rawPath) ? null : route;
  }

  private removeKey(key: string): void {
    const slot = this.slots.get(key);
    if (slot === undefined) return;
    const { spec, triggerId } = slot.route;
    this.slots.delete(key);
    this.shapes.delete(spec.shape);
    if (this.keyByTrigger.get(triggerId) === key) this.keyByTrigger.delete(triggerId);
    if (spec.routed) {
      const method = spec.method as RoutedMethod;
      this.router.off(method, spec.pattern);
      const count = (this.methodCounts.get(method) ?? 1) - 1;
      if (count === 0) this.methodCounts.delete(method);
      else this.methodCounts.set(method, count);
    }
  }
}
