/**
 * The framework detects what the engine it is connected to offers (`engine::capabilities`) and
 * degrades predictably where an extension is missing. Against an engine under the `iii-0.22`
 * semantics (the reference engine's behaviour: no `engine::capabilities`, no `engine::settle`,
 * state events without `seq`/`version`, no dead letters), connected with `engineUrl` as an app is
 * with `III_URL`: `settle()` waits on what the app observes, reactions run without versions and
 * their writes go out without idempotency keys, `ReactionsService` says the engine has no dead
 * letters. The same app against the default engine, for contrast, detects every extension.
 */
import {
  Controller,
  EngineCapabilities,
  Event,
  IIIFactory,
  Module,
  OnStateChange,
  ReactionsService,
  StateService,
  type IIIApplication,
  type StateChangeEvent,
} from '../../../src/framework';
import { startTestEngine, type EngineHandle } from '../support/engine';

const seen: Array<StateChangeEvent<number>> = [];
/** Reactions that ran to their end (read synchronously right after settle()). */
let finished = 0;

@Controller('chain')
class ChainReactions {
  constructor(private readonly state: StateService) {}

  /** A reaction that writes, whose write another reaction handles: settle() must wait for both. */
  @OnStateChange('first')
  async first(@Event() event: StateChangeEvent<number>) {
    seen.push(event);
    await this.state.scope<number>('second').set(event.key, (event.new_value ?? 0) * 10);
    finished++;
  }

  @OnStateChange('second')
  async second(@Event() event: StateChangeEvent<number>) {
    seen.push(event);
    // A few round trips of its own, so one round trip of the test's is not enough to outwait it.
    for (let i = 0; i < 5; i++) await this.state.scope<number>('second').get(event.key);
    await this.state.scope<number>('third').update(event.key, [{ type: 'increment', path: '', by: event.new_value ?? 0 }]);
    finished++;
  }
}

@Module({ controllers: [ChainReactions] })
class ChainModule {}

const STATE_WRITES = new Set(['state::set', 'state::update', 'state::delete']);

/** Records the state writes the app sends through its iii-sdk client from now on. */
function writesSent(app: IIIApplication): Array<{ function_id: string; payload: Record<string, unknown> }> {
  const sent: Array<{ function_id: string; payload: Record<string, unknown> }> = [];
  const trigger = app.client.trigger.bind(app.client);
  jest.spyOn(app.client, 'trigger').mockImplementation((request) => {
    if (STATE_WRITES.has(request.function_id))
      sent.push({ function_id: request.function_id, payload: request.payload as Record<string, unknown> });
    return trigger(request);
  });
  return sent;
}

async function connectApp(engine: EngineHandle): Promise<IIIApplication> {
  const app = await IIIFactory.create(ChainModule, { engineUrl: engine.urls.worker, logger: false });
  return app.listen();
}

describe("the framework on an engine without the embedded extensions ('iii-0.22' semantics, engineUrl)", () => {
  let engine: EngineHandle;
  let app: IIIApplication;

  beforeAll(async () => {
    engine = await startTestEngine({ semantics: 'iii-0.22' });
    app = await connectApp(engine);
  });
  afterAll(async () => {
    await app.close();
    await engine.close();
  });

  it('detects none of the extensions', () => {
    expect(app.get(EngineCapabilities)).toMatchObject({
      idempotentStateWrites: false,
      stateChangeLog: false,
      reactionDeadLetters: false,
      engineSettle: false,
    });
  });

  it('settle() waits for a chain of reactions it runs, which receive events without versions', async () => {
    seen.length = 0;
    finished = 0;
    const state = app.get(StateService);
    await Promise.all([1, 2, 3].map((n) => state.scope<number>('first').set(`k${n}`, n)));
    await app.settle();
    expect(finished).toBe(6);
    // Both links of each chain ran and wrote before settle() resolved.
    expect(await Promise.all([1, 2, 3].map((n) => state.scope<number>('third').get(`k${n}`)))).toEqual([10, 20, 30]);
    expect(seen).toHaveLength(6);
    for (const event of seen) {
      expect(event).not.toHaveProperty('version');
      expect(event).not.toHaveProperty('seq');
    }
  });

  it('sends a reaction’s writes without idempotency keys (the engine would not apply them)', async () => {
    const sent = writesSent(app);
    await app.get(StateService).scope<number>('first').set('plain', 1);
    await app.settle();
    expect(sent.map((w) => w.function_id)).toEqual(['state::set', 'state::set', 'state::update']);
    for (const write of sent) expect(write.payload).not.toHaveProperty('idempotency_key');
  });

  it('says the engine keeps no dead letters instead of failing obscurely', async () => {
    await expect(app.get(ReactionsService).deadLetters()).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
  });
});

describe('the same app connected to the default engine (engineUrl)', () => {
  let engine: EngineHandle;
  let app: IIIApplication;

  beforeAll(async () => {
    engine = await startTestEngine({ semantics: 'embedded' });
    app = await connectApp(engine);
  });
  afterAll(async () => {
    await app.close();
    await engine.close();
  });

  it('detects every extension, settles through engine::settle, and reactions get versions', async () => {
    expect(app.get(EngineCapabilities)).toMatchObject({
      idempotentStateWrites: true,
      stateChangeLog: true,
      reactionDeadLetters: true,
      engineSettle: true,
    });
    seen.length = 0;
    const sent = writesSent(app);
    const state = app.get(StateService);
    await state.scope<number>('first').set('v', 4);
    await app.settle();
    expect(await state.scope<number>('third').get('v')).toBe(40);
    expect(seen.map((e) => e.version)).toEqual([1, 1]);
    // The app's own write carries no key; the two its reactions made do.
    expect(sent.map((w) => typeof w.payload.idempotency_key)).toEqual(['undefined', 'string', 'string']);
  });
});
