/**
 * The payloads the engine hands to functions bound by triggers, typed for handlers that take the
 * raw event (`@Event()`, or no parameter decorators at all) and for the engine that builds them.
 * The stream trigger payloads live with the rest of the stream protocol (`./stream`).
 */

/** The three kinds of state change. */
export type StateEventType = 'state:created' | 'state:updated' | 'state:deleted';

/** `state` trigger payload (engine.md §7.3): one write to a key of a scope. */
export interface StateChangeEvent<T = unknown> {
  type: 'state';
  event_type: StateEventType;
  scope: string;
  key: string;
  /**
   * The key's version after this write: 1 for its first write, +1 for each later one (a delete
   * counts). Set by the embedded engine (which delivers from its change log); absent on an iii
   * engine without one.
   */
  version?: number;
  /** The change's position in the embedded engine's change log (absent elsewhere). */
  seq?: number;
  /** `null` when the key did not exist. */
  old_value: T | null;
  /** `null` for deletions. */
  new_value: T | null;
}

/** `cron` trigger payload (engine.md §12.2), field order as the engine sends it. */
export interface CronEvent {
  trigger: 'cron';
  job_id: string;
  /** RFC 3339 with a `+00:00` offset. */
  scheduled_time: string;
  actual_time: string;
}

/** `http` trigger payload (engine.md §9.2), channels aside. */
export interface HttpRequest<TBody = unknown> {
  query_params: Record<string, string | string[]>;
  path_params: Record<string, string>;
  headers: Record<string, string | string[]>;
  /** The registered route (`todos/:id`), not the concrete URL. */
  path: string;
  /** Upper-case request method. */
  method: string;
  /** Parsed JSON, or `null` (non-JSON content type, empty or malformed body). */
  body: TBody | null;
  trigger?: { type: 'http'; path: string; method: string };
}

/**
 * The buffered reply a function bound to an `http` trigger returns (engine.md §9.3). A `null` body with
 * a `content-type` header means "no body at all".
 */
export interface HttpReply {
  status_code: number;
  body?: unknown;
  headers?: Record<string, string>;
}
