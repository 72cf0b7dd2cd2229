import WebSocket from 'ws';
// #region unit
import { NotFoundException, Test } from '#framework';
import { NotesController } from './notes.controller';
import { NotesService } from './notes.service';

describe('NotesController', () => {
  it('answers 404 for a note that does not exist', async () => {
    const moduleRef = await Test.createTestingModule({ controllers: [NotesController], providers: [NotesService] })
      // A stand-in needs the public surface of the class it replaces, and is type-checked against it.
      .overrideProvider(NotesService)
      .useValue({ get: async () => undefined, create: async () => Promise.reject(new Error('not used here')) })
      .compile();

    await expect(moduleRef.get(NotesController).findOne('x')).rejects.toBeInstanceOf(NotFoundException);
  });
});
// #endregion unit

// #region e2e
import { createTestApp, StreamClient, type StreamMessage } from '#framework';
import type { Note } from './note.entity';
import { NotesModule } from './notes.module';

describe('NotesModule on the embedded engine', () => {
  it('serves POST /notes and streams the new note to a subscriber', async () => {
    const { urls, close } = await createTestApp(NotesModule); // memory storage, free ports
    const client = new StreamClient(String(urls.stream), { WebSocket });
    try {
      const frames: Array<StreamMessage<Note>> = [];
      let created: (note: Note) => void = () => undefined;
      const sub = client.join<Note>(
        { stream: 'notes-live', group: 'all' },
        {
          onMessage: (frame) => frames.push(frame),
          onCreate: (note) => created(note),
        },
      );
      // Wait for the first sync: every write after it reaches this subscriber.
      expect(await sub.synced).toBe(true);
      const seen = new Promise<Note>((resolve) => (created = resolve));

      const res = await fetch(`${urls.http}/notes`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'hello' }),
      });
      expect(res.status).toBe(201);
      const note = (await res.json()) as Note;

      expect(await seen).toEqual(note);
      expect(frames.map((frame) => frame.event.type)).toEqual(['sync', 'create']);
    } finally {
      client.close();
      await close();
    }
  });
});
// #endregion e2e
