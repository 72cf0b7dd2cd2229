/** Where an engine can be reached: what an application tells its providers and its pages. */
export interface EngineUrls {
  /** The worker protocol URL the iii-sdk client connects to. */
  readonly worker: string;
  /** The REST port of `iii-http`, when known. */
  readonly http?: string;
  /** The client WebSocket port of `iii-stream`, when known. */
  readonly stream?: string;
  /** The embedded engine's dev console, when enabled. */
  readonly console?: string;
}
