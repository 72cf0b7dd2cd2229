import { FrameworkError } from '../errors';
import { Injectable, Module } from '../decorators/module';
import type { DynamicModule, Type } from '../metadata/types';
import { loadConfig, type ConfigSource } from './load-config';

/** The root configuration object (what `ConfigModule.forRoot` loaded), readable by variable name. */
@Injectable()
export class ConfigService {
  constructor(private readonly values: object) {}

  /** The validated, typed value of `key`, or `undefined`. */
  get<V = unknown>(key: string): V | undefined {
    return (this.values as Record<string, unknown>)[key] as V | undefined;
  }

  /** Like `get`, but a missing value is an error naming the key. */
  getOrThrow<V = unknown>(key: string): V {
    const value = this.get<V>(key);
    if (value === undefined) throw new FrameworkError('CONFIG_INVALID', `Configuration value ${key} is not set`);
    return value;
  }
}

export interface ConfigModuleOptions<T extends object> {
  /** A class whose properties are the variables, with class-validator decorators and defaults. */
  schema: Type<T>;
  /** Where variables are read (default `process.env`, read at bootstrap, not at import). */
  source?: ConfigSource | (() => ConfigSource);
  /** Visible in every module without importing it (default true, as for NestJS's usual setup). */
  isGlobal?: boolean;
}

/**
 * Configuration from the environment, validated at bootstrap: a bad or missing variable stops the
 * application with `CONFIG_INVALID` listing each one. Inject the schema class itself (typed), or
 * `ConfigService` for lookups by name.
 */
@Module({})
export class ConfigModule {
  static forRoot<T extends object>(options: ConfigModuleOptions<T>): DynamicModule {
    const { schema } = options;
    return {
      module: ConfigModule,
      global: options.isGlobal ?? true,
      providers: [
        { provide: schema, useFactory: () => loadConfig(schema, readSource(options.source)) },
        { provide: ConfigService, useFactory: (values: T) => new ConfigService(values), inject: [schema] },
      ],
      exports: [schema, ConfigService],
    };
  }

  /** Another configuration class for one feature module (not global). */
  static forFeature<T extends object>(schema: Type<T>, source?: ConfigSource | (() => ConfigSource)): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: schema, useFactory: () => loadConfig(schema, readSource(source)) }],
      exports: [schema],
    };
  }
}

function readSource(source: ConfigSource | (() => ConfigSource) | undefined): ConfigSource {
  if (source === undefined) return process.env;
  return typeof source === 'function' ? source() : source;
}
