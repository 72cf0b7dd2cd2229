/** Runs every trigger of `triggers.ts` once, on the embedded engine. */
import type { IIIClient } from 'iii-sdk';
import WebSocket from 'ws';
import { createTestApp, III_CLIENT, StateService, StreamClient, type TestApp } from '#framework';
import { Seen, TriggersModule } from './triggers';

describe('the triggers guide, run', () => {
  let testApp: TestApp;
  let base: string;
  let seen: Seen;
  let client: StreamClient;

  beforeAll(async () => {
    testApp = await createTestApp(TriggersModule);
    base = String(testApp.urls.http).replace(/\/$/, '');
    seen = testApp.app.get(Seen);
    client = new StreamClient(String(testApp.urls.stream), { WebSocket });
  });
  afterAll(async () => {
    client.close();
    await testApp.close();
  });

  /** Waits until a trigger recorded `event` (they run asynchronously to the request that caused them). */
  async function until(event: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!seen.events.includes(event)) {
      if (Date.now() > deadline) throw new Error(`never saw "${event}"; saw ${JSON.stringify(seen.events)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  const post = (path: string, body: unknown): Promise<Response> =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('@Get with @Query', async () => {
    const res = await fetch(`${base}/greetings?name=Ada`);
    expect(await res.json()).toBe('hello Ada');
  });

  it('@Subscribe receives what PubSub publishes; @OnQueue receives what Queue enqueues', async () => {
    expect((await post('/greetings/announce', { text: 'hi all' })).status).toBe(201);
    await until('heard: hi all');
    expect((await post('/greetings/jobs', { to: 'ada@example.com' })).status).toBe(201);
    await until('email to ada@example.com');
  });

  it('@OnStateChange with an event filter', async () => {
    const accounts = testApp.app.get(StateService).scope<{ owner: string }>('accounts');
    await accounts.set('a1', { owner: 'ada' });
    await until('account created: a1');
    await accounts.set('a1', { owner: 'bob' }); // an update: filtered out
    await accounts.set('a2', { owner: 'cy' });
    await until('account created: a2');
    expect(seen.events.filter((e) => e.startsWith('account'))).toEqual(['account created: a1', 'account created: a2']);
  });

  it('@OnStreamJoin / @OnStreamLeave / @OnStreamChange and @Stream on an HTTP method', async () => {
    const lobby = client.join({ stream: 'chat', group: 'lobby' }, {});
    expect(await lobby.synced).toBe(true);
    await until('joined lobby');
    expect((await post('/chat/say', { id: 'm1', text: 'hello' })).status).toBe(201);
    await until('chat create: m1');
    lobby.leave();
    await until('left lobby');
    const refused = client.join({ stream: 'chat', group: 'private' }, {});
    expect(await refused.synced).toBe(false);
  });

  it('@Fn and @Cron are functions other workers can call', async () => {
    const iii = testApp.app.get<IIIClient>(III_CLIENT);
    const at = '2026-01-01T03:00:00+00:00';
    await iii.trigger({ function_id: 'mail::nightly', payload: { trigger: 'cron', job_id: 'j', scheduled_time: at, actual_time: at } });
    expect(seen.events).toContain(`nightly run at ${at}`);
    await expect(iii.trigger({ function_id: 'mail::count', payload: {} })).resolves.toEqual(expect.any(Number));
  });

  it('@UseGuards answers 403 when the guard says no', async () => {
    expect((await fetch(`${base}/admin/stats`)).status).toBe(403);
    const allowed = await fetch(`${base}/admin/stats`, { headers: { 'x-api-key': 'let-me-in' } });
    expect(await allowed.json()).toEqual({ ok: true });
  });
});
