/** Runs the stream clients of `streams.ts` against the reference app's todos module. */
import WebSocket from 'ws';
import { createTestApp, type ConnectionStatus, type TestApp } from '#framework';
import { TodosModule } from '../../src/modules/todos/todos.module';
import { liveTodos, watchTodos, type Todo } from './streams';

describe('the streams guide, run', () => {
  let testApp: TestApp;
  let http: string;
  let stream: string;

  beforeAll(async () => {
    testApp = await createTestApp(TodosModule);
    http = String(testApp.urls.http).replace(/\/$/, '');
    stream = String(testApp.urls.stream);
  });
  afterAll(() => testApp.close());

  const create = (title: string): Promise<Response> =>
    fetch(`${http}/todos`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title }) });

  /** Resolves with the first value `next` is called with that satisfies `done`. */
  function waiter<T>(done: (value: T) => boolean): { next: (value: T) => void; seen: Promise<T> } {
    let resolve: (value: T) => void = () => undefined;
    const seen = new Promise<T>((r) => (resolve = r));
    return { next: (value) => (done(value) ? resolve(value) : undefined), seen };
  }

  it('watchTodos: the raw protocol, with the global WebSocket of a browser', async () => {
    const globals = globalThis as { WebSocket?: unknown };
    globals.WebSocket = WebSocket; // what a browser provides
    const synced = waiter<Map<string, unknown>>(() => true);
    const withTodo = waiter<Map<string, unknown>>((items) => [...items.values()].some((t) => (t as Todo).title === 'raw'));
    const socket = watchTodos(stream, (items) => {
      synced.next(items);
      withTodo.next(items);
    });
    try {
      await synced.seen;
      expect((await create('raw')).status).toBe(201);
      await withTodo.seen;
    } finally {
      socket.close();
      delete globals.WebSocket;
    }
  });

  it('liveTodos: StreamClient and LiveGroup, with ws in Node', async () => {
    const live = waiter<{ status: ConnectionStatus; todos: Todo[] }>(({ status }) => status === 'open');
    const withTodo = waiter<{ status: ConnectionStatus; todos: Todo[] }>(({ todos }) => todos.some((t) => t.title === 'live'));
    const { todos, client } = liveTodos(
      stream,
      (status, list) => {
        live.next({ status, todos: list });
        withTodo.next({ status, todos: list });
      },
      WebSocket,
    );
    try {
      await live.seen;
      expect(await todos.subscription.synced).toBe(true);
      expect((await create('live')).status).toBe(201);
      await withTodo.seen;
    } finally {
      client.close();
    }
  });
});
