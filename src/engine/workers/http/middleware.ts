/**
 * HTTP middleware (engine.md §9.4): each function gets `{phase, request, context}` and answers
 * `{action:'continue'}` or `{action:'respond', response}`. Anything else (no result, unknown
 * action) continues; a failure ends the request with a 500 envelope. Middleware functions get no
 * trigger metadata. Timeouts are the request pipeline's business (it knows the deadline).
 */
import type { EngineContext } from '../../core/types';
import { failureReply, generateErrorId, replyFromMiddleware } from './response';
import type { HttpReply, StringRecord } from './types';

export interface MiddlewareInput {
  phase: 'preHandler';
  request: { path_params: StringRecord; query_params: StringRecord; headers: StringRecord; method: string };
  context: Record<string, never>;
}

export function buildMiddlewareInput(request: MiddlewareInput['request']): MiddlewareInput {
  return { phase: 'preHandler', request, context: {} };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Runs the functions in order; resolves the reply of the first one that responds or fails, or
 * null when all continue.
 */
export async function runMiddleware(
  context: EngineContext,
  functionIds: readonly string[],
  input: MiddlewareInput,
): Promise<HttpReply | null> {
  for (let i = 0; i < functionIds.length; i++) {
    const functionId = functionIds[i];
    let result: unknown;
    try {
      result = await context.invoke(functionId, input);
    } catch (err) {
      const errorId = generateErrorId();
      context.logger.error('http middleware failed', { function_id: functionId, error_id: errorId, error: String(err) });
      return failureReply(err, errorId);
    }
    if (isRecord(result) && result.action === 'respond') return replyFromMiddleware(result.response);
    if (!isRecord(result) || result.action !== 'continue') {
      context.logger.warn('http middleware gave no valid action; continuing', { function_id: functionId });
    }
  }
  return null;
}
