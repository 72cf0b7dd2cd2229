import { NotFoundException, Test, type TestingModule } from '../../../../src/framework';
import type { Todo } from '../../../../src/modules/todos/todo.entity';
import { TodosController } from '../../../../src/modules/todos/todos.controller';
import { TodosService } from '../../../../src/modules/todos/todos.service';
import { fakeOf } from '../support/fakes';

const TODO: Todo = { id: 't1', title: 'x', completed: false, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' };

/** An iii http request payload (engine.md §9.2), as the engine would send it. */
function request(method: string, path: string, init: { body?: unknown; params?: Record<string, string> } = {}) {
  return {
    method,
    path,
    path_params: init.params ?? {},
    query_params: {},
    headers: { 'content-type': 'application/json' },
    body: init.body === undefined ? null : init.body,
  };
}

describe('TodosController', () => {
  let module: TestingModule;
  const service = {
    create: jest.fn(),
    findAll: jest.fn(),
    findOne: jest.fn(),
    update: jest.fn(),
    remove: jest.fn(),
  };

  beforeEach(async () => {
    for (const fn of Object.values(service)) fn.mockReset();
    module = await Test.createTestingModule({ controllers: [TodosController], providers: [TodosService] })
      .overrideProvider(TodosService)
      .useValue(fakeOf<TodosService>(service))
      .compile();
  });

  const call = (functionId: string, payload: unknown): Promise<unknown> => module.definition(functionId).invoke(payload);

  it('registers the REST routes under /todos', () => {
    const routes = module.definitions().map((d) => `${d.functionId} ${String(d.config?.http_method)} ${String(d.config?.api_path)}`);
    expect(routes.sort()).toEqual([
      'todos::create POST todos',
      'todos::find-all GET todos',
      'todos::find-one GET todos/:id',
      'todos::remove DELETE todos/:id',
      'todos::update PATCH todos/:id',
    ]);
  });

  it('creates with the validated body and answers 201', async () => {
    service.create.mockResolvedValue(TODO);

    const reply = await call('todos::create', request('POST', 'todos', { body: { title: 'x' } }));

    expect(reply).toEqual({ status_code: 201, body: TODO });
    expect(service.create).toHaveBeenCalledWith(expect.objectContaining({ title: 'x' }));
  });

  it.each([
    ['no body (malformed JSON)', null],
    ['an empty title', { title: '' }],
    ['an unknown field', { title: 'x', extra: true }],
  ])('answers 400 for %s without calling the service', async (_case, body) => {
    const reply = await call('todos::create', { ...request('POST', 'todos'), body });

    expect(reply).toEqual({
      status_code: 400,
      body: { statusCode: 400, error: 'Bad Request', message: expect.arrayContaining([expect.any(String)]) },
    });
    expect(service.create).not.toHaveBeenCalled();
  });

  it('lists through the service with 200', async () => {
    service.findAll.mockResolvedValue([TODO]);
    expect(await call('todos::find-all', request('GET', 'todos'))).toEqual({ status_code: 200, body: [TODO] });
  });

  it('parses ?completed with ParseBoolPipe, and answers 400 for anything but true/false', async () => {
    service.findAll.mockResolvedValue([]);
    await call('todos::find-all', { ...request('GET', 'todos'), query_params: { completed: 'true' } });
    expect(service.findAll).toHaveBeenLastCalledWith(true);
    await call('todos::find-all', request('GET', 'todos'));
    expect(service.findAll).toHaveBeenLastCalledWith(undefined);
    const reply = await call('todos::find-all', { ...request('GET', 'todos'), query_params: { completed: 'yes' } });
    expect(reply).toEqual({
      status_code: 400,
      body: { statusCode: 400, error: 'Bad Request', message: 'completed must be true or false (got "yes")' },
    });
    expect(service.findAll).toHaveBeenCalledTimes(2);
  });

  it('passes the path id to findOne', async () => {
    service.findOne.mockResolvedValue(TODO);

    await call('todos::find-one', request('GET', 'todos/:id', { params: { id: 't1' } }));

    expect(service.findOne).toHaveBeenCalledWith('t1');
  });

  it('maps NotFoundException to a 404 error body', async () => {
    service.findOne.mockRejectedValue(new NotFoundException('Todo "t9" not found'));

    const reply = await call('todos::find-one', request('GET', 'todos/:id', { params: { id: 't9' } }));

    expect(reply).toEqual({ status_code: 404, body: { statusCode: 404, error: 'Not Found', message: 'Todo "t9" not found' } });
  });

  it('patches with the id and the validated body', async () => {
    service.update.mockResolvedValue({ ...TODO, completed: true });

    const reply = await call('todos::update', request('PATCH', 'todos/:id', { params: { id: 't1' }, body: { completed: true } }));

    expect(reply).toEqual({ status_code: 200, body: { ...TODO, completed: true } });
    expect(service.update).toHaveBeenCalledWith('t1', expect.objectContaining({ completed: true }));
  });

  it('refuses a patch whose completed is not a boolean', async () => {
    const reply = (await call('todos::update', request('PATCH', 'todos/:id', { params: { id: 't1' }, body: { completed: 'yes' } }))) as {
      status_code: number;
    };

    expect(reply.status_code).toBe(400);
    expect(service.update).not.toHaveBeenCalled();
  });

  it('deletes and answers 200 with { id, deleted: true }', async () => {
    service.remove.mockResolvedValue({ id: 't1', deleted: true });

    const reply = await call('todos::remove', request('DELETE', 'todos/:id', { params: { id: 't1' } }));

    expect(reply).toEqual({ status_code: 200, body: { id: 't1', deleted: true } });
  });

  it('hides unexpected errors behind a generic 500', async () => {
    service.findAll.mockRejectedValue(new Error('disk on fire at /var/lib/secret'));

    const reply = await call('todos::find-all', request('GET', 'todos'));

    expect(reply).toEqual({ status_code: 500, body: expect.objectContaining({ statusCode: 500 }) });
    expect(JSON.stringify(reply)).not.toContain('secret');
  });
});
