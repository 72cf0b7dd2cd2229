import {
  BadRequestException,
  Catch,
  DefaultValuePipe,
  HttpException,
  NotFoundException,
  ParseBoolPipe,
  ParseIntPipe,
  ParseUUIDPipe,
  ValidationPipe,
  type ExceptionFilter,
  type ExecutionContext,
  type NestInterceptor,
} from '../../../../src/framework';
import { buildFilterStage } from '../../../../src/framework/pipeline/filters';
import { buildGuardStage } from '../../../../src/framework/pipeline/guards';
import { buildInterceptorStage } from '../../../../src/framework/pipeline/interceptors';
import { buildInvoker, type InvokerParts } from '../../../../src/framework/pipeline/invoker';
import { buildPipeChain } from '../../../../src/framework/pipeline/pipes';
import { IsInt, Max, Min } from 'class-validator';

class Handler {}
const CTX: ExecutionContext = { kind: 'fn', functionId: 'x::y', class: Handler, method: 'y', payload: {} };

describe('absent stages', () => {
  it('are null, so the invoker skips them', () => {
    expect(buildGuardStage([])).toBeNull();
    expect(buildInterceptorStage([])).toBeNull();
    expect(buildFilterStage([])).toBeNull();
    expect(buildPipeChain([], { type: 'body' })).toBeNull();
  });
});

describe('interceptor stage', () => {
  const trace: string[] = [];
  const around = (name: string): NestInterceptor => ({
    async intercept(_ctx, next) {
      trace.push(`${name}:before`);
      const result = await next.handle();
      trace.push(`${name}:after`);
      return result;
    },
  });
  beforeEach(() => trace.splice(0));

  it('nests interceptors, the first outermost', async () => {
    const stage = buildInterceptorStage([around('a'), around('b')])!;
    const result = await stage(CTX, async () => {
      trace.push('handler');
      return 1;
    });
    expect(result).toBe(1);
    expect(trace).toEqual(['a:before', 'b:before', 'handler', 'b:after', 'a:after']);
  });

  it('maps the result', async () => {
    const stage = buildInterceptorStage([{ intercept: async (_c, next) => ({ data: await next.handle() }) }])!;
    expect(await stage(CTX, async () => 'x')).toEqual({ data: 'x' });
  });

  it('short-circuits (a cache): the handler never runs', async () => {
    const handler = jest.fn(async () => 'fresh');
    const stage = buildInterceptorStage([{ intercept: () => 'cached' }, around('inner')])!;
    expect(await stage(CTX, handler)).toBe('cached');
    expect(handler).not.toHaveBeenCalled();
    expect(trace).toEqual([]);
  });

  it('turns a synchronous throw into a rejection', async () => {
    const stage = buildInterceptorStage([
      {
        intercept: () => {
          throw new Error('boom');
        },
      },
    ])!;
    await expect(stage(CTX, async () => 1)).rejects.toThrow('boom');
  });
});

describe('pipe chain', () => {
  it('passes each output to the next pipe, with the argument metadata', async () => {
    const seen: unknown[] = [];
    const chain = buildPipeChain(
      [
        { transform: (v: unknown) => `${String(v)}a` },
        {
          transform: async (v: unknown, m) => {
            seen.push(m);
            return `${String(v)}b`;
          },
        },
      ],
      { type: 'param', data: 'id' },
    )!;
    expect(await chain('x')).toBe('xab');
    expect(seen).toEqual([{ type: 'param', data: 'id' }]);
  });
});

describe('built-in pipes', () => {
  const param = { type: 'param', data: 'id' } as const;

  it('ParseIntPipe: digits to an integer, anything else a 400 naming the parameter', () => {
    expect(new ParseIntPipe().transform('42', param)).toBe(42);
    expect(new ParseIntPipe().transform('-7', param)).toBe(-7);
    for (const bad of ['4.2', 'abc', '', undefined, '99999999999999999999']) {
      expect(() => new ParseIntPipe().transform(bad, param)).toThrow(BadRequestException);
    }
    expect(() => new ParseIntPipe().transform('abc', param)).toThrow('id must be an integer (got "abc")');
  });

  it('ParseBoolPipe', () => {
    expect(new ParseBoolPipe().transform('true', param)).toBe(true);
    expect(new ParseBoolPipe().transform('false', param)).toBe(false);
    expect(() => new ParseBoolPipe().transform('yes', param)).toThrow('id must be true or false (got "yes")');
  });

  it('ParseUUIDPipe', () => {
    const id = '0b9d0c3e-1a5f-4c8e-9f3a-2b7d6e4c1a90';
    expect(new ParseUUIDPipe().transform(id, param)).toBe(id);
    expect(() => new ParseUUIDPipe().transform('nope', param)).toThrow('id must be a UUID (got "nope")');
  });

  it('DefaultValuePipe fills a missing value only', () => {
    const pipe = new DefaultValuePipe(10);
    expect(pipe.transform(undefined)).toBe(10);
    expect(pipe.transform(null)).toBe(10);
    expect(pipe.transform('3')).toBe('3');
  });

  it('ValidationPipe validates a query DTO, converting its text values', async () => {
    class Page {
      @IsInt() @Min(1) @Max(100) limit!: number;
    }
    const pipe = new ValidationPipe();
    const meta = { type: 'query', metatype: Page } as const;
    const ok = (await pipe.transform({ limit: '20' }, meta)) as Page;
    expect(ok).toBeInstanceOf(Page);
    expect(ok.limit).toBe(20);
    const error = (await pipe.transform({ limit: '0' }, meta).catch((e: unknown) => e)) as HttpException;
    expect(error.status).toBe(400);
    expect(error.getResponse().message).toEqual(['limit must be an integer between 1 and 100']);
    expect(await pipe.transform('plain', { type: 'param', metatype: String })).toBe('plain');
  });
});

describe('exception filter stage', () => {
  @Catch(NotFoundException)
  class NotFoundFilter implements ExceptionFilter {
    catch(): unknown {
      return 'not-found';
    }
  }
  class CatchAll implements ExceptionFilter {
    catch(e: unknown): unknown {
      return `all:${(e as Error).message}`;
    }
  }

  it('asks filters in order; the first whose @Catch matches handles it', async () => {
    const stage = buildFilterStage([new NotFoundFilter(), new CatchAll()])!;
    expect(await stage(new NotFoundException('x'), CTX)).toBe('not-found');
    expect(await stage(new Error('other'), CTX)).toBe('all:other');
  });

  it('rethrows an exception no filter catches', async () => {
    const stage = buildFilterStage([new NotFoundFilter()])!;
    const error = new Error('unmatched');
    await expect(stage(error, CTX)).rejects.toBe(error);
  });
});

describe('invoker', () => {
  const parts = (over: Partial<InvokerParts>): InvokerParts => ({
    target: {},
    method: (v: unknown) => v,
    context: { kind: 'fn', functionId: 'x::y', class: Handler, method: 'y' },
    params: [{ extract: (p) => p, pipes: null, contextual: false }],
    filter: null,
    skipped: undefined,
    guards: null,
    interceptors: null,
    filters: null,
    publish: null,
    reply: (r) => ({ reply: r }),
    fail: (e) => ({ failed: (e as Error).message }),
    ...over,
  });

  it('with no stages calls the method with the payload', async () => {
    expect(await buildInvoker(parts({}))('p')).toEqual({ reply: 'p' });
  });

  it('runs pipes inside the interceptors (they see the piped result)', async () => {
    const invoke = buildInvoker(
      parts({
        params: [{ extract: (p) => p, pipes: async (v) => `${String(v)}|piped`, contextual: false }],
        interceptors: buildInterceptorStage([{ intercept: async (_c, next) => `[${String(await next.handle())}]` }]),
      }),
    );
    expect(await invoke('p')).toEqual({ reply: '[p|piped]' });
  });

  it('sends a pipe or guard failure to the filters, and an unfiltered one to the trigger', async () => {
    const refuse = buildGuardStage([{ canActivate: () => false }]);
    const filtered = buildInvoker(parts({ guards: refuse, filters: buildFilterStage([{ catch: (e) => (e as Error).name }]) }));
    expect(await filtered('p')).toEqual({ reply: 'ForbiddenException' });
    expect(await buildInvoker(parts({ guards: refuse }))('p')).toEqual({ failed: 'Forbidden resource' });
  });

  it('gives custom parameter extractors the call context', async () => {
    const invoke = buildInvoker(parts({ params: [{ extract: (_p, ctx) => ctx.functionId, pipes: null, contextual: true }] }));
    expect(await invoke('p')).toEqual({ reply: 'x::y' });
  });
});
