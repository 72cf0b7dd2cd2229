import { createRequire } from 'node:module';
import type * as EngineModule from '../../engine';
import type { StartEngineOptions } from '../../engine';
import type { EngineUrls } from '../../protocol/urls';
import { FrameworkError } from '../errors';
import { portInUseError } from './port-in-use';

export type EmbeddedEngineOptions = StartEngineOptions;

export type { EngineUrls };

export interface EngineConnection {
  readonly urls: EngineUrls;
  /**
   * Where this process's own worker connects, when not `urls.worker`: the embedded engine's
   * in-process address (same handshake and JSON frames as `urls.worker`, passed in memory), or its
   * local unix socket when asked for (`engine: { inProcessWorker: false, localSocket: true }`).
   */
  readonly ownWorkerUrl?: string;
  /** The worker secret to present at the handshake (embedded engine's, or env `III_WORKER_TOKEN`). */
  readonly workerToken?: string;
  /** Closes the embedded engine; `null` when connected to an engine we do not own. */
  readonly close: (() => Promise<void>) | null;
  /** Waits until the embedded engine has nothing due; `null` when connected to an engine we do not own. */
  readonly settle: ((timeoutMs?: number) => Promise<void>) | null;
  /**
   * Stops the embedded engine taking new requests and stream connections (503 with `Retry-After`)
   * and waits for those in flight; `null` when connected to an engine we do not own.
   */
  readonly drain?: ((timeoutMs: number) => Promise<boolean>) | null;
}

/**
 * An explicit URL (option, then `III_URL`) means "connect only"; otherwise the embedded engine is
 * started in-process. The engine module is loaded only in that case, so connect-only apps never
 * load it.
 */
export async function connectEngine(
  engineUrl: string | undefined,
  engine: EmbeddedEngineOptions | undefined,
  streamUrl?: string,
): Promise<EngineConnection> {
  const url = engineUrl ?? nonEmpty(process.env.III_URL);
  if (url !== undefined) {
    const http = nonEmpty(process.env.III_HTTP_URL);
    const stream = streamUrl ?? nonEmpty(process.env.III_STREAM_URL);
    const workerToken = nonEmpty(process.env.III_WORKER_TOKEN);
    return {
      urls: { worker: url, ...(http !== undefined ? { http } : {}), ...(stream !== undefined ? { stream } : {}) },
      ...(workerToken !== undefined && { workerToken }),
      close: null,
      settle: null,
    };
  }
  try {
    // A plain require keeps the engine (and its native SQLite binding) unloaded in connect-only apps.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { startEngine, installInProcessTransport } = require('../../engine') as typeof EngineModule;
    // Before the engine starts, so nothing is left running should it fail (it is idempotent).
    if (engine?.inProcessWorker !== false) installInProcessTransport(sdkWebSocketModule());
    const handle = await startEngine({ inProcessWorker: true, ...engine });
    const { local, inProcess, ...urls } = handle.urls;
    const ownWorkerUrl = inProcess ?? local;
    return {
      urls,
      ...(ownWorkerUrl !== undefined && { ownWorkerUrl }),
      ...(handle.workerToken !== undefined && { workerToken: handle.workerToken }),
      close: () => handle.close(),
      settle: (timeoutMs) => handle.settle(timeoutMs),
      drain: (timeoutMs) => handle.drain(timeoutMs),
    };
  } catch (error) {
    const inUse = portInUseError(error, engine ?? {});
    if (inUse !== undefined) throw inUse;
    const err = error instanceof Error ? error : new Error(String(error));
    const wrapped = new FrameworkError('ENGINE_START_FAILED', `Could not start the embedded iii engine: ${err.message}`);
    wrapped.stack = `${wrapped.stack ?? ''}\nCaused by: ${err.stack ?? err.message}`;
    throw wrapped;
  }
}

/** The `ws` module iii-sdk loads (resolved from iii-sdk's own directory), whose `WebSocket` it constructs. */
function sdkWebSocketModule(): EngineModule.WebSocketModule {
  const sdkRequire = createRequire(require.resolve('iii-sdk'));
  return sdkRequire('ws') as EngineModule.WebSocketModule;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
