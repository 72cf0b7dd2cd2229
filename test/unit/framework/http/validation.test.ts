import { IsInt, IsOptional, IsString, MaxLength, Min, ValidateNested } from 'class-validator';
import { Type } from 'class-transformer';
import { Body, Controller, Http, Module, Test } from '../../../../src/framework';

class TagDto {
  @IsString() name!: string;
}
class CreateTodoDto {
  @IsString() @MaxLength(20) title!: string;
  @IsOptional() @IsInt() @Min(0) priority?: number;
  @IsOptional() @ValidateNested({ each: true }) @Type(() => TagDto) tags?: TagDto[];
}

const received: unknown[] = [];

@Controller('todos')
class TodosController {
  @Http('POST')
  create(@Body() dto: CreateTodoDto) {
    received.push(dto);
    return { ok: true, isDto: dto instanceof CreateTodoDto };
  }
}
@Module({ controllers: [TodosController] })
class TodosModule {}

const JSON_HEADERS = { 'content-type': 'application/json', 'content-length': '12' };

async function post(body: unknown, headers: Record<string, string> = JSON_HEADERS) {
  const ref = await Test.createTestingModule({ imports: [TodosModule] }).compile();
  return ref.definition('todos::create').invoke({ body, path_params: {}, query_params: {}, headers });
}

const badRequest = (message: unknown) => ({ status_code: 400, body: { statusCode: 400, error: 'Bad Request', message } });

describe('@Body() DTO validation', () => {
  beforeEach(() => {
    received.length = 0;
  });

  it('hands a valid body to the method as a DTO instance', async () => {
    expect(await post({ title: 'milk', priority: 1, tags: [{ name: 'home' }] })).toEqual({
      status_code: 201,
      body: { ok: true, isDto: true },
    });
  });

  it('answers 400 with one message a person would write per failing field', async () => {
    const reply = (await post({ title: 5, priority: -1 })) as { status_code: number; body: { message: string[] } };
    expect(reply.status_code).toBe(400);
    expect(reply.body.message).toEqual(['title must be a string of at most 20 characters', 'priority must be an integer of 0 or more']);
    expect(received).toEqual([]);
  });

  it('says a missing field is required, once', async () => {
    expect(await post({})).toEqual(badRequest(['title is required (a string of at most 20 characters)']));
  });

  it('refuses unknown fields', async () => {
    expect(await post({ title: 'milk', admin: true })).toEqual(badRequest(['admin is not a known field']));
  });

  it('reports nested violations with their path', async () => {
    const reply = (await post({ title: 'milk', tags: [{ name: 3 }] })) as { body: { message: string[] } };
    expect(reply.body.message).toEqual(['tags.0.name must be a string']);
  });

  it.each([
    ['malformed JSON (the engine sends null)', JSON_HEADERS, 'request body is not valid JSON'],
    ['no body at all', { 'content-type': 'application/json' }, 'request body is missing: send a JSON object'],
    ['an empty body', { 'content-type': 'application/json', 'content-length': '0' }, 'request body is missing: send a JSON object'],
  ])('answers 400 for %s, saying which', async (_what, headers, message) => {
    expect(await post(null, headers)).toEqual(badRequest([message]));
    expect(received).toEqual([]);
  });

  it('answers 415 for a body that is not sent as JSON', async () => {
    const reply = await post(null, { 'content-type': 'text/plain', 'content-length': '14' });
    expect(reply).toEqual({
      status_code: 415,
      body: { statusCode: 415, error: 'Unsupported Media Type', message: 'content-type must be application/json (got text/plain)' },
    });
    expect(await post(null, { 'transfer-encoding': 'chunked' })).toMatchObject({ status_code: 415 });
  });

  it.each([
    ['an array', [{ title: 'x' }]],
    ['a string', 'title=milk'],
  ])('answers 400 for %s without calling the method', async (_what, body) => {
    const reply = (await post(body)) as { status_code: number; body: { message: string[] } };
    expect(reply.status_code).toBe(400);
    expect(reply.body.message[0]).toMatch(/^body must be a JSON object/);
    expect(received).toEqual([]);
  });

  it('refuses __proto__ keys without polluting any prototype', async () => {
    const body = JSON.parse('{"title":"milk","__proto__":{"polluted":true}}');
    expect(await post(body)).toEqual(badRequest(['property __proto__ is not allowed']));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((CreateTodoDto.prototype as unknown as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses a body whose prototype was replaced (how iii-sdk delivers a JSON __proto__ key)', async () => {
    const body: Record<string, unknown> = {};
    body['__proto__'] = { completed: true };
    body.title = 'milk';
    expect(Object.keys(body)).toEqual(['title']);
    expect(await post(body)).toEqual(badRequest(['property __proto__ is not allowed']));
  });

  it('refuses a nested object whose prototype was replaced', async () => {
    const tag: Record<string, unknown> = {};
    tag['__proto__'] = { admin: true };
    tag.name = 'a';
    expect(await post({ title: 'milk', tags: [tag] })).toEqual(badRequest(['property __proto__ is not allowed']));
  });

  it('refuses nested constructor/prototype keys', async () => {
    const body = JSON.parse('{"title":"milk","tags":[{"name":"a","constructor":{"prototype":{"x":1}}}]}');
    expect(await post(body)).toEqual(badRequest(['property constructor is not allowed']));
  });

  it('refuses absurdly deep bodies', async () => {
    let deep: Record<string, unknown> = {};
    const root = { title: 'milk', tags: deep };
    for (let i = 0; i < 100; i++) {
      const next = {};
      deep.x = next;
      deep = next;
    }
    const reply = (await post(root)) as { status_code: number; body: { message: string[] } };
    expect(reply.status_code).toBe(400);
    expect(reply.body.message[0]).toMatch(/nested deeper/);
  });
});
