/**
 * An explicit HTTP reply for the rare handler that needs headers or a status decided at run time.
 * Returning anything else gets the decorator's status (200, or 201 for POST).
 */
export class HttpResult<T = unknown> {
  constructor(
    readonly status: number,
    readonly body?: T,
    readonly headers?: Record<string, string>,
  ) {}
}
