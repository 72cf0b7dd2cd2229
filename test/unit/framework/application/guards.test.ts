import {
  Controller,
  Fn,
  Http,
  Injectable,
  Module,
  OnStreamJoin,
  Test,
  UnauthorizedException,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '../../../../src/framework';
import { thrownCode } from '../../../support/errors';

@Injectable()
class ApiKeys {
  readonly valid = new Set(['k1']);
}

@Injectable()
class ApiKeyGuard implements CanActivate {
  static seen: ExecutionContext[] = [];
  constructor(private readonly keys: ApiKeys) {}
  canActivate(context: ExecutionContext): boolean {
    ApiKeyGuard.seen.push(context);
    const headers = (context.payload as { headers?: Record<string, string> }).headers ?? {};
    return this.keys.valid.has(headers['x-api-key'] ?? '');
  }
}

const order: string[] = [];
const tracer = (name: string, answer: boolean | Promise<boolean> = true): CanActivate => ({
  canActivate: () => {
    order.push(name);
    return answer;
  },
});

@Controller('admin')
@UseGuards(ApiKeyGuard)
class AdminController {
  @Http('GET') stats() {
    return { ok: true };
  }
  @Http('GET', 'traced')
  @UseGuards(tracer('method-a'), tracer('method-b'))
  traced() {
    order.push('handler');
    return 'done';
  }
}

@Controller('rooms')
class RoomsController {
  @OnStreamJoin()
  @UseGuards(tracer('join', Promise.resolve(false)))
  join() {
    return true;
  }
  @Fn()
  @UseGuards({
    canActivate: () => {
      throw new UnauthorizedException('who are you');
    },
  })
  secret() {
    return 'never';
  }
}

@Module({ providers: [ApiKeys], controllers: [AdminController, RoomsController] })
class AdminModule {}

const request = (key?: string) => ({
  headers: key === undefined ? {} : { 'x-api-key': key },
  path_params: {},
  query_params: {},
  body: null,
});

async function compile() {
  return Test.createTestingModule({ imports: [AdminModule] }).compile();
}

describe('@UseGuards', () => {
  beforeEach(() => {
    order.length = 0;
    ApiKeyGuard.seen = [];
  });

  it('lets a request through when every guard allows it', async () => {
    const ref = await compile();
    expect(await ref.definition('admin::stats').invoke(request('k1'))).toEqual({ status_code: 200, body: { ok: true } });
  });

  it('answers 403 when a guard refuses, without calling the handler', async () => {
    const ref = await compile();
    expect(await ref.definition('admin::stats').invoke(request('bad'))).toEqual({
      status_code: 403,
      body: { statusCode: 403, error: 'Forbidden', message: 'Forbidden resource' },
    });
  });

  it('builds guard classes with the providers of the controller module and gives them the context', async () => {
    const ref = await compile();
    await ref.definition('admin::stats').invoke(request('k1'));
    expect(ApiKeyGuard.seen[0]).toMatchObject({ kind: 'http', functionId: 'admin::stats', class: AdminController, method: 'stats' });
  });

  it('runs class guards, then method guards in order, then the handler', async () => {
    const ref = await compile();
    await ref.definition('admin::traced').invoke(request('k1'));
    expect(order).toEqual(['method-a', 'method-b', 'handler']);
    expect(ApiKeyGuard.seen).toHaveLength(1);
  });

  it('refuses a stream subscription when an async guard says no', async () => {
    const ref = await compile();
    expect(await ref.definition('rooms::join').invoke({ stream_name: 's', group_id: 'g' })).toEqual({ unauthorized: true });
  });

  it('propagates an exception a guard throws (non-HTTP kinds reject)', async () => {
    const ref = await compile();
    await expect(ref.definition('rooms::secret').invoke({})).rejects.toThrow('who are you');
  });

  it('rejects bad guard arguments at decoration time', () => {
    const codes = [() => UseGuards(), () => UseGuards({} as never), () => UseGuards(null as never)].map(thrownCode);
    expect(codes).toEqual(['INVALID_DECORATOR_ARGUMENT', 'INVALID_DECORATOR_ARGUMENT', 'INVALID_DECORATOR_ARGUMENT']);
  });

  it('reports a guard dependency the module cannot provide', async () => {
    @Injectable()
    class Missing {}
    @Injectable()
    class NeedsMissing implements CanActivate {
      constructor(readonly m: Missing) {}
      canActivate(): boolean {
        return true;
      }
    }
    @Controller('x')
    class X {
      @Fn() @UseGuards(NeedsMissing) run(): void {}
    }
    @Module({ controllers: [X] })
    class XModule {}
    const ref = await Test.createTestingModule({ imports: [XModule] }).compile();
    expect(() => ref.definitions()).toThrow(expect.objectContaining({ code: 'ENHANCER_NOT_RESOLVABLE' }));
  });
});
