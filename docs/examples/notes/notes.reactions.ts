// #region reactions
import { Controller, Event, OnStateChange, Stream, type StateChangeEvent } from '#framework';
import type { Note } from './note.entity';

/** Every write to state scope `notes` is mirrored to stream `notes-live`, group `all`. */
@Controller('notes-live')
export class NotesReactions {
  @OnStateChange('notes')
  @Stream<Note, StateChangeEvent<Note>>('notes-live', {
    group: 'all',
    mode: 'item',
    id: (_note, event) => event.key,
    delete: (_note, event) => event.event_type === 'state:deleted',
  })
  mirror(@Event() event: StateChangeEvent<Note>): Note | undefined {
    return event.new_value ?? event.old_value ?? undefined;
  }
}
// #endregion reactions
