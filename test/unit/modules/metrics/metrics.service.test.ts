import { StateService, Test } from '../../../../src/framework';
import { MetricsService, metricsDelta } from '../../../../src/modules/metrics/metrics.service';
import type { Todo } from '../../../../src/modules/todos/todo.entity';
import { fakeOf, InMemoryStateService, stateEvent } from '../support/fakes';

const todo = (id: string, completed: boolean): Todo => ({
  id,
  title: id,
  completed,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
});

describe('metricsDelta', () => {
  it.each([
    ['a created todo', null, todo('a', false), { total: 1, completed: 0, active: 1 }],
    ['a created completed todo', null, todo('a', true), { total: 1, completed: 1, active: 0 }],
    ['completing a todo', todo('a', false), todo('a', true), { total: 0, completed: 1, active: -1 }],
    ['reopening a todo', todo('a', true), todo('a', false), { total: 0, completed: -1, active: 1 }],
    ['a rename', todo('a', false), { ...todo('a', false), title: 'b' }, { total: 0, completed: 0, active: 0 }],
    ['deleting an active todo', todo('a', false), null, { total: -1, completed: 0, active: -1 }],
    ['deleting a completed todo', todo('a', true), null, { total: -1, completed: -1, active: 0 }],
    ['deleting a key that never existed', null, null, { total: 0, completed: 0, active: 0 }],
    ['a value that is not a todo', null, { title: 7 }, { total: 0, completed: 0, active: 0 }],
  ])('counts %s', (_case, oldValue, newValue, expected) => {
    expect(metricsDelta({ old_value: oldValue, new_value: newValue })).toEqual(expected);
  });
});

describe('MetricsService', () => {
  let service: MetricsService;
  let state: InMemoryStateService;

  beforeEach(async () => {
    state = new InMemoryStateService();
    const module = await Test.createTestingModule({ providers: [MetricsService] })
      .overrideProvider(StateService)
      .useValue(fakeOf<StateService>(state))
      .compile();
    service = module.get(MetricsService);
  });

  it('reads zeros before anything was counted', async () => {
    expect(await service.current()).toEqual({ total: 0, completed: 0, active: 0 });
  });

  it('applies a change as atomic increments of the fields that moved', async () => {
    await service.apply(stateEvent('todos', 'a', null, todo('a', false)));
    const result = await service.apply(stateEvent('todos', 'a', todo('a', false), todo('a', true)));

    expect(result).toEqual({ total: 1, completed: 1, active: 0 });
    expect(state.writes.at(-1)).toEqual({
      scope: 'todo-metrics',
      op: 'update',
      key: 'global',
      ops: [
        { type: 'increment', path: 'completed', by: 1 },
        { type: 'increment', path: 'active', by: -1 },
      ],
    });
    expect(await service.current()).toEqual({ total: 1, completed: 1, active: 0 });
  });

  it('writes nothing and returns undefined when a change moves no count', async () => {
    const result = await service.apply(stateEvent('todos', 'a', todo('a', false), { ...todo('a', false), title: 'renamed' }));

    expect(result).toBeUndefined();
    expect(state.writes).toEqual([]);
  });

  it('ends where the list is after a mixed history', async () => {
    const history: Array<[Todo | null, Todo | null]> = [
      [null, todo('a', false)],
      [null, todo('b', false)],
      [todo('a', false), todo('a', true)],
      [null, todo('c', true)],
      [todo('b', false), null],
    ];
    for (const [oldValue, newValue] of history) await service.apply(stateEvent('todos', 'x', oldValue, newValue));

    expect(await service.current()).toEqual({ total: 2, completed: 2, active: 0 });
  });
});
