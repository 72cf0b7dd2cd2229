/** The tests of a generated module: a unit test through DI and an end-to-end test on the embedded engine. */
import type { ModuleNames } from './names';

const SAMPLE_TIME = '2026-01-01T00:00:00.000Z';

export function unitTestSource(n: ModuleNames): string {
  const src = `../../../../src`;
  const mod = `${src}/modules/${n.kebab}`;
  return `import { NotFoundException, StreamService, Test, type StreamHandle, type TestingModule } from '#framework';
import type { Create${n.entity}Dto } from '${mod}/dto/create-${n.entityKebab}.dto';
import type { Update${n.entity}Dto } from '${mod}/dto/update-${n.entityKebab}.dto';
import type { ${n.entity} } from '${mod}/${n.entityKebab}.entity';
import { ${n.pascal}Controller } from '${mod}/${n.kebab}.controller';
import { ${n.pascal}Reactions } from '${mod}/${n.kebab}.reactions';
import { ${n.pascal}Service } from '${mod}/${n.kebab}.service';

const SAMPLE: ${n.entity} = { id: 'a1', title: 'first', createdAt: '${SAMPLE_TIME}', updatedAt: '${SAMPLE_TIME}' };

/** Stands in for ${n.pascal}Service. Typed against its public surface, so it stops compiling when the service changes. */
class ${n.pascal}ServiceStandIn implements Pick<${n.pascal}Service, keyof ${n.pascal}Service> {
  readonly created: Create${n.entity}Dto[] = [];

  async create(dto: Create${n.entity}Dto): Promise<${n.entity}> {
    this.created.push(dto);
    return { ...SAMPLE, title: dto.title };
  }

  async findAll(): Promise<${n.entity}[]> {
    return [SAMPLE];
  }

  async findOne(id: string): Promise<${n.entity}> {
    if (id !== SAMPLE.id) throw new NotFoundException(\`${n.entity} \${JSON.stringify(id)} not found\`);
    return SAMPLE;
  }

  async update(id: string, dto: Update${n.entity}Dto): Promise<${n.entity}> {
    return { ...(await this.findOne(id)), ...dto };
  }

  async remove(id: string): Promise<{ id: string; deleted: true }> {
    await this.findOne(id);
    return { id, deleted: true };
  }
}

/** An \`http\` trigger payload, as the engine sends it to the function. */
function request(method: string, path: string, init: { id?: string; body?: unknown } = {}): Record<string, unknown> {
  return {
    method,
    path,
    path_params: init.id === undefined ? {} : { id: init.id },
    query_params: {},
    headers: { 'content-type': 'application/json' },
    body: init.body ?? null,
  };
}

describe('${n.pascal}Controller', () => {
  let module: TestingModule;
  let service: ${n.pascal}ServiceStandIn;

  beforeEach(async () => {
    service = new ${n.pascal}ServiceStandIn();
    module = await Test.createTestingModule({ controllers: [${n.pascal}Controller], providers: [${n.pascal}Service] })
      .overrideProvider(${n.pascal}Service)
      .useValue(service)
      .compile();
  });

  const call = (functionId: string, payload: unknown): Promise<unknown> => module.definition(functionId).invoke(payload);

  it('registers the REST routes under /${n.kebab}', () => {
    const routes = module.definitions().map((d) => \`\${String(d.config?.http_method)} \${String(d.config?.api_path)}\`);
    expect(routes.sort()).toEqual(['DELETE ${n.kebab}/:id', 'GET ${n.kebab}', 'GET ${n.kebab}/:id', 'PATCH ${n.kebab}/:id', 'POST ${n.kebab}']);
  });

  it('creates with the validated body and answers 201', async () => {
    const reply = await call('${n.kebab}::create', request('POST', '${n.kebab}', { body: { title: 'new' } }));

    expect(reply).toEqual({ status_code: 201, body: { ...SAMPLE, title: 'new' } });
    expect(service.created).toEqual([expect.objectContaining({ title: 'new' })]);
  });

  it.each([
    ['no body', null],
    ['an empty title', { title: '' }],
    ['an unknown field', { title: 'x', extra: true }],
  ])('answers 400 for %s without calling the service', async (_case, body) => {
    const reply = await call('${n.kebab}::create', { ...request('POST', '${n.kebab}'), body });

    expect(reply).toMatchObject({ status_code: 400, body: { statusCode: 400, error: 'Bad Request' } });
    expect(service.created).toEqual([]);
  });

  it('answers 404 for an unknown id', async () => {
    const reply = await call('${n.kebab}::find-one', request('GET', '${n.kebab}/:id', { id: 'nope' }));

    expect(reply).toEqual({ status_code: 404, body: { statusCode: 404, error: 'Not Found', message: '${n.entity} "nope" not found' } });
  });

  it('updates and deletes by id', async () => {
    const patched = await call('${n.kebab}::update', request('PATCH', '${n.kebab}/:id', { id: 'a1', body: { title: 'renamed' } }));
    const deleted = await call('${n.kebab}::remove', request('DELETE', '${n.kebab}/:id', { id: 'a1' }));

    expect(patched).toEqual({ status_code: 200, body: { ...SAMPLE, title: 'renamed' } });
    expect(deleted).toEqual({ status_code: 200, body: { id: 'a1', deleted: true } });
  });
});

/** Records what the reactions publish; the reads a reaction never makes throw. */
class RecordingStreams implements Pick<StreamService, keyof StreamService> {
  readonly published: string[] = [];

  stream<T>(name: string): StreamHandle<T> {
    const unused = (): never => {
      throw new Error('not used by the reactions');
    };
    return {
      name,
      set: async (group, id, data) => {
        this.published.push(\`set \${name}/\${group}/\${id}\`);
        return { old_value: null, new_value: data };
      },
      delete: async (group, id) => {
        this.published.push(\`delete \${name}/\${group}/\${id}\`);
        return undefined;
      },
      get: unused,
      update: unused,
      list: unused,
      listGroups: unused,
      send: unused,
    };
  }
}

describe('${n.pascal}Reactions', () => {
  it('mirrors a written ${n.entityKebab} into ${n.stream} / all and removes a deleted one', async () => {
    const streams = new RecordingStreams();
    const module = await Test.createTestingModule({ controllers: [${n.pascal}Reactions] })
      .overrideProvider(StreamService)
      .useValue(streams)
      .compile();
    const mirror = module.definition('${n.stream}::mirror');
    const change = { type: 'state', scope: '${n.kebab}', key: 'a1' };

    expect([mirror.triggerType, mirror.config]).toEqual(['state', { scope: '${n.kebab}' }]);
    await mirror.invoke({ ...change, event_type: 'state:created', old_value: null, new_value: SAMPLE });
    await mirror.invoke({ ...change, event_type: 'state:deleted', old_value: SAMPLE, new_value: null });

    expect(streams.published).toEqual(['set ${n.stream}/all/a1', 'delete ${n.stream}/all/a1']);
  });
});
`;
}

export function e2eTestSource(n: ModuleNames): string {
  return `import WebSocket from 'ws';
import { createTestApp, LiveGroup, StreamClient, type TestApp } from '#framework';
import type { ${n.entity} } from '../../src/modules/${n.kebab}/${n.entityKebab}.entity';
import { ${n.pascal}Module } from '../../src/modules/${n.kebab}/${n.kebab}.module';

/** ${n.pascal}Module on the embedded engine (memory storage, free ports): HTTP in, WebSocket stream out. */
describe('${n.pascal}Module end to end', () => {
  let testApp: TestApp;
  let base: string;
  let client: StreamClient;

  beforeAll(async () => {
    testApp = await createTestApp(${n.pascal}Module);
    const { http, stream } = testApp.urls;
    if (http === undefined || stream === undefined) throw new Error('the embedded engine reported no REST or stream URL');
    base = http.replace(/\\/$/, '');
    client = new StreamClient(stream, { WebSocket });
  });

  afterAll(async () => {
    client.close();
    await testApp.close();
  });

  async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
    const init: RequestInit = { method };
    if (body !== undefined) init.headers = { 'content-type': 'application/json' };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await fetch(\`\${base}\${path}\`, init);
    const text = await res.text();
    return { status: res.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
  }

  it('creates, reads, updates and deletes over HTTP', async () => {
    const created = await call<${n.entity}>('POST', '/${n.kebab}', { title: 'first' });
    expect(created).toEqual({ status: 201, body: expect.objectContaining({ title: 'first' }) });
    const id = created.body.id;

    expect(await call('GET', \`/${n.kebab}/\${id}\`)).toEqual({ status: 200, body: created.body });
    expect((await call<${n.entity}[]>('GET', '/${n.kebab}')).body.map((item) => item.id)).toContain(id);
    expect(await call('PATCH', \`/${n.kebab}/\${id}\`, { title: 'renamed' })).toMatchObject({ status: 200, body: { id, title: 'renamed' } });
    expect(await call('DELETE', \`/${n.kebab}/\${id}\`)).toEqual({ status: 200, body: { id, deleted: true } });
    expect(await call('GET', \`/${n.kebab}/\${id}\`)).toMatchObject({ status: 404 });
  });

  it('refuses an invalid body with 400 and stores nothing', async () => {
    const before = await call<${n.entity}[]>('GET', '/${n.kebab}');

    expect(await call('POST', '/${n.kebab}', { title: '' })).toMatchObject({ status: 400, body: { error: 'Bad Request' } });
    expect(await call('POST', '/${n.kebab}', { title: 'x', unknown: true })).toMatchObject({ status: 400 });
    expect(await call('GET', '/${n.kebab}')).toEqual(before);
  });

  it('mirrors every change live to stream ${n.stream}, group all', async () => {
    let changed = (): void => undefined;
    const live = new LiveGroup<${n.entity}>(client, { stream: '${n.stream}', group: 'all' }, { onChange: () => changed() });
    /** Resolves once the live items satisfy \`done\`, checked on every change the stream delivers. */
    const until = (done: () => boolean): Promise<void> =>
      new Promise((resolve) => {
        changed = () => (done() ? resolve() : undefined);
        changed();
      });
    try {
      // Wait for the first sync: every write after it is delivered to this subscriber.
      expect(await live.subscription.synced).toBe(true);

      const { body: created } = await call<${n.entity}>('POST', '/${n.kebab}', { title: 'live' });
      await until(() => live.items.get(created.id)?.title === 'live');
      await call('PATCH', \`/${n.kebab}/\${created.id}\`, { title: 'renamed live' });
      await until(() => live.items.get(created.id)?.title === 'renamed live');
      await call('DELETE', \`/${n.kebab}/\${created.id}\`);
      await until(() => !live.items.has(created.id));
    } finally {
      live.leave();
    }
  });
});
`;
}
