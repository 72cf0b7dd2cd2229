/**
 * The stream socket of the app `npm start` runs, against one greedy connection: 2,000
 * subscriptions are refused beyond the per-connection limit (or the connection is cut for its
 * frame rate) while a healthy client keeps receiving every change; a duplicate is refused; and a
 * join whose guard worker has died (kill -9) is refused, not let through.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { stringify } from 'yaml';
import { defaultConfig } from '../../src/engine/config';
import { waitFor } from '../support/wait';
import { startSecureApp } from './support';

type Frame = { groupId: string; id: string | null; event: { type: string; error?: { code: string } } };

/** A raw stream client: every frame it received, and how it was closed. */
class RawStreamClient {
  readonly frames: Frame[] = [];
  closed: { code: number; reason: string } | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (raw) => this.frames.push(JSON.parse(String(raw)) as Frame));
    socket.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
    socket.on('error', () => undefined);
  }

  static open(url: string): Promise<RawStreamClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once('open', () => resolve(new RawStreamClient(socket)));
      socket.once('error', reject);
    });
  }

  join(subscriptionId: string, groupId: string): void {
    this.socket.send(JSON.stringify({ type: 'join', data: { subscriptionId, streamName: 'todos-live', groupId } }));
  }

  count(type: string, group?: string): number {
    return this.frames.filter((f) => f.event.type === type && (group === undefined || f.groupId === group)).length;
  }
}

async function createTodo(http: string, title: string): Promise<number> {
  const response = await fetch(`${http}/todos`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title }),
  });
  await response.arrayBuffer();
  return response.status;
}

/** The healthy client gets all `count` creates written while the greedy connection is there. */
async function healthyClientKeepsUp(stream: string, http: string, count: number): Promise<void> {
  const healthy = await RawStreamClient.open(stream);
  try {
    healthy.join('healthy', 'all');
    await waitFor(() => healthy.count('sync') === 1);
    for (let i = 0; i < count; i++) expect(await createTodo(http, `write ${i}`)).toBe(201);
    await waitFor(() => healthy.count('create') === count, 10_000);
    expect(healthy.closed).toBeUndefined();
  } finally {
    healthy.socket.terminate();
  }
}

describe('stream limits on the app', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('2,000 joins on one connection: cut for its frame rate after at most 100 subscriptions; a healthy client keeps working', async () => {
    const app = await startSecureApp();
    try {
      const greedy = await RawStreamClient.open(app.stream);
      for (let i = 0; i < 2000 && greedy.socket.readyState === WebSocket.OPEN; i++) greedy.join(`s${i}`, `g${i}`);
      await waitFor(() => greedy.closed !== undefined, 10_000);
      expect(greedy.closed).toEqual({ code: 1008, reason: 'too many frames per second' });
      expect(greedy.count('sync')).toBeLessThanOrEqual(100);
      await healthyClientKeepsUp(app.stream, app.http, 20);
    } finally {
      await app.close();
    }
  });

  it('2,000 joins within the frame rate: 100 subscriptions, 1,900 `subscription_limit` errors, duplicates refused; a healthy client keeps working', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iii-stream-limits-'));
    dirs.push(dir);
    const config = defaultConfig();
    config.workers = config.workers.map((entry) =>
      entry.name === 'iii-stream' ? { ...entry, config: { ...entry.config, limits: { frames_per_second: 10_000 } } } : entry,
    );
    const file = join(dir, 'config.yaml');
    writeFileSync(file, stringify(config));
    const app = await startSecureApp({ configFile: file });
    try {
      const greedy = await RawStreamClient.open(app.stream);
      for (let i = 0; i < 2000; i++) greedy.join(`s${i}`, `g${i}`);
      await waitFor(() => greedy.frames.length === 2000, 20_000);
      expect(greedy.count('sync')).toBe(100);
      expect(greedy.frames.filter((f) => f.event.error?.code === 'subscription_limit')).toHaveLength(1900);
      expect(greedy.frames.slice(0, 100).every((f) => f.event.type === 'sync')).toBe(true);

      greedy.join('again', 'g0');
      await waitFor(() => greedy.frames.length === 2001);
      expect(greedy.frames[2000]?.event.error?.code).toBe('duplicate_subscription');
      expect(greedy.closed).toBeUndefined();
      await healthyClientKeepsUp(app.stream, app.http, 20);
      greedy.socket.terminate();
    } finally {
      await app.close();
    }
  });
});

describe('fail-closed joins on the app', () => {
  let guard: ChildProcess | undefined;
  afterEach(() => guard?.kill('SIGKILL'));

  /** A separate worker process guarding `todos-live` joins: it refuses groups `forbidden…`. */
  function startGuardWorker(engineUrl: string): ChildProcess {
    const script = `
      const { registerWorker } = require('iii-sdk');
      const worker = registerWorker(${JSON.stringify(engineUrl)}, { workerName: 'guard', otel: { enabled: false }, enableMetricsReporting: false });
      worker.registerFunction('guard::todos', async (event) => ({ unauthorized: event.group_id.startsWith('forbidden') }));
      worker.registerTrigger({ type: 'stream:join', function_id: 'guard::todos', config: { stream_name: 'todos-live' } });
    `;
    return spawn(process.execPath, ['-e', script], { cwd: process.cwd(), stdio: 'ignore' });
  }

  it('refuses a join once its guard worker has died (kill -9), instead of letting it through', async () => {
    const app = await startSecureApp();
    try {
      guard = startGuardWorker(app.app.urls.worker);
      const client = await RawStreamClient.open(app.stream);
      // The guard is in place once it refuses `forbidden…`.
      let attempt = 0;
      for (let refused = false; !refused;) {
        expect(attempt).toBeLessThan(200);
        client.join(`probe-${++attempt}`, `forbidden-${attempt}`);
        await waitFor(() => client.frames.length === attempt);
        refused = client.frames[attempt - 1]?.event.type === 'unauthorized';
        if (!refused) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      client.join('while-alive', 'all');
      await waitFor(() => client.frames.length === attempt + 1);
      expect(client.frames[attempt]?.event.type).toBe('sync');

      const exited = new Promise((resolve) => guard?.once('exit', resolve));
      guard.kill('SIGKILL');
      await exited;
      const other = await RawStreamClient.open(app.stream);
      other.join('after-death', 'all');
      await waitFor(() => other.frames.length === 1, 15_000);
      expect(other.frames[0]?.event.type).toBe('unauthorized');
      other.socket.terminate();
      client.socket.terminate();
    } finally {
      await app.close();
    }
  });
});
