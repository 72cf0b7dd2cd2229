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
import { semanticsFromEnv, type EngineSemantics } from './core/semantics';
import type { EngineClock, EngineLogger, EngineWorker } from './core/types';
import { openStorage } from './storage';
import { applySecureProfile, type SecureEngineOptions } from './security/secure-profile';
import { parseWorkerManagerOptions } from './worker-manager/options';
import { WorkerListener } from './worker-manager/listener';
import { DevConsole, type ConsoleOptions } from './console/server';
import { inStartOrder, WORKER_TABLE, workerEntry, type WorkerEntry } from './workers';
import { withDeadline } from './lib/deadline';

export * from './core/types';
export { EngineError, toEngineError, type ErrorBody } from './core/errors';
export type { EngineConfig, WorkerConfigEntry } from './config';
export { ENGINE_SEMANTICS_ENV, type EngineSemantics } from './core/semantics';
export type { SecureEngineOptions } from './security/secure-profile';
export { WORKER_TOKEN_HEADER } from './security/worker-token';
export { installInProcessTransport, IN_PROCESS_SCHEME, type WebSocketModule } from './worker-manager/in-process';
export { DEFAULT_CONSOLE_PORT, ConsoleHostError, type ConsoleOptions } from './console/server';

export interface StartEngineOptions {
  /** Path of a config.yaml, or an already-parsed config; default: engine.md §1.2 defaults. */
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
  /**
   * Whose observable behaviour to follow: `embedded` (default) or `iii-0.22`, the reference engine
   * v0.22.1's (see the README). Unset: the `III_ENGINE_SEMANTICS` environment variable decides.
   */
  semantics?: EngineSemantics;
  /**
   * Secure defaults for an engine serving one app (what `npm start` uses): ownership of
   * registrations, a worker secret when exposed, CORS off, JSON-only bodies, stream Origin checks.
   * Keys the config sets itself still win. Off by default: a config file is followed as is.
   */
  secure?: boolean | SecureEngineOptions;
  /** The engine's time (cron, queue and reaction retries); default the system clock. Tests pass a fake one. */
  clock?: EngineClock;
  /**
   * Also serve the first worker listener on a private unix socket (`urls.local`) for a worker in
   * this process (the framework's own): same handshake and frames, no TCP stack per frame.
   * Ignored on Windows.
   */
  localSocket?: boolean;
  /**
   * Also serve the first worker listener at an in-process address (`urls.inProcess`,
   * `iii+inproc://<id>/`) for a worker in this process (the framework's own): the same handshake,
   * secrets and JSON frames, handed over in memory — no socket, no WebSocket framing. A worker
   * reaches it through `ws` once `installInProcessTransport` was given the `ws` module it uses.
   */
  inProcessWorker?: boolean;
  /**
   * The dev console (`urls.console`): a read-only, loopback-only page of this engine's workers,
   * functions, triggers, state, streams, invocations and reactions. Off unless given; `true` is
   * port 3113 (0 with `ephemeralPorts`).
   */
  console?: boolean | ConsoleOptions;
}

/** The listeners' URLs, plus every worker-manager listener in config order. */
export interface EngineUrls extends ProtocolEngineUrls {
  readonly workers: string[];
  /** `ws+unix:<path>:/` of the first worker listener's local socket, when `localSocket` asked for one. */
  readonly local?: string;
  /** `iii+inproc://<id>/` of the first worker listener, when `inProcessWorker` asked for one. */
  readonly inProcess?: string;
  /** `http://127.0.0.1:3113/` of the dev console, when enabled. */
  readonly console?: string;
}

export interface EngineHandle {
  /**
   * ws://host:port of the (first) worker listener; http://… of iii-http; ws://… of iii-stream.
   * `workers` lists every worker-manager listener in config order (RBAC listeners after the first).
   */
  readonly urls: EngineUrls;
  /** The secret workers must send in `x-iii-worker-token` on the first listener, if it has one. */
  readonly workerToken?: string;
  /** Idempotent; releases every port, timer and file handle. */
  close(): Promise<void>;
  /**
   * The first step of a graceful shutdown: the REST and stream listeners answer new requests and
   * connections 503 with `Retry-After` (never 404), the requests in flight are answered. Resolves
   * `false` if they were not within `timeoutMs` (default 10 s). `close()` follows.
   */
  drain(timeoutMs?: number): Promise<boolean>;
  /**
   * Resolves once nothing is due: every state-trigger cursor caught up (retries not yet due
   * excepted), no queue job running, every stream delivery written. For tests.
   */
  settle(timeoutMs?: number): Promise<void>;
}

/** How long `drain()` waits by default for the requests in flight. */
const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;

/** Workers the config may name that we knowingly do not provide. */
const NOT_PROVIDED = new Set(['configuration', 'iii-telemetry']);

function resolveConfig(config: StartEngineOptions['config'], semantics: EngineSemantics): EngineConfig {
  if (config === undefined) return defaultConfig(semantics);
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
  devConsole: DevConsole | undefined;
  urls: EngineUrls = { worker: '', workers: [] };
  workerToken: string | undefined;

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

  settle(timeoutMs?: number): Promise<void> {
    return this.core.idleProbes.settle(timeoutMs);
  }

  async drain(timeoutMs = DEFAULT_DRAIN_TIMEOUT_MS): Promise<boolean> {
    const drained = Promise.all(this.workers.map((worker) => worker.drain?.().catch(() => undefined))).then(() => true);
    const done = await withDeadline(drained, timeoutMs, () => false);
    if (!done) this.logger.warn(`requests still in flight after ${timeoutMs} ms of draining`);
    return done;
  }

  private async shutdown(): Promise<void> {
    await this.devConsole?.close();
    // Sockets upgraded by a worker's route (data channels) hang off the listeners' servers, which
    // wait for them: those workers stop first (stop is idempotent).
    for (const worker of this.workers.filter((w) => this.core.servesUpgrades(w.name))) await this.stopWorker(worker);
    await Promise.all(this.listeners.map((listener) => listener.close()));
    this.core.shutdown();
    for (const worker of [...this.workers].reverse()) await this.stopWorker(worker);
    await this.core.storage.close();
  }

  private async stopWorker(worker: EngineWorker): Promise<void> {
    try {
      await worker.stop();
    } catch (err) {
      this.logger.error(`stopping ${worker.name} failed`, { error: toEngineError(err).message });
    }
  }
}

/** Starts the embedded iii engine in phases: storage → workers (in start order) → listeners. */
export async function startEngine(options: StartEngineOptions = {}): Promise<EngineHandle> {
  const logger = createLogger({ scope: 'engine' });
  const semantics = options.semantics ?? semanticsFromEnv();
  let config = withMandatoryWorkers(resolveConfig(options.config, semantics));
  config = { ...config, workers: applyOverrides(config.workers, options) };
  if (options.secure !== undefined && options.secure !== false) {
    const dataDir = options.storage === 'memory' ? undefined : (options.dataDir ?? './data');
    config = applySecureProfile(config, options.secure === true ? {} : options.secure, { dataDir, logger });
  }
  const entries = config.workers;
  const storage =
    options.storage === 'memory'
      ? openStorage({ kind: 'memory' })
      : openStorage({ kind: 'sqlite', directory: options.dataDir ?? './data' });
  const core = new EngineCore(storage, logger, semantics, options.clock);
  core.registrations.owned = config.ownership === true;
  const workers: EngineWorker[] = [];
  const listeners: WorkerListener[] = [];
  const engine = new RunningEngine(core, workers, listeners, logger);
  let consoleUrl: string | undefined;
  try {
    for (const { entry, config: workerConfig } of selectWorkers(entries, logger)) {
      const worker = entry.create(workerConfig);
      workers.push(worker);
      await worker.start(core.createContext(entry.name, { needs: entry.needs, listedAs: entry.listedAs }));
    }
    // Ours: the reference engine has no such function (the handle's settle() stays, for tests).
    if (semantics === 'embedded') {
      core.registerBuiltinFunction('iii-engine-functions', {
        id: 'engine::settle',
        description: 'Resolves once nothing is due: state reactions caught up, no queue job running (tests and tools)',
        handler: (data) => core.idleProbes.settle(settleTimeout(data)),
      });
    }
    core.seal();
    for (const entry of entries.filter((e) => e.name === WORKER_MANAGER)) {
      const listenerOptions = parseWorkerManagerOptions(entry.config, logger);
      const listener = new WorkerListener(core, listenerOptions);
      if (listeners.length === 0) engine.workerToken = listenerOptions.authToken;
      listeners.push(listener);
      await listener.listen();
    }
    if (options.console !== undefined && options.console !== false) {
      const consoleOptions = options.console === true ? {} : options.console;
      engine.devConsole = new DevConsole(core, { ...(options.ephemeralPorts === true && { port: 0 }), ...consoleOptions });
      consoleUrl = await engine.devConsole.listen();
    }
  } catch (err) {
    await engine.close();
    throw err;
  }
  const urlOf = (name: string): string | undefined => workers.find((worker) => worker.name === name)?.url?.();
  trustOwnPages(workers, urlOf('iii-http'));
  let local: string | undefined;
  try {
    if (options.localSocket === true && process.platform !== 'win32') local = await listeners[0]?.listenLocal();
  } catch (err) {
    // Only a speed-up: the worker falls back to the TCP listener.
    logger.warn('local worker socket unavailable; the in-process worker uses TCP', { error: toEngineError(err).message });
  }
  const inProcess = options.inProcessWorker === true ? listeners[0]?.listenInProcess() : undefined;
  engine.urls = {
    ...(local !== undefined && { local }),
    ...(inProcess !== undefined && { inProcess }),
    worker: listeners[0]?.url() ?? '',
    workers: listeners.map((listener) => listener.url()),
    ...(urlOf('iii-http') !== undefined && { http: urlOf('iii-http') }),
    ...(urlOf('iii-stream') !== undefined && { stream: urlOf('iii-stream') }),
    ...(consoleUrl !== undefined && { console: consoleUrl }),
  };
  return engine;
}

/** The stream socket lets in browser pages served by this engine's own REST listener. */
function trustOwnPages(workers: readonly EngineWorker[], httpUrl: string | undefined): void {
  if (httpUrl === undefined) return;
  for (const worker of workers) {
    const trusting = worker as EngineWorker & { trustPagesOf?: (url: string) => void };
    trusting.trustPagesOf?.(httpUrl);
  }
}

/**
 * The table entries to start, in start order, with their config blocks: the `always` ones, then
 * each configured worker once; unknown or unprovided names are logged and skipped.
 */
function selectWorkers(
  entries: readonly WorkerConfigEntry[],
  logger: EngineLogger,
): Array<{ entry: WorkerEntry; config: Record<string, unknown> }> {
  const chosen = new Map<WorkerEntry, Record<string, unknown>>();
  for (const entry of WORKER_TABLE) if (entry.always === true) chosen.set(entry, {});
  for (const configured of entries) {
    if (configured.name === WORKER_MANAGER) continue;
    const entry = workerEntry(configured.name);
    if (entry === undefined) {
      const why = NOT_PROVIDED.has(configured.name) ? 'not provided by the embedded engine' : 'unknown worker';
      logger.warn(`worker ${configured.name} skipped: ${why}`);
      continue;
    }
    if (entry.always === true) continue;
    if (chosen.has(entry)) {
      logger.warn(`worker ${configured.name} listed twice; the second entry is ignored`);
      continue;
    }
    chosen.set(entry, configured.config);
  }
  return inStartOrder([...chosen.keys()]).map((entry) => ({ entry, config: chosen.get(entry) ?? {} }));
}

/** `engine::settle {timeout_ms?}`: a positive integer, default 10 s, at most 5 minutes. */
function settleTimeout(data: unknown): number {
  const value = (data as { timeout_ms?: unknown } | null | undefined)?.timeout_ms;
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? Math.min(value, 300_000) : 10_000;
}
