/**
 * The dev console's safety: off unless asked for, loopback only, read-only, and deaf to other
 * pages and to DNS-rebound host names; what it serves is read from the engine (real HTTP on an
 * ephemeral loopback port).
 */
import { request } from 'node:http';
import { ConsoleHostError, startEngine, type EngineHandle } from '../../../src/engine';

function send(url: string, options: { method?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.once('error', reject);
    req.end();
  });
}

describe('dev console', () => {
  let engine: EngineHandle;
  let url: string;
  beforeAll(async () => {
    engine = await startEngine({ storage: 'memory', ephemeralPorts: true, console: true });
    url = engine.urls.console as string;
  });
  afterAll(() => engine.close());

  it('is served on loopback when enabled, and absent otherwise', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const plain = await startEngine({ storage: 'memory', ephemeralPorts: true });
    try {
      expect(plain.urls.console).toBeUndefined();
    } finally {
      await plain.close();
    }
  });

  it('refuses to listen beyond loopback', async () => {
    await expect(startEngine({ storage: 'memory', ephemeralPorts: true, console: { host: '0.0.0.0' } })).rejects.toBeInstanceOf(
      ConsoleHostError,
    );
  });

  it('serves the page and a snapshot of the engine', async () => {
    const page = await send(url);
    expect(page.status).toBe(200);
    expect(page.body).toContain('iii dev console');
    const snapshot = JSON.parse((await send(`${url}api/snapshot`)).body) as { functions: { functions: Array<{ function_id: string }> } };
    expect(snapshot.functions.functions.map((f) => f.function_id)).toContain('state::set');
  });

  it('is read-only: anything but GET is a 405', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      expect((await send(`${url}api/snapshot`, { method })).status).toBe(405);
    }
  });

  it('refuses another host name (DNS rebinding) and another page’s Origin', async () => {
    const port = new URL(url).port;
    expect((await send(`${url}api/snapshot`, { headers: { host: `evil.example:${port}` } })).status).toBe(421);
    expect((await send(`${url}api/snapshot`, { headers: { origin: 'http://evil.example' } })).status).toBe(403);
    expect((await send(`${url}api/snapshot`, { headers: { origin: url.replace(/\/$/, '') } })).status).toBe(200);
  });

  it('answers an unknown path with 404', async () => {
    expect((await send(`${url}nope`)).status).toBe(404);
  });
});
