import {
  Controller,
  Fn,
  Get,
  IIIFactory,
  Injectable,
  Module,
  Param,
  ParseIntPipe,
  Post,
  Test,
  UseInterceptors,
  UsePipes,
  createParamDecorator,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  type PipeTransform,
} from '../../../../src/framework';
import { FakeIII } from '../../../fakes/fake-iii';
import { failure } from '../failure';

const definitionsOf = async (controllers: Array<new (...args: never[]) => unknown>, providers: Array<new () => unknown> = []) => {
  @Module({ controllers, providers })
  class Feature {}
  const ref = await Test.createTestingModule({ imports: [Feature] }).compile();
  return ref.definitions();
};
const explodes = async (controllers: Array<new (...args: never[]) => unknown>, providers: Array<new () => unknown> = []) =>
  failure(definitionsOf(controllers, providers));

describe('bootstrap errors', () => {
  it("UNKNOWN_ROUTE_PARAM: @Param('idd') on a route :id", async () => {
    @Controller('notes')
    class Notes {
      @Get(':id') find(@Param('idd') id: string) {
        return id;
      }
    }
    const error = await explodes([Notes]);
    expect(error.code).toBe('UNKNOWN_ROUTE_PARAM');
    expect(error.message).toContain("@Param('idd') is not a parameter of GET /notes/:id (the route has :id)");
  });

  it('DUPLICATE_ROUTE: two handlers on one method and path, across controllers', async () => {
    @Controller('notes')
    class A {
      @Get(':id') one() {}
    }
    @Controller()
    class B {
      @Get('notes/:key', { functionId: 'b::one' }) other() {}
    }
    const error = await explodes([A, B]);
    expect(error.code).toBe('DUPLICATE_ROUTE');
    expect(error.message).toContain('A.one and B.other');
  });

  it('accepts the same path under two methods', async () => {
    @Controller('notes')
    class A {
      @Get(':id') one() {}
      @Post(':id') two() {}
    }
    expect(await definitionsOf([A])).toHaveLength(2);
  });

  it('DUPLICATE_FUNCTION_ID across controllers', async () => {
    @Controller('x')
    class A {
      @Fn('shared') one() {}
    }
    @Controller('y')
    class B {
      @Fn('shared') two() {}
    }
    expect((await explodes([A, B])).code).toBe('DUPLICATE_FUNCTION_ID');
  });

  it('ENHANCER_NOT_RESOLVABLE: an interceptor class whose dependency the module cannot see', async () => {
    @Injectable()
    class Clock {}
    @Injectable()
    class Timing implements NestInterceptor {
      constructor(readonly clock: Clock) {}
      intercept(_c: ExecutionContext, next: CallHandler) {
        return next.handle();
      }
    }
    @Controller('t')
    class T {
      @Fn() @UseInterceptors(Timing) run() {}
    }
    const error = await explodes([T]);
    expect(error.code).toBe('ENHANCER_NOT_RESOLVABLE');
    expect(error.message).toContain('interceptor Timing cannot be built');
    expect(error.message).toContain('Clock');
  });

  it('MISSING_INJECTABLE: a pipe class with constructor parameters and no @Injectable()', async () => {
    @Injectable()
    class Limits {}
    class Clamp implements PipeTransform {
      constructor(readonly limits: Limits) {}
      transform(v: unknown) {
        return v;
      }
    }
    @Controller('t')
    class T {
      @Fn() @UsePipes(Clamp) run() {}
    }
    const error = await explodes([T], [Limits]);
    expect(error.code).toBe('ENHANCER_NOT_RESOLVABLE');
    expect(error.message).toContain('add @Injectable() to the class Clamp');
  });

  it('builds enhancer classes through DI once, with the module providers', async () => {
    @Injectable()
    class Offset {
      readonly by = 100;
    }
    @Injectable()
    class AddOffset implements PipeTransform {
      static built = 0;
      constructor(private readonly offset: Offset) {
        AddOffset.built++;
      }
      transform(v: unknown) {
        return Number(v) + this.offset.by;
      }
    }
    @Controller('t')
    class T {
      @Get(':n') a(@Param('n', ParseIntPipe, AddOffset) n: number) {
        return n;
      }
      @Get('b/:n') b(@Param('n', AddOffset) n: number) {
        return n;
      }
    }
    const defs = await definitionsOf([T], [Offset]);
    expect(await defs[0]!.invoke({ path_params: { n: '1' } })).toEqual({ status_code: 200, body: 101 });
    expect(await defs[0]!.invoke({ path_params: { n: 'x' } })).toMatchObject({ status_code: 400 });
    expect(AddOffset.built).toBe(1);
  });

  it('ENHANCERS_TOO_LATE: a global pipe after listen()', async () => {
    @Controller('t')
    class T {
      @Fn() run() {}
    }
    @Module({ controllers: [T] })
    class App {}
    const app = await IIIFactory.create(App, { client: new FakeIII(), logger: false, readyTimeoutMs: 50 });
    await app.listen();
    expect(() => app.useGlobalPipes(new ParseIntPipe())).toThrow(expect.objectContaining({ code: 'ENHANCERS_TOO_LATE' }));
    await app.close();
  });
});

describe('createParamDecorator', () => {
  const User = createParamDecorator((field: string | undefined, ctx: ExecutionContext) => {
    const headers = (ctx.payload as { headers?: Record<string, string> }).headers ?? {};
    const user = { id: headers['x-user'] ?? 'anonymous', role: 'reader' };
    return field === undefined ? user : user[field as keyof typeof user];
  });

  it('computes the value from the call context, with data and pipes', async () => {
    const upper: PipeTransform = { transform: (v) => String(v).toUpperCase() };
    @Controller('me')
    class Me {
      @Get() whoami(@User() user: object, @User('id', upper) id: string) {
        return { user, id };
      }
    }
    const [def] = await definitionsOf([Me]);
    expect(await def!.invoke({ headers: { 'x-user': 'ada' } })).toEqual({
      status_code: 200,
      body: { user: { id: 'ada', role: 'reader' }, id: 'ADA' },
    });
  });
});
