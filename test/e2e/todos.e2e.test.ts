/**
 * The reference app's REST contract end to end: booted like `npm start` (src/main.ts `bootstrap`)
 * on the embedded engine with ephemeral ports, driven with real HTTP (fetch). The live parts
 * (streams, metrics, persistence) are in todos-live.e2e.test.ts.
 */
import { startEngine } from '../../src/engine';
import { bootstrap } from '../../src/main';
import type { Todo } from '../../src/modules/todos/todo.entity';
import { Api, startApp, type RunningApp } from './support/app';

const expectBadRequest = (res: { status: number; body: unknown }): void => {
  expect(res.status).toBe(400);
  expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.any(Array) });
  const messages = (res.body as { message: unknown[] }).message;
  expect(messages.length).toBeGreaterThan(0);
  expect(messages.every((m) => typeof m === 'string')).toBe(true);
};

describe('todo app: REST API', () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app.close();
  });

  describe('POST /todos', () => {
    it('creates a todo and answers 201 with the stored shape', async () => {
      const res = await app.api.create('buy milk');

      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        title: 'buy milk',
        completed: false,
        createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        updatedAt: res.body.createdAt,
      });
      expect((await app.api.get(res.body.id)).body).toEqual(res.body);
    });

    it('accepts a title in any script, emoji included', async () => {
      const res = await app.api.create('日本語 ✓ 🎉');
      expect(res.status).toBe(201);
    });

    it('accepts a title of exactly 200 characters', async () => {
      const res = await app.api.create('x'.repeat(200));
      expect(res.status).toBe(201);
    });

    it.each([
      ['a missing title', {}],
      ['an empty title', { title: '' }],
      ['a 201-character title', { title: 'x'.repeat(201) }],
      ['a numeric title', { title: 42 }],
      ['a null title', { title: null }],
      ['an array title', { title: ['a'] }],
      ['a blank title', { title: '   ' }],
      ['a zero-width-space title', { title: '\u200B\u200B' }],
      ['a soft-hyphen title', { title: '\u00AD' }],
      ['a Braille-blank title', { title: '\u2800 ' }],
      ['a Hangul-filler title', { title: '\u3164' }],
      ['a lone NUL title', { title: '\u0000' }],
      ['an unknown field', { title: 'ok', priority: 1 }],
      ['an array body', ['title']],
      ['a string body', 'title'],
    ])('rejects %s with 400 and the validation messages', async (_case, body) => {
      expectBadRequest(await app.api.request('POST', '/todos', body));
    });

    it('rejects malformed JSON with 400 and stores nothing', async () => {
      const before = (await app.api.list()).body.length;

      const res = await app.api.request('POST', '/todos', undefined, { raw: '{"title": "half' });

      expectBadRequest(res);
      const after = await app.api.list();
      expect(after.body).toHaveLength(before);
      expect(after.body.every((t) => typeof t.title === 'string')).toBe(true);
    });

    it('refuses a JSON body sent without a JSON content type with 415', async () => {
      const res = await app.api.request('POST', '/todos', undefined, { raw: '{"title":"x"}', contentType: 'text/plain' });
      expect(res.status).toBe(415);
      expect(res.body).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type' });
    });

    it('gives distinct messages for an empty body, malformed JSON and a missing field', async () => {
      const empty = await app.api.request('POST', '/todos', undefined, { raw: '' });
      expect(empty.body).toEqual({ statusCode: 400, error: 'Bad Request', message: ['request body is missing: send a JSON object'] });
      const malformed = await app.api.request('POST', '/todos', undefined, { raw: '{"title":' });
      expect(malformed.body).toEqual({ statusCode: 400, error: 'Bad Request', message: ['request body is not valid JSON'] });
      const missing = await app.api.request('POST', '/todos', {});
      expect(missing.body).toEqual({
        statusCode: 400,
        error: 'Bad Request',
        message: ['title is required (a string of 1–200 characters)'],
      });
      const long = await app.api.create('x'.repeat(201));
      expect(long.body).toEqual({ statusCode: 400, error: 'Bad Request', message: ['title must be a string of 1–200 characters'] });
    });

    it('rejects a __proto__ key without polluting anything', async () => {
      const res = await app.api.request('POST', '/todos', undefined, { raw: '{"title":"p","__proto__":{"completed":true}}' });

      expectBadRequest(res);
      expect(({} as Record<string, unknown>).completed).toBeUndefined();
      const list = (await app.api.list()).body;
      expect(list.some((t) => t.title === 'p')).toBe(false);
    });

    it('survives a huge and a deeply nested body and keeps serving', async () => {
      const huge = await app.api.request('POST', '/todos', { title: 'x'.repeat(2_000_000) });
      const deep = await app.api.request('POST', '/todos', undefined, { raw: `{"title":${'['.repeat(5000)}${']'.repeat(5000)}}` });

      expect([400, 413]).toContain(huge.status); // the engine may refuse it before the app sees it
      expect(deep.status).toBe(400);
      expect((await app.api.create('still alive')).status).toBe(201);
    });
  });

  describe('GET /todos', () => {
    it('lists every todo ordered by createdAt', async () => {
      const titles = ['first', 'second', 'third', 'fourth'];
      for (const title of titles) await app.api.create(title);

      const res = await app.api.list();

      expect(res.status).toBe(200);
      const stamps = res.body.map((t) => t.createdAt);
      expect(stamps).toEqual([...stamps].sort());
      expect(new Set(stamps).size).toBe(stamps.length);
      const ours = res.body.map((t) => t.title).filter((t) => titles.includes(t));
      expect(ours).toEqual(titles);
    });
  });

  describe('GET /todos?completed=', () => {
    it('lists only completed or active todos, and refuses anything but true/false', async () => {
      const done = (await app.api.create('filter-done')).body;
      await app.api.create('filter-open');
      await app.api.patch(done.id, { completed: true });

      const completed = await app.api.request<Todo[]>('GET', '/todos?completed=true');
      expect(completed.body.map((t) => t.title)).toContain('filter-done');
      expect(completed.body.every((t) => t.completed)).toBe(true);
      const active = await app.api.request<Todo[]>('GET', '/todos?completed=false');
      expect(active.body.map((t) => t.title)).toContain('filter-open');
      expect(active.body.some((t) => t.completed)).toBe(false);

      const bad = await app.api.request('GET', '/todos?completed=maybe');
      expect(bad.status).toBe(400);
      expect(bad.body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'completed must be true or false (got "maybe")' });
    });
  });

  describe('GET /todos/:id', () => {
    it('answers 404 with the error shape for an unknown id', async () => {
      const res = await app.api.get('no-such-id');

      expect(res.status).toBe(404);
      expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.any(String) });
    });

    it('treats prototype-ish ids as unknown, not as objects', async () => {
      expect((await app.api.get('__proto__')).status).toBe(404);
      expect((await app.api.get('constructor')).status).toBe(404);
    });
  });

  describe('PATCH /todos/:id', () => {
    it('toggles completed and keeps the other fields', async () => {
      const todo = (await app.api.create('toggle me')).body;

      const res = await app.api.patch(todo.id, { completed: true });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ...todo, completed: true, updatedAt: expect.any(String) });
      expect(res.body.updatedAt >= todo.updatedAt).toBe(true);
      expect((await app.api.get(todo.id)).body).toEqual(res.body);
    });

    it('renames a todo', async () => {
      const todo = (await app.api.create('old name')).body;

      const res = await app.api.patch(todo.id, { title: 'new name' });

      expect(res.body).toMatchObject({ id: todo.id, title: 'new name', completed: false });
    });

    it('answers 200 with the unchanged todo for an empty patch', async () => {
      const todo = (await app.api.create('unchanged')).body;
      const res = await app.api.patch(todo.id, {});
      expect([res.status, res.body]).toEqual([200, todo]);
    });

    it.each([
      ['a non-boolean completed', { completed: 'yes' }],
      ['an empty title', { title: '' }],
      ['a null title', { title: null }],
      ['an over-long title', { title: 'y'.repeat(201) }],
      ['an unknown field', { completed: true, id: 'hijack' }],
    ])('rejects %s with 400 and leaves the todo as it was', async (_case, body) => {
      const todo = (await app.api.create('patch target')).body;

      expectBadRequest(await app.api.patch(todo.id, body));
      expect((await app.api.get(todo.id)).body).toEqual(todo);
    });

    it('rejects malformed JSON with 400', async () => {
      const todo = (await app.api.create('patch target')).body;
      expectBadRequest(await app.api.request('PATCH', `/todos/${todo.id}`, undefined, { raw: '{"completed":' }));
    });

    it('answers 404 for an unknown id and creates nothing', async () => {
      const res = await app.api.patch('missing-id', { completed: true });

      expect(res.status).toBe(404);
      expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.any(String) });
      expect((await app.api.get('missing-id')).status).toBe(404);
    });
  });

  describe('DELETE /todos/:id', () => {
    it('deletes and answers { id, deleted: true }, then 404 for the same id', async () => {
      const todo = (await app.api.create('delete me')).body;

      const res = await app.api.delete(todo.id);

      expect([res.status, res.body]).toEqual([200, { id: todo.id, deleted: true }]);
      expect((await app.api.get(todo.id)).status).toBe(404);
      expect((await app.api.delete(todo.id)).status).toBe(404);
    });
  });

  describe('GET /', () => {
    it('serves the page as HTML, with the stream client script it loads', async () => {
      const page = await app.api.request('GET', '/');
      const script = await app.api.request('GET', '/assets/stream-client.js');

      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expect(page.text).toContain('<script src="/assets/stream-client.js">');
      expect(script.status).toBe(200);
      expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
      expect(script.text).toContain('IIIStreams');
    });

    it('tells the page the stream port it must connect to', async () => {
      const page = await app.api.request('GET', '/');
      const port = new URL(app.stream).port;
      expect(page.text).toContain(`"streamPort":${port}`);
    });
  });
});

describe('todo app: external engine (III_URL)', () => {
  it('connects to the given engine instead of starting one, and serves through it', async () => {
    const engine = await startEngine({ storage: 'memory', ephemeralPorts: true, host: '127.0.0.1' });
    try {
      const app = await bootstrap({ engineUrl: engine.urls.worker, logger: false });
      try {
        expect(app.urls.worker).toBe(engine.urls.worker);
        const api = new Api(String(engine.urls.http).replace(/\/$/, ''));
        const created = await api.create('via external engine');
        expect(created.status).toBe(201);
        expect((await api.list()).body).toEqual([created.body]);
      } finally {
        await app.close();
      }
      // Closing the app must leave the engine it does not own running.
      const probe = await fetch(`${String(engine.urls.http).replace(/\/$/, '')}/todos`);
      expect(probe.status).toBe(404);
    } finally {
      await engine.close();
    }
  });
});
