/**
 * The reference app's derived data checked against its source of truth: after the reactions have
 * settled, `/todos/metrics` and a fresh `todos-live/all` sync must both equal `GET /todos`.
 */
import type { Todo } from '../../../src/modules/todos/todo.entity';
import { Api, StreamRecorder } from './app';

/** Asserts the metrics and a fresh live sync of the app at `urls` equal `todos` (its `GET /todos`). */
export async function expectDerivedViewsMatch(urls: { http: string; stream: string }, todos: Todo[]): Promise<void> {
  const completed = todos.filter((t) => t.completed).length;
  expect((await new Api(urls.http).metrics()).body).toEqual({ total: todos.length, completed, active: todos.length - completed });
  const live = await StreamRecorder.join<Todo>(urls.stream, { stream: 'todos-live', group: 'all' });
  try {
    const byId = (a: Todo, b: Todo): number => a.id.localeCompare(b.id);
    expect([...(live.live?.items.values() ?? [])].sort(byId)).toEqual([...todos].sort(byId));
  } finally {
    live.close();
  }
}
