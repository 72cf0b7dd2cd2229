import { Injectable, StateService, type StateChangeEvent, type StateScope, type UpdateOp } from '#framework';
import { isTodo, type Todo } from '../todos/todo.entity';
import { METRICS_KEY, METRICS_SCOPE, ZERO_METRICS, type TodoMetrics } from './metrics.entity';

const FIELDS = ['total', 'completed', 'active'] as const;

/**
 * How one todo change moves each count: what the new value contributes minus what the old one
 * did. Works for create (old null), delete (new null) and toggles, and ignores values that are not
 * todos, as the list does.
 */
export function metricsDelta(event: Pick<StateChangeEvent<unknown>, 'old_value' | 'new_value'>): TodoMetrics {
  const before = contribution(event.old_value);
  const after = contribution(event.new_value);
  return {
    total: after.total - before.total,
    completed: after.completed - before.completed,
    active: after.active - before.active,
  };
}

function contribution(value: unknown): TodoMetrics {
  if (!isTodo(value)) return ZERO_METRICS;
  return { total: 1, completed: value.completed ? 1 : 0, active: value.completed ? 0 : 1 };
}

@Injectable()
export class MetricsService {
  private readonly scope: StateScope<TodoMetrics>;

  constructor(state: StateService) {
    this.scope = state.scope<TodoMetrics>(METRICS_SCOPE);
  }

  async current(): Promise<TodoMetrics> {
    return normalize(await this.scope.get(METRICS_KEY));
  }

  /**
   * Applies a todo change as atomic `increment` ops (no read-modify-write, so concurrent reactions
   * cannot lose counts). Returns the new counts, or `undefined` when the change moved nothing
   * (e.g. a title edit), so there is nothing to publish.
   */
  async apply(event: StateChangeEvent<Todo>): Promise<TodoMetrics | undefined> {
    const delta = metricsDelta(event);
    const ops: UpdateOp[] = FIELDS.filter((f) => delta[f] !== 0).map((f) => ({ type: 'increment', path: f, by: delta[f] }));
    if (ops.length === 0) return undefined;
    const result = await this.scope.update(METRICS_KEY, ops);
    return normalize(result.new_value);
  }
}

/** Missing fields read as 0 (a fresh store, or a counter that was never moved). */
function normalize(value: Partial<TodoMetrics> | null | undefined): TodoMetrics {
  const v = value ?? {};
  return {
    total: typeof v.total === 'number' ? v.total : 0,
    completed: typeof v.completed === 'number' ? v.completed : 0,
    active: typeof v.active === 'number' ? v.active : 0,
  };
}
