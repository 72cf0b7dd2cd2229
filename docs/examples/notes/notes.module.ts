// #region module
import { Module } from '#framework';
import { NotesController } from './notes.controller';
import { NotesReactions } from './notes.reactions';
import { NotesService } from './notes.service';

// A reactions class is a controller too: list it under `controllers`.
@Module({ controllers: [NotesController, NotesReactions], providers: [NotesService], exports: [NotesService] })
export class NotesModule {}
// #endregion module
