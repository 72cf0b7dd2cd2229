import { StateService } from '../../../../src/framework';
import { FakeIII } from '../../../fakes/fake-iii';

interface Todo {
  id: string;
  done: boolean;
}

describe('StateService', () => {
  const todo: Todo = { id: 't1', done: false };

  function setup() {
    const fake = new FakeIII();
    return { fake, todos: new StateService(fake).scope<Todo>('todos'), service: new StateService(fake) };
  }

  it('gets through state::get, absent results as undefined', async () => {
    const { fake, todos } = setup();
    fake.respondTo('state::get', (p) => ((p as { key: string }).key === 't1' ? todo : undefined));
    expect(await todos.get('t1')).toEqual(todo);
    expect(await todos.get('nope')).toBeUndefined();
    expect(fake.calls[0]).toEqual({ function_id: 'state::get', payload: { scope: 'todos', key: 't1' } });
  });

  it('sets through state::set and returns old and new values', async () => {
    const { fake, todos } = setup();
    fake.respondTo('state::set', (p) => ({ old_value: null, new_value: (p as { value: Todo }).value }));
    expect(await todos.set('t1', todo)).toEqual({ old_value: null, new_value: todo });
    expect(fake.calls[0]?.payload).toEqual({ scope: 'todos', key: 't1', value: todo });
  });

  it('updates through state::update with the ops as given', async () => {
    const { fake, todos } = setup();
    await todos.update('t1', [{ type: 'set', path: 'done', value: true }]);
    expect(fake.calls[0]).toEqual({
      function_id: 'state::update',
      payload: { scope: 'todos', key: 't1', ops: [{ type: 'set', path: 'done', value: true }] },
    });
  });

  it('deletes through state::delete and resolves the old value', async () => {
    const { fake, todos } = setup();
    fake.respondTo('state::delete', () => todo);
    expect(await todos.delete('t1')).toEqual(todo);
  });

  it('lists values through state::list ([] when absent)', async () => {
    const { fake, todos } = setup();
    expect(await todos.list()).toEqual([]);
    fake.respondTo('state::list', () => [todo]);
    expect(await todos.list()).toEqual([todo]);
  });

  it('lists scopes in either engine answer shape', async () => {
    const { fake, service } = setup();
    fake.respondTo('state::list_groups', () => ({ groups: ['a', 'b'] }));
    expect(await service.listScopes()).toEqual(['a', 'b']);
    fake.respondTo('state::list_groups', () => ['c']);
    expect(await service.listScopes()).toEqual(['c']);
  });

  it('refuses an empty scope name', () => {
    expect(() => new StateService(new FakeIII()).scope('')).toThrow(TypeError);
  });
});
