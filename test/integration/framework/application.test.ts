/**
 * The framework end to end: a small module bootstrapped with IIIFactory.create on the embedded
 * engine, driven over real HTTP (fetch), a real stream WebSocket (ws) and a second iii-sdk worker.
 */
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';
import WebSocket from 'ws';
import {
  Body,
  Controller,
  Fn,
  Http,
  IIIFactory,
  Injectable,
  Module,
  NotFoundException,
  OnStateChange,
  OnStreamJoin,
  Param,
  PubSub,
  StateService,
  Stream,
  Subscribe,
  type IIIApplication,
  type StateChangeEvent,
  type StreamSubscriptionEvent,
} from '../../../src/framework';
import { connectWorker, waitFor, type IIIClient } from '../support/engine';

interface Todo {
  id: string;
  title: string;
  done: boolean;
}

class CreateTodoDto {
  @IsString() @MaxLength(50) title!: string;
  @IsOptional() @IsBoolean() done?: boolean;
}

@Injectable()
class TodosService {
  private seq = 0;
  constructor(private readonly state: StateService) {}
  private get todos() {
    return this.state.scope<Todo>('todos');
  }
  async create(dto: CreateTodoDto): Promise<Todo> {
    const todo = { id: `t${++this.seq}`, title: dto.title, done: dto.done ?? false };
    await this.todos.set(todo.id, todo);
    return todo;
  }
  async get(id: string): Promise<Todo> {
    const todo = await this.todos.get(id);
    if (todo === undefined) throw new NotFoundException(`Todo ${id} not found`);
    return todo;
  }
  list(): Promise<Todo[]> {
    return this.todos.list();
  }
  async remove(id: string): Promise<void> {
    await this.get(id);
    await this.todos.delete(id);
  }
}

@Controller('todos')
class TodosController {
  constructor(private readonly service: TodosService) {}
  @Http('POST') create(@Body() dto: CreateTodoDto) {
    return this.service.create(dto);
  }
  @Http('GET') list() {
    return this.service.list();
  }
  @Http('GET', ':id') findOne(@Param('id') id: string) {
    return this.service.get(id);
  }
  @Http('DELETE', ':id') remove(@Param('id') id: string) {
    return this.service.remove(id);
  }
  @Http('GET', 'boom/now') boom(): never {
    throw new Error('secret detail');
  }
  @Fn('todos::count') async count() {
    return (await this.service.list()).length;
  }
}

@Controller('todos-reactions')
class TodosReactions {
  constructor(private readonly state: StateService) {}

  @OnStateChange('todos')
  @Stream('todos-live', {
    group: 'all',
    mode: 'item',
    id: (_t: Todo, e: StateChangeEvent<Todo>) => e.key,
    delete: (_t: Todo, e: StateChangeEvent<Todo>) => e.event_type === 'state:deleted',
  })
  mirror(e: StateChangeEvent<Todo>): Todo | undefined {
    return e.new_value ?? e.old_value ?? undefined;
  }

  @OnStreamJoin({ stream: 'todos-live' })
  join(e: StreamSubscriptionEvent): boolean {
    return e.group_id !== 'secret';
  }

  @Subscribe('audit')
  async audit(data: { note: string }) {
    await this.state.scope<string>('audit').set('last', data.note);
  }
}

@Module({ providers: [TodosService], controllers: [TodosController, TodosReactions] })
class TodosModule {}
@Module({ imports: [TodosModule] })
class AppModule {}

interface StreamFrame {
  type: string;
  streamName: string;
  groupId: string;
  id: string | null;
  event: { type: string; data?: unknown };
}

/** A stream WebSocket client that keeps every frame it receives. */
async function openStream(url: string): Promise<{ ws: WebSocket; frames: StreamFrame[] }> {
  const ws = new WebSocket(url);
  const frames: StreamFrame[] = [];
  ws.on('message', (raw) => frames.push(JSON.parse(raw.toString()) as StreamFrame));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, frames };
}

function join(ws: WebSocket, subscriptionId: string, groupId: string): void {
  ws.send(JSON.stringify({ type: 'join', data: { subscriptionId, streamName: 'todos-live', groupId } }));
}

async function closeSocket(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return;
  await new Promise<void>((resolve) => {
    ws.once('close', () => resolve());
    ws.close();
  });
}

describe('IIIFactory on the embedded engine', () => {
  let app: IIIApplication;
  let http: string;

  beforeAll(async () => {
    app = await IIIFactory.create(AppModule, {
      logger: false,
      engine: { storage: 'memory', ephemeralPorts: true, host: '127.0.0.1' },
      worker: { reconnectionConfig: { initialDelayMs: 50, maxDelayMs: 250 } },
    });
    await app.listen();
    http = app.urls.http as string;
  });
  afterAll(() => app.close());

  const postJson = (path: string, body: string) =>
    fetch(`${http}/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('reports the embedded engine URLs', () => {
    expect(app.urls.worker).toMatch(/^ws:\/\/127\.0\.0\.1:\d+/);
    expect(app.urls.http).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    expect(app.urls.stream).toMatch(/^ws:\/\/127\.0\.0\.1:\d+/);
  });

  it("connects its own worker through the engine's local unix socket, others use the TCP URL", async () => {
    const outsider = connectWorker(app.urls.worker, { workerName: 'outsider' });
    try {
      const list = () =>
        outsider.trigger<unknown, { workers: Array<{ name: string; runtime: string; ip_address: string | null }> }>({
          function_id: 'engine::workers::list',
          payload: {},
        });
      const { workers } = await waitFor(async () => {
        const listed = await list();
        return listed.workers.filter((w) => w.runtime === 'node').length === 2 ? listed : undefined;
      });
      // The engine's built-in workers (runtime `engine`) have no address either: look at SDK workers only.
      const own = workers.filter((w) => w.runtime === 'node' && w.name !== 'outsider');
      expect(own.map((w) => w.ip_address)).toEqual([null]);
      expect(workers.find((w) => w.name === 'outsider')?.ip_address).toBe('127.0.0.1');
    } finally {
      await outsider.shutdown();
    }
  });

  it('creates a todo with 201 and reads it back with 200', async () => {
    const created = await postJson('todos', JSON.stringify({ title: 'buy milk' }));
    expect(created.status).toBe(201);
    const todo = (await created.json()) as Todo;
    expect(todo).toMatchObject({ title: 'buy milk', done: false });

    const read = await fetch(`${http}/todos/${todo.id}`);
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual(todo);
  });

  it('answers 404 with the exception body for a missing todo', async () => {
    const res = await fetch(`${http}/todos/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'Todo nope not found' });
  });

  it('answers 400 for a body failing validation, listing the problems', async () => {
    const res = await postJson('todos', JSON.stringify({ title: 3, extra: true }));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { statusCode: number; error: string; message: string[] };
    expect(body.statusCode).toBe(400);
    expect(body.error).toBe('Bad Request');
    expect(body.message).toEqual(expect.arrayContaining(['extra is not a known field', expect.stringMatching(/^title must be a string/)]));
  });

  it('answers 400 for malformed JSON', async () => {
    const res = await postJson('todos', '{"title": ');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string[] }).message).toEqual(['request body is not valid JSON']);
  });

  it('answers 400 for a __proto__ key and stores nothing', async () => {
    const before = ((await (await fetch(`${http}/todos`)).json()) as Todo[]).length;
    const res = await postJson('todos', '{"title":"p","__proto__":{"done":true}}');
    expect(res.status).toBe(400);
    expect(((await (await fetch(`${http}/todos`)).json()) as Todo[]).length).toBe(before);
  });

  it('answers a generic 500 for an unexpected error, without its detail', async () => {
    const res = await fetch(`${http}/todos/boom/now`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' });
    expect(text).not.toContain('secret detail');
  });

  it('answers 204 with an empty body for a handler returning nothing', async () => {
    const todo = (await (await postJson('todos', JSON.stringify({ title: 'to delete' }))).json()) as Todo;
    const res = await fetch(`${http}/todos/${todo.id}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
  });

  describe('with another worker', () => {
    let other: IIIClient;
    beforeAll(() => {
      other = connectWorker(app.urls.worker, { workerName: 'other' });
    });
    afterAll(() => other.shutdown());

    it('lets it trigger an @Fn function by id', async () => {
      const listed = ((await (await fetch(`${http}/todos`)).json()) as Todo[]).length;
      expect(await other.trigger({ function_id: 'todos::count', payload: {} })).toBe(listed);
    });

    it('delivers pub/sub messages to @Subscribe methods', async () => {
      await app.get(PubSub).publish('audit', { note: 'hello' });
      const last = await waitFor(() =>
        other.trigger<unknown, string | undefined>({ function_id: 'state::get', payload: { scope: 'audit', key: 'last' } }),
      );
      expect(last).toBe('hello');
    });
  });

  describe('stream mirror over a real WebSocket', () => {
    let ws: WebSocket;
    let frames: StreamFrame[];
    beforeEach(async () => {
      ({ ws, frames } = await openStream(app.urls.stream as string));
    });
    afterEach(() => closeSocket(ws));

    it('syncs on join, then pushes create and delete events the @Stream reaction publishes', async () => {
      join(ws, 'sub-1', 'all');
      await waitFor(() => frames.find((f) => f.event.type === 'sync'));

      const todo = (await (await postJson('todos', JSON.stringify({ title: 'live' }))).json()) as Todo;
      const created = await waitFor(() => frames.find((f) => f.event.type === 'create' && f.id === todo.id));
      expect(created).toMatchObject({ streamName: 'todos-live', groupId: 'all', event: { data: todo } });

      await fetch(`${http}/todos/${todo.id}`, { method: 'DELETE' });
      const deleted = await waitFor(() => frames.find((f) => f.event.type === 'delete' && f.id === todo.id));
      expect(deleted.event.data).toEqual(todo);
    });

    it('refuses a join the @OnStreamJoin handler rejects', async () => {
      join(ws, 'sub-2', 'secret');
      const refused = await waitFor(() => frames.find((f) => f.event.type === 'unauthorized'));
      expect(refused.groupId).toBe('secret');
      expect(frames.some((f) => f.event.type === 'sync')).toBe(false);
    });
  });
});

describe('application shutdown', () => {
  it('releases the engine ports on close()', async () => {
    const app = await IIIFactory.create(AppModule, {
      logger: false,
      engine: { storage: 'memory', ephemeralPorts: true, host: '127.0.0.1' },
    });
    await app.listen();
    const http = app.urls.http as string;
    expect((await fetch(`${http}/todos`)).status).toBe(200);
    await app.close();
    await app.close();
    await expect(fetch(`${http}/todos`)).rejects.toThrow();
  });
});
