/**
 * The shape check of update ops (spec §7.2). The reference engine deserializes the whole `ops`
 * array into a typed enum before applying anything, so one malformed op (unknown `type`, a
 * non-integer `by`, a missing `value`, ...) fails the call with `deserialization_error` instead of
 * being reported per op.
 */
import { EngineError } from '../../core/errors';
import type { Json } from '../../core/types';

/** A path that may name nested segments (`merge`, `append`). Dots are never separators. */
export type SegmentPath = string | string[];

/** One well-formed op, in its wire shape (so a parsed op can be handed back to `applyUpdateOps`). */
export type UpdateOp =
  | { type: 'set'; path: string; value?: Json }
  | { type: 'merge'; path?: SegmentPath; value: Json }
  | { type: 'increment'; path: string; by: number }
  | { type: 'decrement'; path: string; by: number }
  | { type: 'append'; path?: SegmentPath; value: Json }
  | { type: 'remove'; path: string };

const OP_TYPES = ['set', 'merge', 'increment', 'decrement', 'append', 'remove'] as const;
// 2^63 - 1 rounds to 2^63 as a double; the bound is written as the double it becomes.
const I64_MAX = 2 ** 63;

/**
 * Checks that `ops` is an array of well-formed update ops. Throws
 * `EngineError('deserialization_error', 'Failed to deserialize input for <functionId>: …')`
 * naming the first offending op otherwise. Unknown extra keys are ignored.
 */
export function parseUpdateOps(ops: unknown, functionId: string): UpdateOp[] {
  if (!Array.isArray(ops)) {
    throw deserializationError(functionId, `invalid type: ${describe(ops)}, expected a sequence (field \`ops\`)`);
  }
  const parsed: UpdateOp[] = new Array<UpdateOp>(ops.length);
  for (let i = 0; i < ops.length; i++) {
    const problem = checkOpShape(ops[i]);
    if (problem !== null) throw deserializationError(functionId, `ops[${i}]: ${problem}`);
    parsed[i] = ops[i] as UpdateOp;
  }
  return parsed;
}

function deserializationError(functionId: string, detail: string): EngineError {
  return new EngineError('deserialization_error', `Failed to deserialize input for ${functionId}: ${detail}`);
}

/** Returns a serde-style description of what is wrong with one op, or null when it is fine. */
function checkOpShape(op: unknown): string | null {
  if (!isPlainObject(op)) return `invalid type: ${describe(op)}, expected an update op object`;
  const type = op['type'];
  if (type === undefined) return 'missing field `type`';
  if (typeof type !== 'string' || !(OP_TYPES as readonly string[]).includes(type)) {
    return `unknown variant \`${String(type)}\`, expected one of ${OP_TYPES.map((t) => `\`${t}\``).join(', ')}`;
  }
  switch (type) {
    case 'set':
    case 'remove':
      return checkFieldPath(op);
    case 'increment':
    case 'decrement':
      return checkFieldPath(op) ?? checkBy(op);
    case 'merge':
    case 'append':
      return checkSegmentPath(op) ?? (hasOwn(op, 'value') ? null : 'missing field `value`');
    default:
      return null;
  }
}

function checkFieldPath(op: Record<string, unknown>): string | null {
  if (!hasOwn(op, 'path')) return 'missing field `path`';
  return typeof op['path'] === 'string' ? null : `invalid type: ${describe(op['path'])}, expected a string (field \`path\`)`;
}

function checkSegmentPath(op: Record<string, unknown>): string | null {
  const path = op['path'];
  if (path === undefined || path === null || typeof path === 'string') return null;
  if (Array.isArray(path) && path.every((s) => typeof s === 'string')) return null;
  return 'data did not match any variant of untagged enum MergePath (field `path`)';
}

function checkBy(op: Record<string, unknown>): string | null {
  if (!hasOwn(op, 'by')) return 'missing field `by`';
  const by = op['by'];
  if (typeof by !== 'number') return `invalid type: ${describe(by)}, expected i64 (field \`by\`)`;
  if (!Number.isInteger(by)) return `invalid type: floating point \`${by}\`, expected i64 (field \`by\`)`;
  if (Math.abs(by) > I64_MAX) return `invalid value: integer \`${by}\`, expected i64 (field \`by\`)`;
  return null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasOwn(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'sequence';
  if (typeof value === 'object') return 'map';
  if (typeof value === 'number') return Number.isInteger(value) ? `integer \`${value}\`` : `floating point \`${value}\``;
  if (typeof value === 'string') return `string ${JSON.stringify(value)}`;
  return `${typeof value} \`${String(value)}\``;
}
