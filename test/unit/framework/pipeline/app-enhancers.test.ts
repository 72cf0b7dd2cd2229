import {
  APP_FILTER,
  APP_GUARD,
  APP_INTERCEPTOR,
  APP_PIPE,
  Catch,
  Controller,
  Get,
  HttpResult,
  Injectable,
  Module,
  NotFoundException,
  Param,
  Test,
  type CallHandler,
  type CanActivate,
  type ExceptionFilter,
  type ExecutionContext,
  type NestInterceptor,
  type PipeTransform,
} from '../../../../src/framework';
import { failure } from '../failure';

/** What the global enhancers saw, in order. */
@Injectable()
class Trace {
  readonly lines: string[] = [];
}

@Injectable()
class AllowList {
  readonly allowed = new Set(['ada']);
}

/** Reads a service of its module: what APP_GUARD adds over `app.useGlobalGuards(new ...)`. */
@Injectable()
class UserGuard implements CanActivate {
  constructor(
    private readonly allow: AllowList,
    private readonly trace: Trace,
  ) {}
  canActivate(context: ExecutionContext): boolean {
    this.trace.lines.push('guard');
    const headers = (context.payload as { headers?: Record<string, string> }).headers ?? {};
    return this.allow.allowed.has(headers['x-user'] ?? '');
  }
}

@Injectable()
class TraceInterceptor implements NestInterceptor {
  constructor(private readonly trace: Trace) {}
  async intercept(_c: ExecutionContext, next: CallHandler): Promise<unknown> {
    this.trace.lines.push('interceptor:before');
    const result = await next.handle();
    this.trace.lines.push('interceptor:after');
    return result;
  }
}

@Injectable()
class TracePipe implements PipeTransform {
  constructor(private readonly trace: Trace) {}
  transform(value: unknown): unknown {
    this.trace.lines.push(`pipe:${String(value)}`);
    return value;
  }
}

@Injectable()
@Catch(NotFoundException)
class MissingFilter implements ExceptionFilter<NotFoundException> {
  constructor(private readonly trace: Trace) {}
  catch(exception: NotFoundException): HttpResult<{ missing: string }> {
    this.trace.lines.push('filter');
    return new HttpResult(404, { missing: exception.message });
  }
}

@Controller('books')
class BooksController {
  @Get(':id') find(@Param('id') id: string): string {
    if (id !== 'dune') throw new NotFoundException(`no book ${id}`);
    return 'Dune';
  }
}

@Module({
  providers: [
    Trace,
    AllowList,
    { provide: APP_GUARD, useClass: UserGuard },
    { provide: APP_INTERCEPTOR, useClass: TraceInterceptor },
    { provide: APP_PIPE, useClass: TracePipe },
    { provide: APP_FILTER, useClass: MissingFilter },
  ],
  controllers: [BooksController],
})
class BooksModule {}

const request = (id: string, user: string) => ({ path_params: { id }, headers: { 'x-user': user } });

describe('APP_GUARD / APP_INTERCEPTOR / APP_PIPE / APP_FILTER providers', () => {
  it('apply to every trigger, built through DI with their module’s services', async () => {
    const ref = await Test.createTestingModule({ imports: [BooksModule] }).compile();
    const find = ref.definition('books::find');
    const trace = ref.get(Trace);

    expect(await find.invoke(request('dune', 'ada'))).toEqual({ status_code: 200, body: 'Dune' });
    expect(trace.lines.splice(0)).toEqual(['guard', 'interceptor:before', 'pipe:dune', 'interceptor:after']);

    expect(await find.invoke(request('emma', 'ada'))).toEqual({ status_code: 404, body: { missing: 'no book emma' } });
    expect(trace.lines.splice(0)).toEqual(['guard', 'interceptor:before', 'pipe:emma', 'filter']);

    expect(await find.invoke(request('dune', 'eve'))).toMatchObject({ status_code: 403 });
    expect(trace.lines.splice(0)).toEqual(['guard']);
  });

  it('several of one kind, across modules, run imports first, then in declaration order, before useGlobal*', async () => {
    const tag = (name: string, lines: string[]): CanActivate => ({
      canActivate: () => {
        lines.push(name);
        return true;
      },
    });
    const lines: string[] = [];
    @Module({ providers: [{ provide: APP_GUARD, useValue: tag('inner', lines) }] })
    class Inner {}
    @Module({
      imports: [Inner],
      providers: [
        { provide: APP_GUARD, useValue: tag('outer-1', lines) },
        { provide: APP_GUARD, useFactory: () => tag('outer-2', lines) },
      ],
      controllers: [BooksController],
    })
    class Outer {}
    const ref = await Test.createTestingModule({ imports: [Outer] }).compile();
    ref.useGlobalGuards(tag('app', lines));
    await ref.definition('books::find').invoke(request('dune', 'x'));
    expect(lines).toEqual(['inner', 'outer-1', 'outer-2', 'app']);
  });

  it('INVALID_PROVIDER: an APP_PIPE without transform()', async () => {
    @Module({ providers: [{ provide: APP_PIPE, useValue: { canActivate: () => true } }], controllers: [BooksController] })
    class Wrong {}
    const error = await failure(
      Test.createTestingModule({ imports: [Wrong] })
        .compile()
        .then((ref) => ref.definitions()),
    );
    expect(error.code).toBe('INVALID_PROVIDER');
    expect(error.message).toContain('Wrong: the APP_PIPE provider has no transform() method');
  });

  it('a missing dependency of an APP_GUARD class is reported like any provider’s', async () => {
    @Module({ providers: [{ provide: APP_GUARD, useClass: UserGuard }], controllers: [BooksController] })
    class Lacking {}
    const error = await failure(Test.createTestingModule({ imports: [Lacking] }).compile());
    expect(error.code).toBe('UNKNOWN_DEPENDENCY');
    expect(error.message).toContain('AllowList');
  });
});

describe('TestingModule.useGlobal*', () => {
  it('rebuilds the invokers with the global enhancers', async () => {
    @Module({ controllers: [BooksController] })
    class Plain {}
    const ref = await Test.createTestingModule({ imports: [Plain] }).compile();
    const before = ref.definition('books::find');
    expect(await before.invoke(request('emma', 'x'))).toMatchObject({ status_code: 404 });

    const seen: unknown[] = [];
    ref
      .useGlobalPipes({ transform: (v: unknown) => (seen.push(v), String(v).toLowerCase()) })
      .useGlobalInterceptors({ intercept: async (_c, next) => ({ wrapped: await next.handle() }) })
      .useGlobalFilters({ catch: () => new HttpResult(410, 'gone') })
      .useGlobalGuards({ canActivate: () => true });
    const after = ref.definition('books::find');
    expect(await after.invoke(request('DUNE', 'x'))).toEqual({ status_code: 200, body: { wrapped: 'Dune' } });
    expect(await after.invoke(request('emma', 'x'))).toEqual({ status_code: 410, body: 'gone' });
    expect(seen).toEqual(['DUNE', 'emma']);
  });

  it('refuses something that is not an enhancer', async () => {
    const ref = await Test.createTestingModule({ controllers: [BooksController] }).compile();
    expect(() => ref.useGlobalGuards({} as CanActivate)).toThrow(/canActivate/);
  });
});
