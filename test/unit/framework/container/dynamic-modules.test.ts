import { IsBoolean, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import {
  ConfigModule,
  ConfigService,
  Global,
  Inject,
  Injectable,
  Module,
  Test,
  loadConfig,
  type DynamicModule,
} from '../../../../src/framework';
import { failure } from '../failure';

/** A module written the way a library author writes one: forRoot / forRootAsync / forFeature. */
interface DbOptions {
  url: string;
}
const DB_OPTIONS = Symbol('DB_OPTIONS');
const tableToken = (name: string) => `table:${name}`;

@Injectable()
class Db {
  constructor(@Inject(DB_OPTIONS) readonly options: DbOptions) {}
  table(name: string): string {
    return `${this.options.url}/${name}`;
  }
}

@Module({})
class DbModule {
  static forRoot(options: DbOptions): DynamicModule {
    return { module: DbModule, global: true, providers: [{ provide: DB_OPTIONS, useValue: options }, Db], exports: [Db] };
  }
  static forRootAsync(options: {
    imports?: DynamicModule['imports'];
    useFactory: (...deps: never[]) => DbOptions | Promise<DbOptions>;
    inject?: DynamicModule['exports'];
  }): DynamicModule {
    return {
      module: DbModule,
      global: true,
      imports: options.imports ?? [],
      providers: [{ provide: DB_OPTIONS, useFactory: options.useFactory, inject: (options.inject ?? []) as never }, Db],
      exports: [Db],
    };
  }
  static forFeature(names: string[]): DynamicModule {
    const providers = names.map((name) => ({ provide: tableToken(name), useFactory: (db: Db) => db.table(name), inject: [Db] }));
    return { module: DbModule, providers, exports: names.map(tableToken) };
  }
}

@Injectable()
class TodosRepo {
  constructor(@Inject('table:todos') readonly table: string) {}
}
@Module({ imports: [DbModule.forFeature(['todos'])], providers: [TodosRepo], exports: [TodosRepo] })
class TodosModule {}

describe('dynamic modules', () => {
  it('forRoot configures a global module; forFeature adds per-feature providers', async () => {
    const ref = await Test.createTestingModule({ imports: [DbModule.forRoot({ url: 'mem://a' }), TodosModule] }).compile();
    expect(ref.get(TodosRepo).table).toBe('mem://a/todos');
  });

  it('two forFeature calls are two modules, each exporting its own tables', async () => {
    @Injectable()
    class Both {
      constructor(
        @Inject('table:a') readonly a: string,
        @Inject('table:b') readonly b: string,
      ) {}
    }
    @Module({ imports: [DbModule.forFeature(['a']), DbModule.forFeature(['b'])], providers: [Both], exports: [Both] })
    class Feature {}
    const ref = await Test.createTestingModule({ imports: [DbModule.forRoot({ url: 'x' }), Feature] }).compile();
    expect([ref.get(Both).a, ref.get(Both).b]).toEqual(['x/a', 'x/b']);
  });

  it('forRootAsync: useFactory with inject, from an imported config module, awaited', async () => {
    class DbConfig {
      @IsString() DB_URL: string = 'mem://default';
    }
    const dynamic = DbModule.forRootAsync({
      imports: [ConfigModule.forFeature(DbConfig, { DB_URL: 'mem://from-env' })],
      useFactory: async (config: DbConfig) => ({ url: config.DB_URL }),
      inject: [DbConfig],
    });
    const ref = await Test.createTestingModule({ imports: [dynamic, TodosModule] }).compile();
    expect(ref.get(TodosRepo).table).toBe('mem://from-env/todos');
  });

  it('@Global(): exports visible in modules that do not import it', async () => {
    @Injectable()
    class Clock {
      now = () => 1;
    }
    @Global()
    @Module({ providers: [Clock], exports: [Clock] })
    class ClockModule {}
    @Injectable()
    class UsesClock {
      constructor(readonly clock: Clock) {}
    }
    @Module({ providers: [UsesClock], exports: [UsesClock] })
    class Feature {}
    const ref = await Test.createTestingModule({ imports: [Feature, ClockModule] }).compile();
    expect(ref.get(UsesClock).clock.now()).toBe(1);
  });

  it('a non-global dynamic module stays private to its importer', async () => {
    @Module({ imports: [DbModule.forFeature(['x'])] })
    class Feature {}
    @Injectable()
    class Outsider {
      constructor(@Inject('table:x') readonly x: string) {}
    }
    @Module({ providers: [Outsider] })
    class Other {}
    const error = await failure(Test.createTestingModule({ imports: [DbModule.forRoot({ url: 'u' }), Feature, Other] }).compile());
    expect(error.code).toBe('UNKNOWN_DEPENDENCY');
  });
});

describe('ConfigModule', () => {
  class AppConfig {
    @IsInt() @Min(0) @Max(65535) PORT: number = 3111;
    @IsString() DATA_DIR: string = './data';
    @IsOptional() @IsBoolean() VERBOSE?: boolean;
  }

  it('reads, converts and validates the environment, with the class defaults', () => {
    expect(loadConfig(AppConfig, { PORT: '8080', VERBOSE: 'true', UNRELATED: 'x' })).toEqual(
      Object.assign(new AppConfig(), { PORT: 8080, VERBOSE: true }),
    );
    expect(loadConfig(AppConfig, { PORT: ' ', DATA_DIR: '' })).toMatchObject({ PORT: 3111, DATA_DIR: './data' });
  });

  it('CONFIG_INVALID lists every bad variable with its value and the rule it breaks', () => {
    let error: unknown;
    try {
      loadConfig(AppConfig, { PORT: '70000', VERBOSE: 'maybe' });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    const message = (error as Error).message;
    expect(message).toContain('PORT="70000": PORT must not be greater than 65535');
    expect(message).toContain('VERBOSE="maybe"');
  });

  it('forRoot provides the typed schema and ConfigService everywhere (global)', async () => {
    @Injectable()
    class Server {
      constructor(
        readonly config: AppConfig,
        readonly service: ConfigService,
      ) {}
    }
    @Module({ providers: [Server], exports: [Server] })
    class Feature {}
    const ref = await Test.createTestingModule({
      imports: [ConfigModule.forRoot({ schema: AppConfig, source: { PORT: '9000' } }), Feature],
    }).compile();
    expect(ref.get(Server).config.PORT).toBe(9000);
    expect(ref.get(Server).service.get<number>('PORT')).toBe(9000);
    expect(() => ref.get(Server).service.getOrThrow('VERBOSE')).toThrow('VERBOSE');
  });

  it('a bad variable stops the bootstrap', async () => {
    const error = await failure(
      Test.createTestingModule({ imports: [ConfigModule.forRoot({ schema: AppConfig, source: { PORT: 'abc' } })] }).compile(),
    );
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('PORT="abc"');
  });
});
