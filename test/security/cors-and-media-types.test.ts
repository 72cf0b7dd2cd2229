/**
 * A web page on another origin cannot use the app: no CORS grant unless allow-listed, and only
 * JSON bodies are read (a CORS "simple" request such as `text/plain; charset=application/json`
 * needs no preflight, so it is refused with 415 instead). The engine's own refusals share the
 * framework's `{ statusCode, error, message }` shape.
 */
import { request } from 'node:http';
import { closeOf, openSocket, startSecureApp } from './support';

type App = Awaited<ReturnType<typeof startSecureApp>>;
const EVIL = 'https://evil.example';

async function todoCount(app: App): Promise<number> {
  return ((await (await fetch(`${app.http}/todos`)).json()) as unknown[]).length;
}

describe('CORS, off by default', () => {
  let app: App;
  beforeAll(async () => {
    app = await startSecureApp();
  });
  afterAll(() => app.close());

  it('grants nothing to an evil Origin, on a read or a preflight', async () => {
    const read = await fetch(`${app.http}/todos`, { headers: { origin: EVIL } });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${app.http}/todos`, {
      method: 'OPTIONS',
      headers: { origin: EVIL, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses the text/plain; charset=application/json CSRF with 415 and creates nothing', async () => {
    const before = await todoCount(app);
    for (const contentType of [
      'text/plain; charset=application/json',
      'application/jsonx',
      'text/plain',
      'application/x-www-form-urlencoded',
    ]) {
      const response = await fetch(`${app.http}/todos`, {
        method: 'POST',
        headers: { 'content-type': contentType, origin: EVIL },
        body: JSON.stringify({ title: 'csrf' }),
      });
      expect({ contentType, status: response.status }).toEqual({ contentType, status: 415 });
      expect(await response.json()).toEqual({
        statusCode: 415,
        error: 'Unsupported Media Type',
        message: 'Request bodies must be JSON (content-type application/json or application/*+json)',
      });
    }
    expect(await todoCount(app)).toBe(before);
  });

  it('reads JSON media types with parameters or a +json suffix', async () => {
    for (const contentType of ['application/json; charset=utf-8', 'Application/JSON', 'application/vnd.todo+json']) {
      const response = await fetch(`${app.http}/todos`, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body: '{"title":"ok"}',
      });
      expect({ contentType, status: response.status }).toEqual({ contentType, status: 201 });
    }
  });
});

describe('CORS with III_CORS_ORIGINS', () => {
  it('grants the listed origin only', async () => {
    const app = await startSecureApp({ corsOrigins: ['https://app.example'] });
    try {
      const listed = await fetch(`${app.http}/todos`, { headers: { origin: 'https://app.example' } });
      expect(listed.headers.get('access-control-allow-origin')).toBe('https://app.example');
      const evil = await fetch(`${app.http}/todos`, { headers: { origin: EVIL } });
      expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await app.close();
    }
  });
});

/** A raw request (fetch refuses some of what these tests send). */
function rawStatus(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('one error shape for the engine’s own refusals', () => {
  let app: App;
  beforeAll(async () => {
    app = await startSecureApp();
  });
  afterAll(() => app.close());

  it('404, 405, 413 and 431 answer { statusCode, error, message }', async () => {
    const notFound = await fetch(`${app.http}/nowhere`);
    expect(await notFound.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'No route matches this path' });
    const notAllowed = await fetch(`${app.http}/todos`, { method: 'PUT' });
    expect(notAllowed.status).toBe(405);
    expect(await notAllowed.json()).toEqual({ statusCode: 405, error: 'Method Not Allowed', message: 'Method PUT is not allowed here' });
    const tooLarge = await fetch(`${app.http}/todos`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(await tooLarge.json()).toMatchObject({ statusCode: 413, error: 'Payload Too Large' });
    const headers = await rawStatus(`${app.http}/todos`, { 'x-huge': 'y'.repeat(20_000) });
    expect(headers.status).toBe(431);
    expect(JSON.parse(headers.body)).toEqual({
      statusCode: 431,
      error: 'Request Header Fields Too Large',
      message: 'Request headers are too large',
    });
  });

  it('percent-decodes path parameters', async () => {
    const response = await fetch(`${app.http}/todos/a%20b`);
    expect(response.status).toBe(404);
    expect(((await response.json()) as { message: string }).message).toBe('Todo "a b" not found');
  });
});

describe('the stream socket checks Origin against the same allow-list', () => {
  it('refuses an evil page, lets in the app’s own page and listed origins', async () => {
    const app = await startSecureApp({ corsOrigins: ['https://app.example'] });
    try {
      expect(await closeOf(app.stream, { origin: EVIL })).toEqual({ code: 1008, reason: 'origin not allowed' });
      const port = new URL(app.http).port;
      for (const origin of [app.http, `http://localhost:${port}`, 'https://app.example']) {
        (await openSocket(app.stream, { origin })).close();
      }
      (await openSocket(app.stream)).close(); // no Origin: not a browser
    } finally {
      await app.close();
    }
  });
});
