import type { IIIApplication } from '../application/application';
import type { EmbeddedEngineOptions, EngineUrls } from '../application/engine-connection';
import { IIIFactory, type ApplicationOptions } from '../application/factory';
import type { ModuleClass } from '../metadata/types';

export interface TestApp {
  readonly app: IIIApplication;
  readonly urls: EngineUrls;
  close(): Promise<void>;
}

/**
 * Boots `root` on a fresh embedded engine (memory storage, ephemeral ports on 127.0.0.1, no
 * logging) and waits until its functions and triggers are registered. Always `close()` it.
 */
export interface TestAppOptions extends ApplicationOptions {
  /** Runs before `listen()`: global enhancers (`app.useGlobalPipes(...)`) and the like. */
  configure?: (app: IIIApplication) => void;
}

export async function createTestApp(root: ModuleClass, options: TestAppOptions = {}): Promise<TestApp> {
  const { configure, ...appOptions } = options;
  const engine: EmbeddedEngineOptions = { storage: 'memory', ephemeralPorts: true, host: '127.0.0.1', ...options.engine };
  const app = await IIIFactory.create(root, {
    logger: false,
    readyTimeoutMs: 5_000,
    ...appOptions,
    engine,
    worker: {
      reconnectionConfig: { initialDelayMs: 50, maxDelayMs: 250, maxRetries: -1 },
      invocationTimeoutMs: 10_000,
      ...options.worker,
    },
  });
  try {
    configure?.(app);
    await app.listen();
  } catch (error) {
    await app.close();
    throw error;
  }
  return { app, urls: app.urls, close: () => app.close() };
}
