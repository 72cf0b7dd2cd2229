/**
 * A client written against the generated types (`src/generated/api.ts`, `npm run generate --
 * client`), as a user's Node or browser client would be: every route key, input and result and
 * every stream item here is checked by the compiler against the server's declared types, and the
 * calls go to the reference app over real HTTP and WebSocket.
 */
import WebSocket from 'ws';
import { LiveGroup, StreamClient } from '#framework';
import { ApiError, callRoute, routePath, type RouteResult, type StreamItem } from '../../src/generated/api';
import { waitFor } from '../support/wait';
import { startApp, type RunningApp } from './support/app';

describe('the generated typed client against the reference app', () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app.close();
  });

  it('builds paths from a route key, its params and its query', () => {
    expect(routePath('GET /todos/:id', { params: { id: 'a b/c' } })).toBe('/todos/a%20b%2Fc');
    expect(routePath('GET /todos', { query: { completed: true } })).toBe('/todos?completed=true');
    expect(routePath('GET /todos', {})).toBe('/todos');
  });

  it('creates, updates, lists and deletes with typed inputs and results', async () => {
    const created = await callRoute(app.http, 'POST /todos', { body: { title: 'typed' } });
    expect(created).toMatchObject({ title: 'typed', completed: false });

    const updated: RouteResult<'PATCH /todos/:id'> = await callRoute(app.http, 'PATCH /todos/:id', {
      params: { id: created.id },
      body: { completed: true },
    });
    expect(updated.completed).toBe(true);

    const done = await callRoute(app.http, 'GET /todos', { query: { completed: true } });
    expect(done.map((todo) => todo.id)).toContain(created.id);
    expect(await callRoute(app.http, 'GET /todos/metrics', {})).toMatchObject({ completed: expect.any(Number) });

    expect(await callRoute(app.http, 'DELETE /todos/:id', { params: { id: created.id } })).toEqual({ id: created.id, deleted: true });
  });

  it('rejects a non-2xx answer with an ApiError carrying the status and the error body', async () => {
    const missing = callRoute(app.http, 'GET /todos/:id', { params: { id: 'no-such-todo' } });
    await expect(missing).rejects.toBeInstanceOf(ApiError);
    await expect(missing).rejects.toMatchObject({ status: 404, body: { statusCode: 404, error: 'Not Found' } });
  });

  it('follows a stream group with the item type of its @Stream', async () => {
    const client = new StreamClient(app.stream, { WebSocket });
    const todos = new LiveGroup<StreamItem<'todos-live', 'all'>>(client, { stream: 'todos-live', group: 'all' });
    try {
      expect(await todos.subscription.synced).toBe(true);
      const created = await callRoute(app.http, 'POST /todos', { body: { title: 'streamed' } });
      await waitFor(() => todos.items.get(created.id)?.title === 'streamed');
      expect(todos.items.get(created.id)).toEqual(created);
    } finally {
      todos.leave();
      client.close();
    }
  });
});
