import {
  defaultConfig,
  loadConfigFile,
  normalizeConfig,
  withMandatoryWorkers,
  WORKER_MANAGER,
  type EngineConfig,
  type WorkerConfigEntry,
} from './config';
import type { EngineUrls as ProtocolEngineUrls } from '../protocol/urls';
import { EngineCore } from './core/engine-core';
import { toEngineError } from './core/errors';
import { createLogger } from './core/logger';
import type { EngineLogger, EngineWorker } from './core/types';
import { openStorage } from './storage';
import { parseWorkerManagerOptions } from './worker-manager/options';
import { WorkerListener } from './worker-manager/listener';
import { WORKER_FACTORIES } from './workers';
import { createChannelsWorker, type ChannelsWorker } from './workers/channels';
import { HttpWorker, parseHttpConfig } from './workers/http';
import { createEngineFunctionsWorker, createObservabilityWorker, OBSERVABILITY_WORKER } from './workers/engine-fn';
import { isExternalFunctionHost } from './workers/http-functions';

export * from './core/types';
export { EngineError, toEngineError, type ErrorBody } from './core/errors';
export type { EngineConfig, WorkerConfigEntry } from './config';

export interface StartEngineOptions {
  /** Path of a config.yaml, or an already-parsed config; default: spec §1.2 defaults. */
  config?: string | EngineConfig;
  /** Where SQLite data lives (default './data'); ignored when storage is 'memory'. */
  dataDir?: string;
  /** 'sqlite' (default) or 'memory' (tests). */
  storage?: 'sqlite' | 'memory';
  /** Bind every listener to port 0 (tests). */
  ephemeralPorts?: boolean;
  /** Override listener ports/hosts: worker manager, http (iii-http), stream (iii-stream). */
  ports?: { worker?: number; http?: number; stream?: number };
  host?: string;
}

/** The listeners' URLs, plus every worker-manager listener in config order. */
export interface EngineUrls extends ProtocolEngineUrls {
  readonly workers: string[];
}

export interface EngineHandle {
  /**
   * ws://host:port of the (first) worker listener; http://… of iii-http; ws://… of iii-stream.
   * `workers` lists every worker-manager listener in config order (RBAC listeners after the first).
   */
  readonly urls: EngineUrls;
  /** Idempotent; releases every port, timer and file handle. */
  close(): Promise<void>;
}

/** Workers the config may name that we either always run or knowingly do not provide. */
const ALWAYS_STARTED = new Set(['iii-engine-functions', OBSERVABILITY_WORKER]);
const NOT_PROVIDED = new Set(['configuration', 'iii-telemetry']);

function resolveConfig(config: StartEngineOptions['config']): EngineConfig {
  if (config === undefined) return defaultConfig();
  if (typeof config === 'string') return loadConfigFile(config);
  return normalizeConfig(config);
}

/** Applies `ephemeralPorts`, `ports` and `host` to the listener entries. */
function applyOverrides(entries: WorkerConfigEntry[], options: StartEngineOptions): WorkerConfigEntry[] {
  const portKey: Record<string, keyof NonNullable<StartEngineOptions['ports']>> = {
    [WORKER_MANAGER]: 'worker',
    'iii-http': 'http',
    'iii-stream': 'stream',
  };
  let firstWorkerManager = true;
  return entries.map((entry) => {
    const key = portKey[entry.name];
    if (key === undefined) return entry;
    const config = { ...entry.config };
    if (options.ephemeralPorts === true) config.port = 0;
    // An explicit worker port applies to the first worker-manager entry only (the SDK's listener).
    const explicit = options.ports?.[key];
    if (explicit !== undefined && (key !== 'worker' || firstWorkerManager)) config.port = explicit;
    if (key === 'worker') firstWorkerManager = false;
    if (options.host !== undefined) config.host = options.host;
    return { name: entry.name, config };
  });
}

class RunningEngine implements EngineHandle {
  private closing: Promise<void> | undefined;
  urls: EngineUrls = { worker: '', workers: [] };
  /** Channel sockets are upgraded off the listeners' servers, which wait for them: close them first. */
  channels: ChannelsWorker | undefined;

  constructor(
    private readonly core: EngineCore,
    private readonly workers: EngineWorker[],
    private readonly listeners: WorkerListener[],
    private readonly logger: EngineLogger,
  ) {}

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    await this.channels?.stop();
    await Promise.all(this.listeners.map((listener) => listener.close()));
    this.core.shutdown();
    for (const worker of [...this.workers].reverse()) {
      try {
        await worker.stop();
      } catch (err) {
        this.logger.error(`stopping ${worker.name} failed`, { error: toEngineError(err).message });
      }
    }
    await this.core.storage.close();
  }
}

/** Starts the embedded iii engine in phases: storage → built-ins → configured workers → listeners. */
export async function startEngine(options: StartEngineOptions = {}): Promise<EngineHandle> {
  const logger = createLogger({ scope: 'engine' });
  const config = withMandatoryWorkers(resolveConfig(options.config));
  const entries = applyOverrides(config.workers, options);
  const storage =
    options.storage === 'memory'
      ? openStorage({ kind: 'memory' })
      : openStorage({ kind: 'sqlite', directory: options.dataDir ?? './data' });
  const core = new EngineCore(storage, logger);
  const workers: EngineWorker[] = [];
  const listeners: WorkerListener[] = [];
  const engine = new RunningEngine(core, workers, listeners, logger);
  try {
    const channels = (engine.channels = await startBuiltins(core, workers));
    await startConfiguredWorkers(core, entries, channels, workers, logger);
    for (const entry of entries.filter((e) => e.name === WORKER_MANAGER)) {
      const listener = new WorkerListener(core, parseWorkerManagerOptions(entry.config, logger));
      listeners.push(listener);
      await listener.listen();
    }
  } catch (err) {
    await engine.close();
    throw err;
  }
  const urlOf = (name: string): string | undefined => workers.find((worker) => worker.name === name)?.url?.();
  engine.urls = {
    worker: listeners[0]?.url() ?? '',
    workers: listeners.map((listener) => listener.url()),
    ...(urlOf('iii-http') !== undefined && { http: urlOf('iii-http') }),
    ...(urlOf('iii-stream') !== undefined && { stream: urlOf('iii-stream') }),
  };
  return engine;
}

/** The workers every engine runs, whatever the config says; returns the channels worker. */
async function startBuiltins(core: EngineCore, workers: EngineWorker[]): Promise<ChannelsWorker> {
  for (const worker of [createEngineFunctionsWorker(core), createObservabilityWorker(core)]) {
    workers.push(worker);
    await worker.start(core.createContext(worker.name));
  }
  const channels = createChannelsWorker(core);
  workers.push(channels);
  await channels.start();
  return channels;
}

/** The config's `workers:` entries, once each; unknown or unprovided ones are logged and skipped. */
async function startConfiguredWorkers(
  core: EngineCore,
  entries: readonly WorkerConfigEntry[],
  channels: ChannelsWorker,
  workers: EngineWorker[],
  logger: EngineLogger,
): Promise<void> {
  const started = new Set<string>();
  for (const entry of entries) {
    if (entry.name === WORKER_MANAGER || ALWAYS_STARTED.has(entry.name)) continue;
    const factory = WORKER_FACTORIES[entry.name];
    if (factory === undefined) {
      const why = NOT_PROVIDED.has(entry.name) ? 'not provided by the embedded engine' : 'unknown worker';
      logger.warn(`worker ${entry.name} skipped: ${why}`);
      continue;
    }
    if (started.has(entry.name)) {
      logger.warn(`worker ${entry.name} listed twice; the second entry is ignored`);
      continue;
    }
    started.add(entry.name);
    // iii-http gets the data channels of spec §9.2/§9.3 (request_body / response).
    const worker = entry.name === 'iii-http' ? new HttpWorker(parseHttpConfig(entry.config), channels.httpHooks()) : factory(entry.config);
    workers.push(worker);
    await worker.start(core.createContext(entry.name));
    if (isExternalFunctionHost(worker)) core.externalFunctions = worker;
  }
}
