import { Body, Event, Headers, Param, Query, Req } from '../../../../src/framework';
import { thrownCode } from '../../../support/errors';
import { readParams } from '../../../../src/framework/metadata/reflection';

describe('parameter decorators', () => {
  it('record kind, position and optional name (header names lower-cased)', () => {
    class C {
      handle(
        @Body() _b: unknown,
        @Param('id') _id: string,
        @Query() _q: unknown,
        @Headers('X-Trace') _h: string,
        @Req() _r: unknown,
        @Event() _e: unknown,
      ): void {}
    }
    const params = [...readParams(C, 'handle')].sort((a, b) => a.index - b.index);
    expect(params).toEqual([
      { index: 0, kind: 'body' },
      { index: 1, kind: 'param', name: 'id' },
      { index: 2, kind: 'query' },
      { index: 3, kind: 'headers', name: 'x-trace' },
      { index: 4, kind: 'req' },
      { index: 5, kind: 'event' },
    ]);
  });

  it('reject an empty or non-string name', () => {
    const codes = [() => Param(''), () => Query(7 as never), () => Headers(null as never)].map(thrownCode);
    expect(codes).toEqual(['INVALID_DECORATOR_ARGUMENT', 'INVALID_DECORATOR_ARGUMENT', 'INVALID_DECORATOR_ARGUMENT']);
  });

  it('reject constructor parameters', () => {
    expect(() => {
      class C {
        constructor(@Body() readonly b: unknown) {}
      }
      return C;
    }).toThrow(/only method parameters/);
  });
});
