// #region controller
import { Body, Controller, Get, NotFoundException, Param, Post } from '#framework';
import { CreateNoteDto } from './create-note.dto';
import type { Note } from './note.entity';
import { NotesService } from './notes.service';

@Controller('notes')
export class NotesController {
  constructor(private readonly notes: NotesService) {}

  @Post() // POST /notes → 201 with the note; a body that fails CreateNoteDto → 400
  create(@Body() dto: CreateNoteDto): Promise<Note> {
    return this.notes.create(dto);
  }

  @Get(':id') // GET /notes/:id → 200, or 404
  async findOne(@Param('id') id: string): Promise<Note> {
    const note = await this.notes.get(id);
    if (!note) throw new NotFoundException(`note ${id} not found`);
    return note;
  }
}
// #endregion controller
