import { registerWorker, type IIIClient, type InitOptions } from 'iii-sdk';
import { buildModuleGraph } from '../container/module-graph';
import { Injector } from '../container/injector';
import { ConsoleLogger, silentLogger, type Logger } from '../logger';
import type { ModuleClass } from '../metadata/types';
import type { GlobalEnhancers } from '../pipeline/types';
import { IIIApplication } from './application';
import { coreRecipes } from './core-providers';
import { connectEngine, type EmbeddedEngineOptions, type EngineConnection } from './engine-connection';
import { explore, exploreContext } from './explorer';
import { runHook } from './lifecycle';
import { skipUnrecordedTracePayloads } from './sdk-tracing';
import { quietSdkDebugOutput } from '../sdk-console';

export interface ApplicationOptions {
  /** Connect to this engine (else `III_URL`; else an embedded engine is started in-process). */
  engineUrl?: string;
  /**
   * Where clients reach the stream port of an external engine (else `III_STREAM_URL`); it becomes
   * `ENGINE_URLS.stream`. An embedded engine reports its own.
   */
  streamUrl?: string;
  /** Options for the embedded engine. */
  engine?: EmbeddedEngineOptions;
  /** Worker name reported to the engine. */
  workerName?: string;
  /** A logger, or `false` for none (default: console). */
  logger?: Logger | false;
  /**
   * Use this client instead of creating one (no engine is started or connected to; `close()`
   * still shuts it down). For recording fakes in tests, or a client you configured yourself.
   */
  client?: IIIClient;
  /** Extra iii-sdk `registerWorker` options (OTel is off unless enabled here). */
  worker?: InitOptions;
  /** Close on SIGINT/SIGTERM (same as calling `enableShutdownHooks()`). */
  shutdownHooks?: boolean;
  /** Bound for `listen()`'s confirmation round trip (default 10 000 ms). */
  readyTimeoutMs?: number;
  /** How long `close()` lets handler calls in flight finish (default 5 000 ms). */
  drainTimeoutMs?: number;
  /** What happens after a signal closed the app (default: re-raise the signal). For tests. */
  onSignalClosed?: (signal: NodeJS.Signals) => void;
}

/**
 * Bootstraps an application in phases: graph → engine → providers → explore. `listen()` then
 * registers. Nothing touches the network before the module graph is known to be sound.
 */
export const IIIFactory = {
  async create(root: ModuleClass, options: ApplicationOptions = {}): Promise<IIIApplication> {
    const logger = options.logger === false ? silentLogger : (options.logger ?? new ConsoleLogger());
    let client: IIIClient | undefined;
    let engine: EngineConnection | undefined;
    const graph = buildModuleGraph(
      root,
      coreRecipes(
        () => client as IIIClient,
        logger,
        () => (engine as EngineConnection).urls,
      ),
    );
    engine =
      options.client !== undefined
        ? { urls: { worker: options.engineUrl ?? '(provided client)' }, close: null, settle: null }
        : await connectEngine(options.engineUrl, options.engine, options.streamUrl);
    try {
      client = options.client ?? connectClient(engine, options);
      const injector = new Injector(graph);
      const records = await injector.instantiateAll();
      await runHook(records, 'onModuleInit', logger);
      const definitions = explore(records, exploreContext(injector, logger));
      const reExplore = (globals: GlobalEnhancers) => explore(records, exploreContext(injector, logger, globals));
      const app = new IIIApplication({
        injector,
        records,
        definitions,
        explore: reExplore,
        client,
        engine,
        logger,
        readyTimeoutMs: options.readyTimeoutMs ?? 10_000,
        ...(options.onSignalClosed !== undefined ? { onSignalClosed: options.onSignalClosed } : {}),
        ...(options.drainTimeoutMs !== undefined ? { drainTimeoutMs: options.drainTimeoutMs } : {}),
      });
      if (options.shutdownHooks === true) app.enableShutdownHooks();
      return app;
    } catch (error) {
      await client?.shutdown().catch(() => undefined);
      if (engine.close !== null) await engine.close().catch(() => undefined);
      throw error;
    }
  },
};

/** The handshake header carrying the worker secret (see the engine's worker listener). */
const WORKER_TOKEN_HEADER = 'x-iii-worker-token';

function connectClient(engine: EngineConnection, options: ApplicationOptions): IIIClient {
  quietSdkDebugOutput();
  const headers = { ...(engine.workerToken !== undefined && { [WORKER_TOKEN_HEADER]: engine.workerToken }), ...options.worker?.headers };
  const sdkOptions = {
    otel: { enabled: false },
    enableMetricsReporting: false,
    ...(options.workerName !== undefined ? { workerName: options.workerName } : {}),
    ...options.worker,
    ...(Object.keys(headers).length > 0 && { headers }),
  };
  skipUnrecordedTracePayloads(sdkOptions.otel?.enabled === true);
  return registerWorker(engine.ownWorkerUrl ?? engine.urls.worker, sdkOptions);
}
