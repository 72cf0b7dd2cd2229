/** Error bodies as they travel on the wire. */

/**
 * The `error` of an `invocationresult` frame (and of a failed `triggerregistrationresult`): what a
 * worker's `trigger()` call rejects with.
 */
export interface ErrorBody {
  code: string;
  message: string;
  stacktrace?: string;
}

/** The JSON body of an HTTP error reply from a framework handler: `{ statusCode, error, message }`. */
export interface HttpErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
}
