/**
 * Entry point of the reference app: `npm start`.
 *
 * Without `III_URL` it starts the embedded iii engine in-process (REST on 3111, streams on 3112,
 * data in ./data); with `III_URL` it only connects to that engine. `bootstrap()` is exported so the
 * end-to-end tests start the app exactly as users do, on ephemeral ports.
 */
import { IIIFactory, loadConfig, type ConfigSource, type IIIApplication, type Logger } from '#framework';
import { AppConfig } from './app.config';
import { AppModule } from './app.module';
import { TODOS_STREAM } from './modules/todos/todo.entity';

const DEFAULT_DATA_DIR = './data';
/** The handshake header carrying the worker secret. */
const WORKER_TOKEN_HEADER = 'x-iii-worker-token';
const DEFAULT_HTTP_PORT = 3111;
const DEFAULT_STREAM_PORT = 3112;

export interface BootstrapOptions {
  /** Connect to this engine instead of starting one (env `III_URL`). */
  engineUrl?: string;
  /** Embedded engine only: REST port (env `PORT` or `III_HTTP_PORT`, default 3111). */
  httpPort?: number;
  /** Embedded engine only: stream port (env `III_STREAM_PORT`, default 3112). */
  streamPort?: number;
  /** Embedded engine only: worker protocol port (env `III_WORKER_PORT`, default 49134). */
  workerPort?: number;
  /** External engine only: its stream URL, when it is not the engine host's `III_STREAM_PORT` (env `III_STREAM_URL`). */
  streamUrl?: string;
  /** Embedded engine only: where SQLite data lives (env `III_DATA_DIR`, default ./data). */
  dataDir?: string;
  /** Embedded engine only: 'memory' keeps nothing across restarts. */
  storage?: 'sqlite' | 'memory';
  /** Embedded engine only: bind every listener to a free port (tests). */
  ephemeralPorts?: boolean;
  /**
   * Embedded engine only: interface to bind (env `III_HOST`). Default 127.0.0.1: the worker port
   * accepts any worker that connects, so exposing it is an explicit choice (`III_HOST=0.0.0.0`).
   */
  host?: string;
  /**
   * Embedded engine only: a config.yaml in the real engine's format (env `III_CONFIG`), e.g. for
   * RBAC listeners. The secure defaults below still fill in what the file does not set.
   */
  configFile?: string;
  /**
   * The worker secret (env `III_WORKER_TOKEN`): the embedded engine requires it from every worker;
   * with `III_URL` the app presents it. Without one, an engine bound beyond loopback generates one
   * into the data directory.
   */
  workerToken?: string;
  /** Browser origins allowed by CORS and on the stream socket (env `III_CORS_ORIGINS`, comma-separated); default none. */
  corsOrigins?: string[];
  /**
   * Embedded engine only: the read-only dev console on loopback (env `III_CONSOLE=1`), on
   * `consolePort` (env `III_CONSOLE_PORT`, default 3113; a free port with `ephemeralPorts`).
   */
  console?: boolean;
  consolePort?: number;
  logger?: Logger | false;
}

/** Options from the environment, as documented in the README, read and validated by the app's `ConfigModule` schema. */
export function optionsFromEnv(env?: ConfigSource): BootstrapOptions {
  const config = loadConfig(AppConfig, env);
  const options: BootstrapOptions = { dataDir: config.III_DATA_DIR };
  if (config.III_URL !== undefined) options.engineUrl = config.III_URL;
  if (config.httpPort !== undefined) options.httpPort = config.httpPort;
  if (config.III_STREAM_PORT !== undefined) options.streamPort = config.III_STREAM_PORT;
  if (config.III_WORKER_PORT !== undefined) options.workerPort = config.III_WORKER_PORT;
  if (config.III_HOST !== undefined) options.host = config.III_HOST;
  if (config.III_STREAM_URL !== undefined) options.streamUrl = config.III_STREAM_URL;
  if (config.III_CONFIG !== undefined && config.III_CONFIG.trim() !== '') options.configFile = config.III_CONFIG.trim();
  if (config.III_WORKER_TOKEN !== undefined && config.III_WORKER_TOKEN.trim() !== '') options.workerToken = config.III_WORKER_TOKEN.trim();
  if (config.corsOrigins.length > 0) options.corsOrigins = config.corsOrigins;
  if (config.III_CONSOLE === true) options.console = true;
  if (config.III_CONSOLE_PORT !== undefined) options.consolePort = config.III_CONSOLE_PORT;
  return options;
}

/** Creates the app (starting or connecting to the engine), tells the page its stream URL, listens. */
export async function bootstrap(options: BootstrapOptions = {}): Promise<IIIApplication> {
  const app = await IIIFactory.create(AppModule, {
    ...(options.engineUrl !== undefined ? { engineUrl: options.engineUrl } : {}),
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
    ...externalStreamUrl(options),
    workerName: 'todo-app',
    // The embedded engine hands its secret to the app itself; an external one needs it told.
    ...(options.engineUrl !== undefined &&
      options.workerToken !== undefined && { worker: { headers: { [WORKER_TOKEN_HEADER]: options.workerToken } } }),
    engine: {
      ...(options.configFile !== undefined && { config: options.configFile }),
      secure: {
        ...(options.workerToken !== undefined && { workerToken: options.workerToken }),
        ...(options.corsOrigins !== undefined && { corsOrigins: options.corsOrigins }),
      },
      storage: options.storage ?? 'sqlite',
      dataDir: options.dataDir ?? DEFAULT_DATA_DIR,
      host: options.host ?? '127.0.0.1',
      // The console stays on loopback whatever III_HOST says.
      ...(options.console === true && { console: options.consolePort !== undefined ? { port: options.consolePort } : true }),
      // Explicit ports win over `ephemeralPorts` in the engine, so give one or the other.
      ...(options.ephemeralPorts === true
        ? { ephemeralPorts: true }
        : {
            ports: {
              http: options.httpPort ?? DEFAULT_HTTP_PORT,
              stream: options.streamPort ?? DEFAULT_STREAM_PORT,
              ...(options.workerPort !== undefined ? { worker: options.workerPort } : {}),
            },
          }),
    },
  });
  try {
    await app.listen();
    return app;
  } catch (error) {
    await app.close();
    throw error;
  }
}

/**
 * An external engine's stream port is only known from the options: it is where the page connects
 * (`III_STREAM_URL`, when set, wins inside the framework).
 */
function externalStreamUrl(options: BootstrapOptions): { streamUrl?: string } {
  if (options.engineUrl === undefined) return {};
  if (options.streamUrl !== undefined) return { streamUrl: options.streamUrl };
  if (options.streamPort === undefined) return {};
  return { streamUrl: `ws://localhost:${options.streamPort}` };
}

/** Human-facing URLs: a wildcard bind address is reachable as localhost. */
function describeUrls(app: IIIApplication, options: BootstrapOptions): string[] {
  const local = (url: string): string => url.replace('://0.0.0.0', '://localhost').replace('://[::]', '://localhost');
  const http = app.urls.http ?? (options.engineUrl === undefined ? undefined : guessHttpUrl(options));
  const lines = [];
  if (http !== undefined) {
    const base = local(http).replace(/\/$/, '');
    lines.push(`  page:    ${base}/`, `  API:     ${base}/todos`);
  }
  if (app.urls.stream !== undefined) lines.push(`  streams: ${local(app.urls.stream)} (stream "${TODOS_STREAM}")`);
  lines.push(`  engine:  ${local(app.urls.worker)}${options.engineUrl === undefined ? ' (embedded)' : ' (external)'}`);
  if (app.urls.console !== undefined) lines.push(`  console: ${app.urls.console} (dev console, read-only)`);
  return lines;
}

function guessHttpUrl(options: BootstrapOptions): string | undefined {
  try {
    const worker = new URL(options.engineUrl as string);
    return `http://${worker.hostname}:${options.httpPort ?? DEFAULT_HTTP_PORT}`;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const options = optionsFromEnv();
  const app = await bootstrap(options);
  // Ctrl-C / SIGTERM: unregister, shut the worker down, stop the embedded engine, then exit 0.
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      console.log(`\n${signal} again: exiting now`);
      process.exit(130);
    }
    stopping = true;
    console.log(`\n${signal} received, stopping...`);
    app.close().then(
      () => {
        console.log('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        console.error('error while stopping:', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  console.log(['Todo app is running:', ...describeUrls(app, options)].join('\n'));
  if (options.engineUrl === undefined) console.log(`  data:    ${options.dataDir ?? DEFAULT_DATA_DIR}`);
  console.log('Press Ctrl-C to stop.');
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error('Failed to start:', error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
