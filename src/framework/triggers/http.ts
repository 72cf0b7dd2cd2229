import { HttpException } from '../http/exceptions';
import type { HttpReply as IIIHttpReply } from '../../protocol/triggers';
import { HttpResult } from '../http/result';
import type { HttpTriggerMeta, ParamMeta } from '../metadata/types';
import { ownField, type Extractor, type TriggerAdapter } from './adapter';

/** `content-type` plus a null body is how the iii http worker is told "no body at all". */
const EMPTY = { headers: { 'content-type': 'application/json' }, body: null };
const INTERNAL_ERROR = { statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' };

/** Trigger kind `http`: iii REST requests in, buffered `{ status_code, headers?, body }` out. */
export const httpAdapter: TriggerAdapter<HttpTriggerMeta> = {
  kind: 'http',
  triggerType: 'http',

  config(meta, prefix) {
    const path = [prefix, meta.path].filter((s) => s !== '').join('/');
    return {
      api_path: path === '' ? '/' : path,
      http_method: meta.httpMethod,
      ...(meta.middleware !== undefined ? { middleware_function_ids: meta.middleware } : {}),
    };
  },

  argument(param: ParamMeta): Extractor {
    const name = param.name;
    switch (param.kind) {
      case 'body':
        return name === undefined ? (p) => ownField(p, 'body') : (p) => ownField(ownField(p, 'body'), name);
      case 'param':
        return section('path_params', name);
      case 'query':
        return section('query_params', name);
      case 'headers':
        return section('headers', name);
      default:
        return (p) => p;
    }
  },

  filter: () => null,
  skipped: () => undefined,

  reply(meta) {
    const ok = meta.status ?? (meta.httpMethod === 'POST' ? 201 : 200);
    const noContent = meta.status ?? 204;
    return (result): IIIHttpReply => {
      if (result instanceof HttpResult) return fromHttpResult(result);
      if (result === undefined) return { status_code: noContent, ...EMPTY };
      return { status_code: ok, body: result };
    };
  },

  fail(_meta, functionId, logger) {
    return (error): IIIHttpReply => {
      if (error instanceof HttpException) {
        if (error.status >= 500) logger.error(`${functionId} answered ${error.status}: ${error.message}`, error.stack);
        return { status_code: error.status, body: error.getResponse() };
      }
      const err = error instanceof Error ? error : new Error(String(error));
      logger.error(`${functionId} failed: ${err.message}`, err.stack);
      return { status_code: 500, body: { ...INTERNAL_ERROR } };
    };
  },
};

/** A whole request section (always an object) or one field of it. */
function section(key: string, name: string | undefined): Extractor {
  if (name === undefined) {
    return (p) => {
      const value = ownField(p, key);
      return value !== null && typeof value === 'object' ? value : {};
    };
  }
  return (p) => ownField(ownField(p, key), name);
}

function fromHttpResult(result: HttpResult): IIIHttpReply {
  const headers = result.headers;
  if (result.body === undefined) {
    return { status_code: result.status, headers: { 'content-type': 'application/json', ...headers }, body: null };
  }
  return { status_code: result.status, body: result.body, ...(headers !== undefined ? { headers } : {}) };
}
