import { EngineError } from '../../../../../src/engine/core/errors';
import {
  errorReply,
  failureReply,
  generateErrorId,
  replyFromMiddleware,
  replyFromResult,
} from '../../../../../src/engine/workers/http/response';
import type { HttpReply } from '../../../../../src/engine/workers/http/types';

const text = (reply: HttpReply): string | null => (reply.body === null ? null : reply.body.toString());
const header = (reply: HttpReply, name: string): string[] => reply.headers.filter(([k]) => k === name).map(([, v]) => v);

describe('function result → reply (buffered mode)', () => {
  it('serialises an object body as JSON with a JSON content-type', () => {
    const reply = replyFromResult({ status_code: 201, body: { id: 1 } });
    expect(reply.status).toBe(201);
    expect(text(reply)).toBe('{"id":1}');
    expect(header(reply, 'content-type')).toEqual(['application/json']);
  });

  it('defaults the status to 200 and the body to {}', () => {
    const reply = replyFromResult({});
    expect(reply.status).toBe(200);
    expect(text(reply)).toBe('{}');
  });

  it('falls back to 200 for an invalid status code', () => {
    expect(replyFromResult({ status_code: 'x' }).status).toBe(200);
    expect(replyFromResult({ status_code: 42 }).status).toBe(200);
    expect(replyFromResult({ status_code: 200.5 }).status).toBe(200);
  });

  it('sends a string body raw when a content-type is given', () => {
    const reply = replyFromResult({ headers: { 'Content-Type': 'text/xml' }, body: '<a/>' });
    expect(text(reply)).toBe('<a/>');
    expect(header(reply, 'content-type')).toEqual(['text/xml']);
  });

  it('sends no body for a null body with a content-type', () => {
    expect(replyFromResult({ headers: { 'content-type': 'text/plain' }, body: null }).body).toBeNull();
  });

  it('sends JSON text for a non-string body under a non-JSON content-type', () => {
    const reply = replyFromResult({ headers: { 'content-type': 'text/plain' }, body: [1, 2] });
    expect(text(reply)).toBe('[1,2]');
    expect(header(reply, 'content-type')).toEqual(['text/plain']);
  });

  it('JSON-encodes a string body when no content-type is given', () => {
    expect(text(replyFromResult({ body: 'hi' }))).toBe('"hi"');
  });

  it('accepts headers as "Name: value" lines and skips invalid entries', () => {
    const reply = replyFromResult({ headers: ['X-One: 1', 'no colon', 42, 'Bad Name: x', 'X-Two:  2 '], body: {} });
    expect(header(reply, 'x-one')).toEqual(['1']);
    expect(header(reply, 'x-two')).toEqual(['2']);
    expect(reply.headers.some(([k]) => k === 'bad name')).toBe(false);
  });

  it('skips header values that are not strings or not valid', () => {
    const reply = replyFromResult({ headers: { 'x-num': 1, 'x-bad': 'a\nb', 'x-ok': 'ok' } });
    expect(reply.headers.filter(([k]) => k.startsWith('x-'))).toEqual([['x-ok', 'ok']]);
  });

  it('answers 200 {} for a result that is not an object', () => {
    for (const result of ['hello', 42, true, [1]]) {
      const reply = replyFromResult(result);
      expect([reply.status, text(reply)]).toEqual([200, '{}']);
    }
  });

  it('answers 204 without body for an absent result (our deliberate deviation)', () => {
    expect(replyFromResult(undefined)).toEqual({ status: 204, headers: [], body: null });
    expect(replyFromResult(null).status).toBe(204);
  });
});

describe('middleware respond → reply', () => {
  it('uses the status, JSON body and headers given', () => {
    const reply = replyFromMiddleware({ status_code: 403, body: { error: 'no' }, headers: { 'x-why': 'auth' } });
    expect([reply.status, text(reply)]).toEqual([403, '{"error":"no"}']);
    expect(header(reply, 'x-why')).toEqual(['auth']);
    expect(header(reply, 'content-type')).toEqual(['application/json']);
  });

  it('defaults to 200 with a null body', () => {
    const reply = replyFromMiddleware(undefined);
    expect([reply.status, text(reply)]).toEqual([200, 'null']);
  });
});

describe('error envelopes', () => {
  it('carries code, message and error id for failures', () => {
    const reply = failureReply(new EngineError('function_not_found', 'Function x not found'), 'abc');
    expect(reply.status).toBe(500);
    expect(JSON.parse(text(reply)!)).toEqual({ error: { code: 'function_not_found', message: 'Function x not found', error_id: 'abc' } });
  });

  it('hides the message of a non-engine error', () => {
    expect(JSON.parse(text(failureReply(new Error('secret'), 'id'))!)).toEqual({
      error: { code: 'INTERNAL_ERROR', message: 'internal server error', error_id: 'id' },
    });
  });

  it('adds extra top-level fields', () => {
    expect(JSON.parse(text(errorReply(422, 'C', 'm', undefined, { skipped: true }))!)).toEqual({
      error: { code: 'C', message: 'm' },
      skipped: true,
    });
  });

  it('makes error ids of lowercase hex within 48 bits', () => {
    const id = generateErrorId();
    expect(id).toMatch(/^[0-9a-f]{1,12}$/);
  });
});
