/**
 * The call pipeline on every trigger kind, through the real engine: a guard, an interceptor, a pipe
 * and an exception filter at each of three levels (global, controller, method), asserting the
 * order NestJS documents — guards global → controller → method; interceptors "before" outside-in;
 * pipes global → controller → method → parameter; interceptors "after" inside-out; exception
 * filters method → controller → global, the first matching one handling the error. The global
 * guard and filter come from `APP_GUARD`/`APP_FILTER` providers (the guard built through DI), the
 * global interceptor and pipe from `app.useGlobal*()`.
 */
import WebSocket from 'ws';
import {
  APP_FILTER,
  APP_GUARD,
  Body,
  Catch,
  Controller,
  Cron,
  Event,
  Fn,
  HttpResult,
  Injectable,
  Module,
  OnQueue,
  OnStateChange,
  OnStreamJoin,
  Post,
  Queue,
  StateService,
  UseFilters,
  UseGuards,
  UseInterceptors,
  UsePipes,
  createTestApp,
  type CallHandler,
  type CanActivate,
  type ExceptionFilter,
  type ExecutionContext,
  type NestInterceptor,
  type PipeTransform,
  type TestApp,
} from '../../../src/framework';
import { waitFor } from '../support/engine';
import { itEmbeddedOnly } from '../../support/semantics';

/** Every pipeline step, per function id (calls of one function never overlap in this test). */
const log = new Map<string, string[]>();
const record = (functionId: string, step: string): void => {
  const steps = log.get(functionId) ?? [];
  steps.push(step);
  log.set(functionId, steps);
};

class MethodError extends Error {}
class ControllerError extends Error {}
class GlobalError extends Error {}

/** Which error a call should throw, carried in its payload. */
type Fail = 'method' | 'controller' | 'global' | undefined;
const ERRORS = { method: MethodError, controller: ControllerError, global: GlobalError } as const;

const guard = (level: string): CanActivate => ({
  canActivate: (ctx: ExecutionContext) => {
    record(ctx.functionId, `guard:${level}`);
    return true;
  },
});

/** Interceptors given as classes are built through DI: this one injects a provider of the module. */
@Injectable()
class Labels {
  readonly controller = 'controller';
  readonly global = 'global';
}
@Injectable()
class ControllerInterceptor implements NestInterceptor {
  constructor(private readonly labels: Labels) {}
  async intercept(ctx: ExecutionContext, next: CallHandler): Promise<unknown> {
    record(ctx.functionId, `interceptor:${this.labels.controller}:before`);
    const result = await next.handle();
    record(ctx.functionId, `interceptor:${this.labels.controller}:after`);
    return result;
  }
}
/** The global guard, an `APP_GUARD` provider: built through DI, so it can inject the module's services. */
@Injectable()
class GlobalGuard implements CanActivate {
  constructor(private readonly labels: Labels) {}
  canActivate(ctx: ExecutionContext): boolean {
    record(ctx.functionId, `guard:${this.labels.global}`);
    return true;
  }
}
const interceptor = (level: string): NestInterceptor => ({
  async intercept(ctx, next) {
    record(ctx.functionId, `interceptor:${level}:before`);
    const result = await next.handle();
    record(ctx.functionId, `interceptor:${level}:after`);
    return result;
  },
});

/** Pipes see only the value: each appends its level to a `trail` the method then logs. */
const pipe = (level: string): PipeTransform => ({
  transform: (value: unknown) => {
    const v = (value ?? {}) as { trail?: string[] };
    return { ...v, trail: [...(v.trail ?? []), level] };
  },
});

const filter = (level: string, ...types: Array<new (...args: never[]) => Error>): ExceptionFilter => {
  @Catch(...types)
  class LevelFilter implements ExceptionFilter {
    catch(error: unknown, ctx: ExecutionContext): unknown {
      record(ctx.functionId, `filter:${level}`);
      if (ctx.kind === 'http') return new HttpResult(418, { handledBy: level, error: (error as Error).constructor.name });
      if (ctx.kind === 'stream:join') return false;
      return { handledBy: level };
    }
  }
  return new LevelFilter();
};

/** Runs the method: logs the pipes' trail, then throws if the payload asks for it. */
function handle(functionId: string, arg: { trail?: string[]; fail?: Fail }): { ok: true } {
  record(functionId, `handler(pipes: ${(arg.trail ?? []).join(',')})`);
  if (arg.fail !== undefined) throw new ERRORS[arg.fail](`asked to fail at ${arg.fail}`);
  return { ok: true };
}

@Controller('stack')
@UseGuards(guard('controller'))
@UseInterceptors(ControllerInterceptor)
@UsePipes(pipe('controller'))
@UseFilters(filter('controller', MethodError, ControllerError))
class StackController {
  static cronRuns = 0;

  @Post('call')
  @UseGuards(guard('method'))
  @UseInterceptors(interceptor('method'))
  @UsePipes(pipe('method'))
  @UseFilters(filter('method', MethodError))
  http(@Body(pipe('param')) body: { fail?: Fail }) {
    return handle('stack::http', body);
  }

  @OnStateChange('stack-items')
  @UseGuards(guard('method'))
  @UseInterceptors(interceptor('method'))
  @UsePipes(pipe('method'))
  @UseFilters(filter('method', MethodError))
  state(@Event(pipe('param')) e: { new_value?: { fail?: Fail }; trail?: string[] }) {
    return handle('stack::state', { ...(e.trail !== undefined ? { trail: e.trail } : {}), fail: e.new_value?.fail });
  }

  @OnStreamJoin({ stream: 'stack-live' })
  @UseGuards(guard('method'))
  @UseInterceptors(interceptor('method'))
  @UsePipes(pipe('method'))
  @UseFilters(filter('method', MethodError))
  join(@Event(pipe('param')) e: { group_id: string; trail?: string[] }) {
    const fail = e.group_id === 'ok' ? undefined : (e.group_id as Fail);
    handle('stack::join', { ...(e.trail !== undefined ? { trail: e.trail } : {}), fail });
    return true;
  }

  @OnQueue('default')
  @UseGuards(guard('method'))
  @UseInterceptors(interceptor('method'))
  @UsePipes(pipe('method'))
  @UseFilters(filter('method', MethodError))
  queue(@Event(pipe('param')) data: { fail?: Fail }) {
    return handle('stack::queue', data);
  }

  @Cron('* * * * * *')
  @UseGuards(guard('method'))
  @UseInterceptors(interceptor('method'))
  @UsePipes(pipe('method'))
  @UseFilters(filter('method', MethodError))
  cron(@Event(pipe('param')) e: object) {
    // Ticks alternate: one succeeds, the next fails at the global level.
    const fail = StackController.cronRuns++ % 2 === 1 ? ('global' as const) : undefined;
    return handle('stack::cron', { ...e, ...(fail !== undefined ? { fail } : {}) });
  }

  @Fn()
  @UseGuards(guard('method'))
  @UseInterceptors(interceptor('method'))
  @UsePipes(pipe('method'))
  @UseFilters(filter('method', MethodError))
  fn(@Event(pipe('param')) payload: { fail?: Fail }) {
    return handle('stack::fn', payload);
  }
}

@Module({
  controllers: [StackController],
  providers: [Labels, { provide: APP_GUARD, useClass: GlobalGuard }, { provide: APP_FILTER, useValue: filter('global') }],
})
class StackModule {}

const SUCCESS = [
  'guard:global',
  'guard:controller',
  'guard:method',
  'interceptor:global:before',
  'interceptor:controller:before',
  'interceptor:method:before',
  'handler(pipes: global,controller,method,param)',
  'interceptor:method:after',
  'interceptor:controller:after',
  'interceptor:global:after',
];
/** Same path up to the method; the error skips every "after" and reaches one filter. */
const failing = (filterLevel: string): string[] => [...SUCCESS.slice(0, 7), `filter:${filterLevel}`];

describe('pipeline order on every trigger kind (global, controller, method levels)', () => {
  let t: TestApp;
  let http: string;

  beforeAll(async () => {
    t = await createTestApp(StackModule, {
      configure: (app) => app.useGlobalInterceptors(interceptor('global')).useGlobalPipes(pipe('global')),
    });
    http = t.urls.http as string;
  });
  afterAll(() => t.close());
  beforeEach(() => log.clear());

  const post = (body: object) =>
    fetch(`${http}/stack/call`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('HTTP', async () => {
    expect((await post({})).status).toBe(201);
    expect(log.get('stack::http')).toEqual(SUCCESS);

    log.clear();
    const method = await post({ fail: 'method' });
    expect(method.status).toBe(418);
    expect(await method.json()).toEqual({ handledBy: 'method', error: 'MethodError' }); // the controller filter also matches
    expect(log.get('stack::http')).toEqual(failing('method'));

    log.clear();
    expect(await (await post({ fail: 'controller' })).json()).toMatchObject({ handledBy: 'controller' });
    expect(log.get('stack::http')).toEqual(failing('controller'));

    log.clear();
    expect(await (await post({ fail: 'global' })).json()).toMatchObject({ handledBy: 'global' });
    expect(log.get('stack::http')).toEqual(failing('global'));
  });

  it('state', async () => {
    const state = t.app.get(StateService).scope<{ fail?: Fail }>('stack-items');
    await state.set('a', {});
    await waitFor(() => log.get('stack::state')?.length === SUCCESS.length, { description: 'the state reaction' });
    expect(log.get('stack::state')).toEqual(SUCCESS);

    log.clear();
    await state.set('b', { fail: 'controller' });
    await waitFor(() => log.get('stack::state')?.includes('filter:controller'), { description: 'the filtered reaction' });
    expect(log.get('stack::state')).toEqual(failing('controller'));
  });

  it('stream join', async () => {
    const ws = new WebSocket(t.urls.stream as string);
    const frames: Array<{ groupId: string; event: { type: string } }> = [];
    ws.on('message', (raw) => frames.push(JSON.parse(raw.toString()) as (typeof frames)[number]));
    await new Promise<void>((resolve, reject) => ws.once('open', resolve).once('error', reject));
    try {
      ws.send(JSON.stringify({ type: 'join', data: { subscriptionId: 's1', streamName: 'stack-live', groupId: 'ok' } }));
      await waitFor(() => frames.find((f) => f.groupId === 'ok' && f.event.type === 'sync'), { description: 'the accepted join' });
      expect(log.get('stack::join')).toEqual(SUCCESS);

      log.clear();
      ws.send(JSON.stringify({ type: 'join', data: { subscriptionId: 's2', streamName: 'stack-live', groupId: 'method' } }));
      await waitFor(() => frames.find((f) => f.groupId === 'method' && f.event.type === 'unauthorized'), { description: 'the refusal' });
      expect(log.get('stack::join')).toEqual(failing('method'));
    } finally {
      ws.close();
    }
  });

  itEmbeddedOnly('builtin-queue', 'queue', async () => {
    await t.app.get(Queue).enqueue('stack::queue', {});
    await t.settle();
    expect(log.get('stack::queue')).toEqual(SUCCESS);

    log.clear();
    await t.app.get(Queue).enqueue('stack::queue', { fail: 'global' });
    await t.settle();
    expect(log.get('stack::queue')).toEqual(failing('global'));
  });

  it('cron', async () => {
    // Cron keeps ticking across tests: split its log into runs (each starts at the global guard).
    const runs = (): string[][] => {
      const out: string[][] = [];
      for (const step of log.get('stack::cron') ?? []) {
        if (step === 'guard:global') out.push([]);
        out.at(-1)?.push(step);
      }
      return out;
    };
    const has = (expected: string[]) => () => runs().some((run) => JSON.stringify(run) === JSON.stringify(expected));
    // The test app's clock is fake: two seconds of cron, run and settled by the clock.
    await t.clock.tick(2_000);
    expect(has(SUCCESS)()).toBe(true);
    expect(has(failing('global'))()).toBe(true);
  });

  it('@Fn', async () => {
    expect(await t.app.client.trigger({ function_id: 'stack::fn', payload: {} })).toEqual({ ok: true });
    expect(log.get('stack::fn')).toEqual(SUCCESS);

    log.clear();
    expect(await t.app.client.trigger({ function_id: 'stack::fn', payload: { fail: 'controller' } })).toEqual({ handledBy: 'controller' });
    expect(log.get('stack::fn')).toEqual(failing('controller'));
  });
});
