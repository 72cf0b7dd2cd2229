/** A todo as stored in state scope `todos` (key = id) and mirrored to stream `todos-live`, group `all`. */
export interface Todo {
  id: string;
  title: string;
  completed: boolean;
  /** ISO-8601; unique and increasing within one process, so it orders the list. */
  createdAt: string;
  updatedAt: string;
}

/** State scope holding the todos. */
export const TODOS_SCOPE = 'todos';
/** Stream the reactions publish to; groups below. */
export const TODOS_STREAM = 'todos-live';
export const ALL_GROUP = 'all';

export const TITLE_MAX_LENGTH = 200;

/** List order: by creation time, then id so equal timestamps (other processes) still sort stably. */
export function byCreation(a: Todo, b: Todo): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Whether a stored value looks like a todo (state may hold anything another worker wrote). */
export function isTodo(value: unknown): value is Todo {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.id === 'string' &&
    typeof v.title === 'string' &&
    typeof v.completed === 'boolean' &&
    typeof v.createdAt === 'string' &&
    typeof v.updatedAt === 'string'
  );
}
