/** Counts over the todos, kept by a reaction (never computed on read). */
export interface TodoMetrics {
  total: number;
  completed: number;
  active: number;
}

/** State scope and key holding the counts; stream group and item they are published to. */
export const METRICS_SCOPE = 'todo-metrics';
export const METRICS_KEY = 'global';
export const METRICS_GROUP = 'metrics';

export const ZERO_METRICS: Readonly<TodoMetrics> = Object.freeze({ total: 0, completed: 0, active: 0 });
