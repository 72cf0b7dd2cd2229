/**
 * With the embedded engine, the app's own iii-sdk worker reaches it in-process: the reference app
 * starts and serves without opening any socket to the worker listener (TCP or unix) — a fallback
 * to a socket fails here, and the detector is shown to see one when the in-process address is
 * switched off. A handler's engine call in flight while the app drains is still answered.
 */
import { Controller, Get, Injectable, Module, Param, StateService } from '../../src/framework';
import { createTestApp } from '../../src/framework/testing';
import { waitFor } from '../integration/support/engine';
import { startApp } from './support/app';
import { clientSocketsDuring } from '../integration/support/client-sockets';

const portOf = (url: string | undefined): number => Number(new URL(String(url)).port);

let release: () => void = () => undefined;
let entered = false;

@Injectable()
class Greetings {
  constructor(private readonly state: StateService) {}
  /** Waits for the test's go, then reads state through the engine (a worker → engine call). */
  async slow(name: string): Promise<{ name: string; greeted: unknown }> {
    entered = true;
    await new Promise<void>((resolve) => (release = resolve));
    return { name, greeted: (await this.state.scope('greeted').get(name)) ?? null };
  }
}

@Controller('greetings')
class GreetingsController {
  constructor(private readonly greetings: Greetings) {}
  @Get(':name')
  get(@Param('name') name: string): Promise<{ name: string; greeted: unknown }> {
    return this.greetings.slow(name);
  }
}

@Module({ controllers: [GreetingsController], providers: [Greetings] })
class GreetingsModule {}

describe("the app's own worker on the embedded engine", () => {
  it('reaches the engine in-process: the reference app opens no socket to the worker listener', async () => {
    let worker = '';
    let http = '';
    const ports = await clientSocketsDuring(async () => {
      const app = await startApp();
      try {
        worker = app.app.urls.worker;
        http = app.http;
        const created = await app.api.create('no socket');
        expect(created.status).toBe(201);
        expect((await app.api.get(created.body.id)).body).toEqual(created.body);
      } finally {
        await app.close();
      }
    });
    expect(ports).not.toContain(portOf(worker));
    expect(ports).not.toContain(undefined); // no unix socket either
    expect(ports.every((port) => port === portOf(http))).toBe(true);
  });

  it('the detector sees the worker socket when the in-process address is switched off', async () => {
    let worker = '';
    const ports = await clientSocketsDuring(async () => {
      const t = await createTestApp(GreetingsModule, { engine: { inProcessWorker: false } });
      worker = t.urls.worker;
      await t.close();
    });
    expect(ports).toContain(portOf(worker));
  });

  it('answers a handler whose engine call is still to come when the app starts draining', async () => {
    const t = await createTestApp(GreetingsModule);
    const http = String(t.urls.http).replace(/\/$/, '');
    entered = false;
    const inFlight = fetch(`${http}/greetings/ada`);
    await waitFor(() => entered);
    const closing = t.close();
    await waitFor(async () => (await fetch(`${http}/greetings/bob`)).status === 503);
    release();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ name: 'ada', greeted: null });
    await closing;
  });
});
