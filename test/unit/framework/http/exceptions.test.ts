import {
  BadRequestException,
  ConflictException,
  Controller,
  ForbiddenException,
  Http,
  HttpException,
  HttpResult,
  InternalServerErrorException,
  Module,
  NotFoundException,
  Test,
  UnauthorizedException,
  UnprocessableEntityException,
  type Logger,
} from '../../../../src/framework';

function recordingLogger(): Logger & { errors: Array<{ message: string; trace?: string }> } {
  const errors: Array<{ message: string; trace?: string }> = [];
  return { errors, log() {}, warn() {}, error: (message, trace) => errors.push({ message, ...(trace !== undefined ? { trace } : {}) }) };
}

let behaviour: () => unknown = () => undefined;

@Controller('x')
class XController {
  @Http('GET') get() {
    return behaviour();
  }
  @Http('POST') post() {
    return behaviour();
  }
  @Http('PUT', '', { status: 202 }) put() {
    return behaviour();
  }
}
@Module({ controllers: [XController] })
class XModule {}

async function call(method: 'get' | 'post' | 'put', logger = recordingLogger()) {
  const ref = await Test.createTestingModule({ imports: [XModule] })
    .useLogger(logger)
    .compile();
  return ref.definition(`x::${method}`).invoke({ body: null, path_params: {}, query_params: {}, headers: {} });
}

describe('HTTP results', () => {
  it('answers 200 with the returned value', async () => {
    behaviour = () => ({ a: 1 });
    expect(await call('get')).toEqual({ status_code: 200, body: { a: 1 } });
  });

  it('answers 201 for POST', async () => {
    behaviour = async () => ({ id: 'n' });
    expect(await call('post')).toEqual({ status_code: 201, body: { id: 'n' } });
  });

  it('uses the status the decorator gives', async () => {
    behaviour = () => 'queued';
    expect(await call('put')).toEqual({ status_code: 202, body: 'queued' });
  });

  it('answers 204 with no body for undefined', async () => {
    behaviour = () => undefined;
    expect(await call('get')).toEqual({ status_code: 204, headers: { 'content-type': 'application/json' }, body: null });
  });

  it('lets an HttpResult set status and headers', async () => {
    behaviour = () => new HttpResult(203, 'hi', { 'content-type': 'text/plain' });
    expect(await call('get')).toEqual({ status_code: 203, body: 'hi', headers: { 'content-type': 'text/plain' } });
  });
});

describe('HTTP exceptions', () => {
  it.each([
    [new BadRequestException('bad'), 400, 'Bad Request', 'BAD_REQUEST'],
    [new UnauthorizedException(), 401, 'Unauthorized', 'UNAUTHORIZED'],
    [new ForbiddenException(), 403, 'Forbidden', 'FORBIDDEN'],
    [new NotFoundException('Todo 1 not found'), 404, 'Not Found', 'NOT_FOUND'],
    [new ConflictException('exists'), 409, 'Conflict', 'CONFLICT'],
    [new UnprocessableEntityException(['a', 'b']), 422, 'Unprocessable Entity', 'UNPROCESSABLE_ENTITY'],
    [new InternalServerErrorException(), 500, 'Internal Server Error', 'INTERNAL_SERVER_ERROR'],
  ])('maps %p to its status and body', async (exception, status, error, code) => {
    behaviour = () => {
      throw exception;
    };
    const reply = await call('get');
    expect(exception.code).toBe(code);
    expect(reply).toEqual({ status_code: status, body: { statusCode: status, error, message: exception.getResponse().message } });
  });

  it('accepts a custom status through HttpException', async () => {
    behaviour = () => {
      throw new HttpException(418, "I'm a teapot", 'TEAPOT');
    };
    expect(await call('get')).toEqual({ status_code: 418, body: { statusCode: 418, error: 'Error', message: "I'm a teapot" } });
  });

  it('turns any other error into a generic 500 and logs the stack only', async () => {
    const logger = recordingLogger();
    behaviour = () => {
      throw new Error('db password is hunter2');
    };
    const reply = await call('get', logger);
    expect(reply).toEqual({
      status_code: 500,
      body: { statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' },
    });
    expect(JSON.stringify(reply)).not.toContain('hunter2');
    expect(logger.errors[0]?.message).toContain('x::get failed: db password is hunter2');
    expect(logger.errors[0]?.trace).toContain('Error: db password is hunter2');
  });

  it('handles a thrown non-Error value and a rejected promise', async () => {
    behaviour = () => Promise.reject('plain string');
    expect(await call('get')).toMatchObject({ status_code: 500 });
  });
});
