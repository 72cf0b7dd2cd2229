// #region service
import { randomUUID } from 'node:crypto';
import { Injectable, StateService, type StateScope } from '#framework';
import type { CreateNoteDto } from './create-note.dto';
import type { Note } from './note.entity';

@Injectable()
export class NotesService {
  private readonly notes: StateScope<Note>;

  constructor(state: StateService) {
    this.notes = state.scope<Note>('notes');
  }

  async create(dto: CreateNoteDto): Promise<Note> {
    const note: Note = { id: randomUUID(), text: dto.text, createdAt: new Date().toISOString() };
    await this.notes.set(note.id, note);
    return note;
  }

  get(id: string): Promise<Note | undefined> {
    return this.notes.get(id);
  }
}
// #endregion service
