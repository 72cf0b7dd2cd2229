import { StreamService, Test, type TestingModule } from '../../../../src/framework';
import type { Todo } from '../../../../src/modules/todos/todo.entity';
import { TodosReactions } from '../../../../src/modules/todos/todos.reactions';
import { fakeOf, RecordingStreamService, stateEvent } from '../support/fakes';

const TODO: Todo = { id: 't1', title: 'x', completed: false, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' };

describe('TodosReactions (stream mirror)', () => {
  let module: TestingModule;
  let streams: RecordingStreamService;

  beforeEach(async () => {
    streams = new RecordingStreamService();
    module = await Test.createTestingModule({ controllers: [TodosReactions] })
      .overrideProvider(StreamService)
      .useValue(fakeOf<StreamService>(streams))
      .compile();
  });

  const mirror = (event: unknown): Promise<unknown> => module.definition('todos-live::mirror').invoke(event);

  it('reacts to every change of state scope "todos", 64 keys at a time', () => {
    const def = module.definition('todos-live::mirror');
    expect([def.triggerType, def.config]).toEqual(['state', { scope: 'todos', concurrency: 64 }]);
  });

  it('sets a created todo as item <id> of todos-live / all', async () => {
    await mirror(stateEvent('todos', 't1', null, TODO));
    expect(streams.calls).toEqual([{ op: 'set', stream: 'todos-live', group: 'all', id: 't1', data: TODO }]);
  });

  it('sets the new value of an updated todo', async () => {
    const done = { ...TODO, completed: true };
    await mirror(stateEvent('todos', 't1', TODO, done));
    expect(streams.calls).toEqual([{ op: 'set', stream: 'todos-live', group: 'all', id: 't1', data: done }]);
  });

  it('deletes the item of a deleted todo', async () => {
    await mirror(stateEvent('todos', 't1', TODO, null));
    expect(streams.calls).toEqual([{ op: 'delete', stream: 'todos-live', group: 'all', id: 't1' }]);
  });

  it('publishes nothing for the deletion of a key that never existed', async () => {
    await mirror(stateEvent('todos', 'ghost', null, null));
    expect(streams.calls).toEqual([]);
  });
});
