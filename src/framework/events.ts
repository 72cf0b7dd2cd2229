/**
 * Typed views of the payloads the engine delivers, for handlers that take the raw event
 * (`@Event()`, or no parameter decorators at all).
 */

/** `@OnStateChange` payload (iii spec §7.3). */
export interface StateChangeEvent<T = unknown> {
  type: 'state';
  event_type: 'state:created' | 'state:updated' | 'state:deleted';
  scope: string;
  key: string;
  /** `null` when the key did not exist. */
  old_value: T | null;
  /** `null` for deletions. */
  new_value: T | null;
}

/** `@OnStreamChange` payload (iii spec §8.3–8.4). */
export interface StreamChangeEvent<T = unknown> {
  type: 'stream';
  timestamp: number;
  streamName: string;
  groupId: string;
  id: string | null;
  event: { type: 'create' | 'update' | 'delete'; data: T } | { type: 'event'; event: { type: string; data: unknown } };
}

/** `@OnStreamJoin` / `@OnStreamLeave` payload (iii spec §8.5). */
export interface StreamSubscriptionEvent<C = unknown> {
  subscription_id: string;
  stream_name: string;
  group_id: string;
  id: string | null;
  /** What the stream auth function returned as context, if any. */
  context: C | null;
}

/** `@Cron` payload (iii spec §12.2). */
export interface CronEvent {
  trigger: 'cron';
  job_id: string;
  scheduled_time: string;
  actual_time: string;
}

/** `@Http` payload as the engine sends it (iii spec §9.2), for `@Req()`. */
export interface HttpRequest<TBody = unknown> {
  query_params: Record<string, string | string[]>;
  path_params: Record<string, string>;
  headers: Record<string, string | string[]>;
  /** The registered route (`todos/:id`), not the concrete URL. */
  path: string;
  method: string;
  /** Parsed JSON, or `null` (non-JSON content type, empty or malformed body). */
  body: TBody | null;
  trigger?: { type: 'http'; path: string; method: string };
}
