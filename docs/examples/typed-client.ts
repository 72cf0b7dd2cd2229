/** A Node client typed by the generated `src/generated/api.ts` (`npm run generate -- client`). */
import WebSocket from 'ws';
import { LiveGroup, StreamClient } from '#framework';
import { ApiError, callRoute, type StreamItem } from '../../src/generated/api';

// #region typed-client
/** Adds a todo, marks it done, and follows the list live; every name and type is the server's. */
export async function addAndFollow(http: string, streams: string): Promise<LiveGroup<StreamItem<'todos-live', 'all'>>> {
  const todo = await callRoute(http, 'POST /todos', { body: { title: 'write the client' } }); // a Todo
  await callRoute(http, 'PATCH /todos/:id', { params: { id: todo.id }, body: { completed: true } });
  try {
    await callRoute(http, 'GET /todos/:id', { params: { id: 'missing' } });
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error; // the framework's { statusCode, error, message }
  }
  const client = new StreamClient(streams, { WebSocket });
  return new LiveGroup<StreamItem<'todos-live', 'all'>>(client, { stream: 'todos-live', group: 'all' });
}
// #endregion typed-client
