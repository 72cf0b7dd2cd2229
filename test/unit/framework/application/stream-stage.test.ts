import {
  Controller,
  Fn,
  Module,
  OnStateChange,
  Stream,
  Test,
  III_CLIENT,
  type StateChangeEvent,
  type Logger,
} from '../../../../src/framework';
import { FakeIII } from '../../../fakes/fake-iii';

interface Todo {
  id: string;
  title: string;
}

@Controller('todos')
class Reactions {
  @OnStateChange('todos')
  @Stream('todos-live', {
    group: 'all',
    mode: 'item',
    id: (_todo: Todo, e: StateChangeEvent<Todo>) => e.key,
    delete: (_todo: Todo, e: StateChangeEvent<Todo>) => e.event_type === 'state:deleted',
  })
  mirror(e: StateChangeEvent<Todo>): Todo | undefined {
    return e.new_value ?? e.old_value ?? undefined;
  }

  @Fn('todos::notify')
  @Stream('todos-events', { group: (r: { user: string }) => `user-${r.user}`, mode: 'event', type: 'todo_changed' })
  notify(data: { user: string }) {
    return data;
  }

  @Fn('todos::two')
  @Stream('a', { group: 'g', mode: 'event' })
  @Stream('b', { group: 'g', mode: 'item' })
  twoStreams() {
    return { id: 7 };
  }

  @Fn('todos::bad-id')
  @Stream('a', { group: 'g', mode: 'item' })
  noId() {
    return { title: 'no id' };
  }
}
@Module({ controllers: [Reactions] })
class M {}

async function setup(logger?: Logger) {
  const fake = new FakeIII();
  const builder = Test.createTestingModule({ imports: [M] })
    .overrideProvider(III_CLIENT)
    .useValue(fake);
  if (logger !== undefined) builder.useLogger(logger);
  const ref = await builder.compile();
  return { fake, ref };
}

const event = (type: StateChangeEvent['event_type'], old: Todo | null, next: Todo | null): StateChangeEvent<Todo> => ({
  type: 'state',
  event_type: type,
  scope: 'todos',
  key: 't1',
  old_value: old,
  new_value: next,
});

describe('@Stream publication', () => {
  it('upserts the returned item with stream::set', async () => {
    const { fake, ref } = await setup();
    const todo = { id: 't1', title: 'milk' };
    await ref.definition('todos::mirror').invoke(event('state:created', null, todo));
    expect(fake.calls).toEqual([
      { function_id: 'stream::set', payload: { stream_name: 'todos-live', group_id: 'all', item_id: 't1', data: todo } },
    ]);
  });

  it('deletes the item with stream::delete when the delete predicate holds', async () => {
    const { fake, ref } = await setup();
    await ref.definition('todos::mirror').invoke(event('state:deleted', { id: 't1', title: 'milk' }, null));
    expect(fake.calls).toEqual([{ function_id: 'stream::delete', payload: { stream_name: 'todos-live', group_id: 'all', item_id: 't1' } }]);
  });

  it('publishes nothing when the method returns undefined', async () => {
    const { fake, ref } = await setup();
    await ref.definition('todos::mirror').invoke(event('state:deleted', null, null));
    expect(fake.calls).toEqual([]);
  });

  it('sends a custom event with stream::send to a computed group', async () => {
    const { fake, ref } = await setup();
    const result = await ref.definition('todos::notify').invoke({ user: 'ann' });
    expect(result).toEqual({ user: 'ann' });
    expect(fake.calls).toEqual([
      {
        function_id: 'stream::send',
        payload: { stream_name: 'todos-events', group_id: 'user-ann', type: 'todo_changed', data: { user: 'ann' } },
      },
    ]);
  });

  it('publishes to every stream of a method, defaulting the event type to the method name and numeric ids to strings', async () => {
    const { fake, ref } = await setup();
    await ref.definition('todos::two').invoke({});
    expect(fake.calls.map((c) => [c.function_id, c.payload])).toEqual(
      expect.arrayContaining([
        ['stream::send', { stream_name: 'a', group_id: 'g', type: 'two-streams', data: { id: 7 } }],
        ['stream::set', { stream_name: 'b', group_id: 'g', item_id: '7', data: { id: 7 } }],
      ]),
    );
  });

  it('logs instead of publishing an item without an id', async () => {
    const errors: string[] = [];
    const { fake, ref } = await setup({ log() {}, warn() {}, error: (m) => errors.push(m) });
    await ref.definition('todos::bad-id').invoke({});
    expect(fake.calls).toEqual([]);
    expect(errors[0]).toMatch(/item id must be a non-empty string/);
  });

  it('logs a failed publication without failing the handler', async () => {
    const errors: string[] = [];
    const { fake, ref } = await setup({ log() {}, warn() {}, error: (m) => errors.push(m) });
    fake.respondTo('stream::set', () => {
      throw new Error('engine gone');
    });
    const todo = { id: 't1', title: 'milk' };
    await expect(ref.definition('todos::mirror').invoke(event('state:updated', todo, todo))).resolves.toEqual(todo);
    expect(errors[0]).toMatch(/publishing failed: engine gone/);
  });
});
