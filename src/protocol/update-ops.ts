/**
 * The atomic update operations of `state::update` / `stream::update` (engine.md §7.2) and their shape
 * check. The reference engine deserializes the whole `ops` array into a typed enum before
 * applying anything, so one malformed op (unknown `type`, a non-integer `by`, a missing `value`,
 * ...) fails the call with `deserialization_error` instead of being reported per op.
 */
import { isPlainObject } from './json';

/** A path that may name nested segments (`merge`, `append`). Dots are never separators. */
export type UpdatePath = string | string[];

/**
 * One update op in its wire shape. `V` is the type of the values it carries: `unknown` for
 * callers, the engine's `Json` once an op has been read off the wire.
 */
export type UpdateOp<V = unknown> =
  | { type: 'set'; path: string; value?: V }
  | { type: 'merge'; path?: UpdatePath; value: V }
  | { type: 'increment'; path: string; by: number }
  | { type: 'decrement'; path: string; by: number }
  | { type: 'append'; path?: UpdatePath; value: V }
  | { type: 'remove'; path: string };

/** An op the engine skipped, reported in the `errors` of an update's result. */
export interface UpdateOpError {
  op_index: number;
  code: string;
  message: string;
  doc_url?: string;
}

const OP_TYPES = ['set', 'merge', 'increment', 'decrement', 'append', 'remove'] as const;
// 2^63 - 1 rounds to 2^63 as a double; the bound is written as the double it becomes.
const I64_MAX = 2 ** 63;

/** The outcome of `checkUpdateOps`: the ops, or a serde-style description of the first bad one. */
export type UpdateOpsCheck<V> = { ok: true; ops: UpdateOp<V>[] } | { ok: false; problem: string };

/**
 * Checks that `ops` is an array of well-formed update ops (unknown extra keys are ignored).
 * `V` is what the caller knows the values to be (the engine reads them from JSON).
 */
export function checkUpdateOps<V = unknown>(ops: unknown): UpdateOpsCheck<V> {
  if (!Array.isArray(ops)) return { ok: false, problem: `invalid type: ${describe(ops)}, expected a sequence (field \`ops\`)` };
  const checked: UpdateOp<V>[] = new Array<UpdateOp<V>>(ops.length);
  for (let i = 0; i < ops.length; i++) {
    const problem = checkOpShape(ops[i]);
    if (problem !== null) return { ok: false, problem: `ops[${i}]: ${problem}` };
    checked[i] = ops[i] as UpdateOp<V>;
  }
  return { ok: true, ops: checked };
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
