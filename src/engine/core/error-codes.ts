/**
 * Every error code the engine itself produces: one closed set (docs/engine.md §3.13). The
 * spellings are the real engine's where the iii SDK can observe them on the wire (lower snake case
 * for protocol errors, upper case for the built-in workers' own codes); codes that come from a
 * worker or a bridged engine pass through unchanged (`EngineError.passThrough`).
 */
export const ENGINE_ERROR_CODES = [
  // protocol and routing
  'function_not_found',
  'invocation_stopped',
  'invocation_error',
  'invocation_failed',
  'channel_send_failed',
  'FORBIDDEN',
  'AUTH_ERROR',
  'enqueue_error',
  'trigger_registration_failed',
  'registration_refused',
  // input
  'deserialization_error',
  'INVALID_ARGUMENTS',
  'NOT_FOUND',
  'topic_not_set',
  'topic_required',
  'queue_not_set',
  'queue_not_found',
  'function_id_not_set',
  'message_id_not_set',
  // configuration
  'config_invalid',
  'config_not_found',
  // state
  'VALUE_TOO_LARGE',
  'SET_ERROR',
  'GET_ERROR',
  'DELETE_ERROR',
  'UPDATE_ERROR',
  'LIST_ERROR',
  'LIST_GROUPS_ERROR',
  // streams
  'STREAM_SET_ERROR',
  'STREAM_GET_ERROR',
  'STREAM_DELETE_ERROR',
  'STREAM_UPDATE_ERROR',
  'STREAM_GET_GROUP_ERROR',
  'STREAM_LIST_GROUPS_ERROR',
  'STREAM_LIST_ALL_ERROR',
  'STREAM_SEND_ERROR',
  'JSON_ERROR',
  // storage
  'STORAGE_INVALID_VALUE',
  'STORAGE_OPEN_FAILED',
  'DATA_DIR_IN_USE',
  'STORAGE_WRITE_FAILED',
  'STORAGE_CLOSED',
  'serialization_error',
  // bridge
  'BRIDGE_UNAVAILABLE',
  'BRIDGE_ERROR',
  // HTTP-invoked functions
  'http_request_failed',
  'http_response_failed',
  'http_error',
  'invalid_response',
  'invalid_invocation',
  'url_validation_failed',
  // queue
  'queue_stopped',
  // engine::settle (tests and tools)
  'settle_timeout',
  // an error body that was not one
  'UNKNOWN',
] as const;

/** One code of the engine's closed set. */
export type EngineErrorCode = (typeof ENGINE_ERROR_CODES)[number];
