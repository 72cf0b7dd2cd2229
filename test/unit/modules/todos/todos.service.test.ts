import { NotFoundException, StateService, Test } from '../../../../src/framework';
import type { Todo } from '../../../../src/modules/todos/todo.entity';
import { TodoClock, TodosService } from '../../../../src/modules/todos/todos.service';
import { fakeOf, InMemoryStateService } from '../support/fakes';

/** A clock that stands still unless told otherwise, and hands out predictable ids. */
class FixedClock {
  time = Date.parse('2026-01-01T00:00:00.000Z');
  private n = 0;
  now(): number {
    return this.time;
  }
  newId(): string {
    this.n += 1;
    return `id-${this.n}`;
  }
}

describe('TodosService', () => {
  let service: TodosService;
  let state: InMemoryStateService;
  let clock: FixedClock;

  beforeEach(async () => {
    state = new InMemoryStateService();
    clock = new FixedClock();
    const module = await Test.createTestingModule({ providers: [TodosService, TodoClock] })
      .overrideProvider(StateService)
      .useValue(fakeOf<StateService>(state))
      .overrideProvider(TodoClock)
      .useValue(fakeOf<TodoClock>(clock))
      .compile();
    service = module.get(TodosService);
  });

  const stored = (id: string): unknown => state.scopes.get('todos')?.get(id);

  describe('create', () => {
    it('stores a new, not completed todo under its id in scope "todos"', async () => {
      const todo = await service.create({ title: 'write tests' });

      expect(todo).toEqual({
        id: 'id-1',
        title: 'write tests',
        completed: false,
        createdAt: '2026-01-01T00:00:00.000Z',
        updatedAt: '2026-01-01T00:00:00.000Z',
      });
      expect(stored('id-1')).toEqual(todo);
    });

    it('gives todos created in the same millisecond distinct, increasing createdAt', async () => {
      const a = await service.create({ title: 'a' });
      const b = await service.create({ title: 'b' });

      expect(b.createdAt > a.createdAt).toBe(true);
    });
  });

  describe('findAll', () => {
    it('returns the todos ordered by createdAt, whatever the storage order', async () => {
      const first = await service.create({ title: 'first' });
      clock.time += 1000;
      const second = await service.create({ title: 'second' });
      const scope = state.scopes.get('todos') as Map<string, unknown>;
      scope.delete(first.id);
      scope.set(first.id, first); // now stored after `second`

      expect((await service.findAll()).map((t) => t.title)).toEqual(['first', 'second']);
      expect(second.createdAt > first.createdAt).toBe(true);
    });

    it('narrows to completed or active todos when asked', async () => {
      const done = await service.create({ title: 'done' });
      await service.create({ title: 'open' });
      await service.update(done.id, { completed: true });

      expect((await service.findAll(true)).map((t) => t.title)).toEqual(['done']);
      expect((await service.findAll(false)).map((t) => t.title)).toEqual(['open']);
    });

    it('leaves out values in the scope that are not todos', async () => {
      await service.create({ title: 'real' });
      state.scopes.get('todos')?.set('junk', { title: 42 });

      expect((await service.findAll()).map((t) => t.title)).toEqual(['real']);
    });
  });

  describe('findOne', () => {
    it('returns the stored todo', async () => {
      const todo = await service.create({ title: 'x' });
      expect(await service.findOne(todo.id)).toEqual(todo);
    });

    it('throws NotFoundException (code NOT_FOUND) for an unknown id', async () => {
      await expect(service.findOne('nope')).rejects.toMatchObject({ status: 404, code: 'NOT_FOUND' });
      await expect(service.findOne('nope')).rejects.toBeInstanceOf(NotFoundException);
    });
  });

  describe('update', () => {
    it('writes only the given fields plus updatedAt, as one atomic update', async () => {
      const todo = await service.create({ title: 'x' });
      clock.time += 5000;

      const updated = await service.update(todo.id, { completed: true });

      expect(updated).toEqual({ ...todo, completed: true, updatedAt: '2026-01-01T00:00:05.000Z' });
      expect(state.writes.at(-1)).toEqual({
        scope: 'todos',
        op: 'update',
        key: todo.id,
        ops: [
          { type: 'set', path: 'completed', value: true },
          { type: 'set', path: 'updatedAt', value: '2026-01-01T00:00:05.000Z' },
        ],
      });
    });

    it('does not write at all for an empty patch', async () => {
      const todo = await service.create({ title: 'x' });
      const writes = state.writes.length;

      expect(await service.update(todo.id, {})).toEqual(todo);
      expect(state.writes).toHaveLength(writes);
    });

    it('throws NotFoundException for an unknown id without writing', async () => {
      await expect(service.update('nope', { completed: true })).rejects.toBeInstanceOf(NotFoundException);
      expect(state.writes).toHaveLength(0);
    });

    it('answers 404 and removes the partial record when the todo is deleted between read and update', async () => {
      const todo = await service.create({ title: 'x' });
      state.beforeUpdate = (scope, key) => state.scopes.get(scope)?.delete(key);

      await expect(service.update(todo.id, { title: 'y' })).rejects.toBeInstanceOf(NotFoundException);
      expect(stored(todo.id)).toBeUndefined();
    });
  });

  describe('remove', () => {
    it('deletes the todo and answers { id, deleted: true }', async () => {
      const todo: Todo = await service.create({ title: 'x' });

      expect(await service.remove(todo.id)).toEqual({ id: todo.id, deleted: true });
      expect(stored(todo.id)).toBeUndefined();
    });

    it('throws NotFoundException for an unknown id', async () => {
      await expect(service.remove('nope')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });
  });
});
