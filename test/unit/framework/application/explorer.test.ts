import {
  Body,
  Controller,
  Cron,
  Event,
  Fn,
  Headers,
  Http,
  Module,
  OnQueue,
  OnStateChange,
  OnStreamChange,
  OnStreamJoin,
  OnStreamLeave,
  Param,
  Query,
  Req,
  Stream,
  Subscribe,
  Test,
} from '../../../../src/framework';
import { failure } from '../failure';
import { defaultFunctionId, kebabCase } from '../../../../src/framework/application/naming';

async function definitionsOf(controller: new (...args: never[]) => unknown) {
  @Module({ controllers: [controller] })
  class Feature {}
  const ref = await Test.createTestingModule({ imports: [Feature] }).compile();
  return ref.definitions();
}

describe('function ids', () => {
  it('kebab-cases method names', () => {
    expect(kebabCase('createTodo')).toBe('create-todo');
    expect(kebabCase('HTTPHealth')).toBe('http-health');
    expect(kebabCase('list')).toBe('list');
  });

  it('derive from the controller prefix, or the class name without one', () => {
    expect(defaultFunctionId('todos', 'TodosController', 'create')).toBe('todos::create');
    expect(defaultFunctionId('api/v1/todos/:id', 'X', 'findOne')).toBe('api::v1::todos::find-one');
    expect(defaultFunctionId('', 'HealthController', 'check')).toBe('health::check');
  });
});

describe('explorer', () => {
  it('turns each trigger decorator into a definition with its iii trigger type and config', async () => {
    @Controller('todos')
    class TodosController {
      @Http('POST', '/') create(): void {}
      @Http('GET', ':id', { middleware: ['auth::mw'] }) findOne(): void {}
      @OnStateChange('todos', { key: 'a' }) onState(): void {}
      @OnStreamChange('todos-live', { group: 'all' }) onStream(): void {}
      @OnStreamJoin({ stream: 'todos-live' }) onJoin(): void {}
      @OnStreamLeave() onLeave(): void {}
      @Cron('0 * * * * *') tick(): void {}
      @Subscribe('todo.created') onCreated(): void {}
      @OnQueue('emails') sendEmail(): void {}
      @Fn('todos::count-all') count(): void {}
    }

    const defs = await definitionsOf(TodosController);

    expect(defs.map(({ kind, functionId, triggerType, config, method }) => ({ kind, functionId, triggerType, config, method }))).toEqual([
      {
        kind: 'http',
        functionId: 'todos::create',
        triggerType: 'http',
        config: { api_path: 'todos', http_method: 'POST' },
        method: 'create',
      },
      {
        kind: 'http',
        functionId: 'todos::find-one',
        triggerType: 'http',
        config: { api_path: 'todos/:id', http_method: 'GET', middleware_function_ids: ['auth::mw'] },
        method: 'findOne',
      },
      { kind: 'state', functionId: 'todos::on-state', triggerType: 'state', config: { scope: 'todos', key: 'a' }, method: 'onState' },
      {
        kind: 'stream',
        functionId: 'todos::on-stream',
        triggerType: 'stream',
        config: { stream_name: 'todos-live', group_id: 'all' },
        method: 'onStream',
      },
      {
        kind: 'stream:join',
        functionId: 'todos::on-join',
        triggerType: 'stream:join',
        config: { stream_name: 'todos-live' },
        method: 'onJoin',
      },
      { kind: 'stream:leave', functionId: 'todos::on-leave', triggerType: 'stream:leave', config: {}, method: 'onLeave' },
      { kind: 'cron', functionId: 'todos::tick', triggerType: 'cron', config: { expression: '0 * * * * *' }, method: 'tick' },
      {
        kind: 'subscribe',
        functionId: 'todos::on-created',
        triggerType: 'subscribe',
        config: { topic: 'todo.created' },
        method: 'onCreated',
      },
      { kind: 'queue', functionId: 'todos::send-email', triggerType: null, config: null, method: 'sendEmail' },
      { kind: 'fn', functionId: 'todos::count-all', triggerType: null, config: null, method: 'count' },
    ]);
    expect(defs[0]?.class).toBe(TodosController);
  });

  it('uses "/" for a route with neither prefix nor path', async () => {
    @Controller()
    class RootController {
      @Http('GET') index(): void {}
    }
    const [def] = await definitionsOf(RootController);
    expect(def?.config).toEqual({ api_path: '/', http_method: 'GET' });
  });

  it('refuses two functions with the same id, naming both methods', async () => {
    @Controller('a')
    class A {
      @Fn('same') one(): void {}
      @Fn('same') two(): void {}
    }
    const error = await failure(definitionsOf(A));
    expect(error.code).toBe('DUPLICATE_FUNCTION_ID');
    expect(error.message).toContain('A.one and A.two');
  });

  it('refuses @Stream without a trigger decorator', async () => {
    @Controller('a')
    class A {
      @Stream('s', { group: 'g', mode: 'event' }) lonely(): void {}
    }
    expect((await failure(definitionsOf(A))).code).toBe('INVALID_HANDLER');
  });

  it('refuses an HTTP-only parameter decorator on another trigger kind', async () => {
    @Controller('a')
    class A {
      @OnStateChange('s') react(@Query('x') _x: string): void {}
    }
    const error = await failure(definitionsOf(A));
    expect(error.code).toBe('INVALID_HANDLER');
    expect(error.message).toContain('@Query()');
  });

  it('refuses a controller class without @Controller', async () => {
    class Plain {
      @Fn('x') x(): void {}
    }
    expect((await failure(definitionsOf(Plain))).code).toBe('INVALID_HANDLER');
  });
});

describe('parameter extraction', () => {
  const request = {
    body: { title: 'buy milk' },
    path_params: { id: '42' },
    query_params: { limit: '10' },
    headers: { 'x-trace': 't-1' },
    method: 'GET',
    path: 'p/:id',
  };

  it('maps HTTP request parts to decorated parameters', async () => {
    @Controller('p')
    class P {
      @Http('GET', ':id')
      get(
        @Param('id') id: string,
        @Query('limit') limit: string,
        @Headers('X-Trace') trace: string,
        @Body() body: unknown,
        @Param() all: unknown,
        @Req() req: unknown,
      ) {
        return { id, limit, trace, body, all, same: req === request };
      }
    }
    const [def] = await definitionsOf(P);
    const reply = await def!.invoke(request);
    expect(reply).toEqual({
      status_code: 200,
      body: { id: '42', limit: '10', trace: 't-1', body: { title: 'buy milk' }, all: { id: '42' }, same: true },
    });
  });

  it('reads own fields only (a __proto__ or constructor name finds nothing inherited)', async () => {
    @Controller('p')
    class P {
      @Http('GET', ':constructor')
      get(@Param('constructor') c: unknown, @Query('__proto__') p: unknown) {
        return { c: c === undefined, p: p === undefined };
      }
    }
    const [def] = await definitionsOf(P);
    expect(await def!.invoke({ path_params: {}, query_params: {} })).toEqual({ status_code: 200, body: { c: true, p: true } });
  });

  it('gives an empty object for a missing request section', async () => {
    @Controller('p')
    class P {
      @Http('GET') get(@Query() q: unknown) {
        return q;
      }
    }
    const [def] = await definitionsOf(P);
    expect(await def!.invoke({})).toEqual({ status_code: 200, body: {} });
  });

  it('passes the raw payload when a method has no parameter decorators', async () => {
    @Controller('r')
    class R {
      @OnStateChange('s') react(event: unknown) {
        return event;
      }
    }
    const [def] = await definitionsOf(R);
    const event = { type: 'state', event_type: 'state:created', scope: 's', key: 'k', old_value: null, new_value: 1 };
    expect(await def!.invoke(event)).toBe(event);
  });

  it('gives @Event() and @Body() the payload on non-HTTP triggers, undefined at undecorated positions', async () => {
    @Controller('r')
    class R {
      @Fn() calc(_skip: unknown, @Body() body: { a: number }, @Event() event: unknown) {
        return { body, same: event === body, skip: _skip === undefined };
      }
    }
    const [def] = await definitionsOf(R);
    expect(await def!.invoke({ a: 1 })).toEqual({ body: { a: 1 }, same: true, skip: true });
  });
});
