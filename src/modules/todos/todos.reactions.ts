import { Controller, Event, OnStateChange, Stream, type StateChangeEvent } from '#framework';
import { ALL_GROUP, TODOS_SCOPE, TODOS_STREAM, type Todo } from './todo.entity';

const itemId = (_result: Todo, event: StateChangeEvent<Todo>): string => event.key;
const isDeletion = (_result: Todo, event: StateChangeEvent<Todo>): boolean => event.event_type === 'state:deleted';

/**
 * Mirrors state scope `todos` into stream `todos-live`, group `all`: a created or updated todo is
 * set as the item with the todo's id (subscribers get `create`/`update`), a deleted one is removed
 * (`delete`). The engine delivers one trigger's events in write order, so subscribers see the
 * changes in the order the writes were acknowledged.
 *
 * The mirror is cheap and every live client waits on it, so it runs on up to 64 todos at once
 * (the default 16 became the longest wait of a push under a steady write rate); one todo's changes
 * still go one at a time, in order.
 */
@Controller('todos-live')
export class TodosReactions {
  @OnStateChange(TODOS_SCOPE, { concurrency: 64 })
  @Stream<Todo, StateChangeEvent<Todo>>(TODOS_STREAM, { group: ALL_GROUP, mode: 'item', id: itemId, delete: isDeletion })
  mirror(@Event() event: StateChangeEvent<Todo>): Todo | undefined {
    // Deleting a key that never existed still fires an event, with nothing to mirror.
    return event.new_value ?? event.old_value ?? undefined;
  }
}
