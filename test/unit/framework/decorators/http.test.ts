import { Controller, Delete, Get, Http, Post } from '../../../../src/framework';
import type { FrameworkError } from '../../../../src/framework/errors';
import { readTriggers } from '../../../../src/framework/metadata/reflection';

function errorOf(fn: () => unknown): FrameworkError | undefined {
  try {
    fn();
  } catch (e) {
    return e as FrameworkError;
  }
  return undefined;
}

describe('@Http', () => {
  it('records method, normalized path and options', () => {
    @Controller('todos')
    class TodosController {
      @Http('post', '/', { status: 202, functionId: 'todos::make', middleware: ['auth::check'] })
      create(): void {}
      @Http('GET', ':id/')
      findOne(): void {}
    }

    expect(readTriggers(TodosController)).toEqual([
      { kind: 'http', method: 'create', httpMethod: 'POST', path: '', status: 202, functionId: 'todos::make', middleware: ['auth::check'] },
      { kind: 'http', method: 'findOne', httpMethod: 'GET', path: ':id' },
    ]);
  });

  it('offers verb shorthands', () => {
    class C {
      @Get('a') a(): void {}
      @Post() b(): void {}
      @Delete(':id') c(): void {}
    }
    expect(readTriggers(C).map((t) => (t.kind === 'http' ? `${t.httpMethod} ${t.path}` : ''))).toEqual(['GET a', 'POST ', 'DELETE :id']);
  });

  it.each([
    ['an unknown verb', () => Http('FETCH' as never, 'x')],
    ['a non-string path', () => Http('GET', 5 as never)],
    ['a wildcard segment', () => Http('GET', 'files/*')],
    ['a brace parameter', () => Http('GET', 'users/{id}')],
    ['an empty parameter name', () => Http('GET', 'users/:')],
    ['a status outside 100..599', () => Http('GET', 'x', { status: 700 })],
    ['a fractional status', () => Http('GET', 'x', { status: 200.5 })],
    ['an unknown option', () => Http('GET', 'x', { code: 200 } as never)],
    ['middleware that is not a list of ids', () => Http('GET', 'x', { middleware: 'auth' as never })],
    ['an empty functionId', () => Http('GET', 'x', { functionId: '' })],
  ])('rejects %s', (_what, make) => {
    expect(errorOf(make)?.code).toBe('INVALID_DECORATOR_ARGUMENT');
  });

  it('names the decorator and the problem in the message', () => {
    expect(errorOf(() => Http('GET', 'x', { status: 99 }))?.message).toMatch(/@Http\(GET, 'x'\): status must be an integer/);
  });
});
