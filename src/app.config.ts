import { IsBoolean, IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

const Port = (): PropertyDecorator => {
  const decorators = [IsOptional(), IsInt(), Min(0), Max(65535)];
  return (target, key) => decorators.forEach((d) => d(target, key));
};

/**
 * The reference app's environment, validated by `ConfigModule` at start-up (a bad value stops the
 * app naming the variable). Defaults are the property initializers.
 */
export class AppConfig {
  /** Connect to this iii engine instead of starting the embedded one. */
  @IsOptional() @IsString() III_URL?: string;
  /** REST port of the embedded engine (wins over `III_HTTP_PORT`). */
  @Port() PORT?: number;
  @Port() III_HTTP_PORT?: number;
  /** Stream WebSocket port of the embedded engine; with `III_URL`, where the page looks for streams. */
  @Port() III_STREAM_PORT?: number;
  @Port() III_WORKER_PORT?: number;
  /** A full stream URL of an external engine (read by the framework too). */
  @IsOptional() @IsString() III_STREAM_URL?: string;
  @IsString() III_DATA_DIR: string = './data';
  /** Interface the embedded engine binds (default 127.0.0.1). */
  @IsOptional() @IsString() III_HOST?: string;
  /** A config.yaml for the embedded engine (e.g. RBAC listeners); the secure defaults fill in the rest. */
  @IsOptional() @IsString() III_CONFIG?: string;
  /** The worker secret: required from every worker by the embedded engine, presented to an external one. */
  @IsOptional() @IsString() III_WORKER_TOKEN?: string;
  /** Comma-separated browser origins allowed by CORS and on the stream socket. */
  @IsOptional() @IsString() III_CORS_ORIGINS?: string;
  /** `1`/`true`: serve the read-only dev console on loopback (embedded engine only). */
  @IsOptional() @IsBoolean() III_CONSOLE?: boolean;
  /** Port of the dev console (default 3113). */
  @Port() III_CONSOLE_PORT?: number;

  /** The REST port asked for, if any. */
  get httpPort(): number | undefined {
    return this.PORT ?? this.III_HTTP_PORT;
  }

  /** `III_CORS_ORIGINS` as a list (empty when unset). */
  get corsOrigins(): string[] {
    return (this.III_CORS_ORIGINS ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter((origin) => origin !== '');
  }
}
