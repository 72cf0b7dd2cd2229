/**
 * The `state::update` / `stream::update` operations (engine.md §7.2), as pure functions.
 *
 * Two stages, so a caller can reject a malformed call before touching storage:
 * - `parseUpdateOps` checks the *shape* of every op (the reference engine deserializes the whole
 *   `ops` array into a typed enum, so one bad op fails the call with `deserialization_error`);
 * - `applyParsedOps` (or `applyUpdateOps`, which checks the shape first) applies well-formed ops
 *   in order. Semantic problems (bad path, wrong target type, ...) never fail the call: the op is
 *   skipped and reported in `errors`.
 */
import {
  checkUpdateOps,
  type UpdateOp as WireUpdateOp,
  type UpdateOpError as WireUpdateOpError,
  type UpdatePath,
} from '../../protocol/update-ops';
import { EngineError } from '../core/errors';
import type { Json } from '../core/types';

/** A path that may name nested segments (`merge`, `append`). Dots are never separators. */
export type SegmentPath = UpdatePath;

/** One well-formed op as read off the wire. */
export type UpdateOp = WireUpdateOp<Json>;

/** The engine always links its error codes to their documentation. */
export type UpdateOpError = WireUpdateOpError & { doc_url: string };

/**
 * Checks that `ops` is an array of well-formed update ops. Throws
 * `EngineError('deserialization_error', 'Failed to deserialize input for <functionId>: …')`
 * naming the first offending op otherwise.
 */
export function parseUpdateOps(ops: unknown, functionId: string): UpdateOp[] {
  const checked = checkUpdateOps<Json>(ops);
  if (checked.ok) return checked.ops;
  throw new EngineError('deserialization_error', `Failed to deserialize input for ${functionId}: ${checked.problem}`);
}

export const UPDATE_OP_DOC_URL = 'https://iii.dev/docs/workers/iii-state#error-codes';

const MAX_PATH_SEGMENTS = 32;
const MAX_SEGMENT_BYTES = 256;
const MAX_MERGE_DEPTH = 16;
const MAX_MERGE_KEYS = 1024;
// Keys that would reach Object.prototype in a consumer doing `Object.assign` on the result.
const PROTO_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

// ------------------------------------------------------------------------------------------------
// Applying
// ------------------------------------------------------------------------------------------------

/**
 * Applies `ops` in order to a copy of `current` (`undefined` = the key does not exist, which starts
 * from `{}` but lets root-level increment/decrement/append treat the value as missing). Failing ops
 * are skipped and reported; the others still apply. Throws `deserialization_error` for a malformed
 * op (call `parseUpdateOps` first to get the caller's function id into that message).
 */
export function applyUpdateOps(current: Json | undefined, ops: unknown[]): { value: Json; errors: UpdateOpError[] } {
  return applyParsedOps(current, parseUpdateOps(ops, 'update'));
}

/** `applyUpdateOps` for ops already checked by `parseUpdateOps` (the functions check them on input). */
export function applyParsedOps(current: Json | undefined, ops: readonly UpdateOp[]): { value: Json; errors: UpdateOpError[] } {
  const state: ApplyState = {
    value: current === undefined ? {} : cloneJson(current),
    missing: current === undefined,
    errors: [],
  };
  for (let i = 0; i < ops.length; i++) applyOne(state, ops[i], i);
  return { value: state.value, errors: state.errors };
}

interface ApplyState {
  value: Json;
  /** True while the value is still the `{}` stand-in for a missing key. */
  missing: boolean;
  errors: UpdateOpError[];
}

function applyOne(state: ApplyState, op: UpdateOp, index: number): void {
  switch (op.type) {
    case 'set':
      return applySet(state, op.path, op.value, index);
    case 'merge':
      return applyMerge(state, segmentsOf(op.path), op.value, index);
    case 'increment':
      return applyArithmetic(state, 'increment', op.path, op.by, index);
    case 'decrement':
      return applyArithmetic(state, 'decrement', op.path, -op.by, index);
    case 'append':
      return applyAppend(state, segmentsOf(op.path), op.value, index);
    case 'remove':
      return applyRemove(state, op.path, index);
  }
}

function applySet(state: ApplyState, path: string, value: Json | undefined, index: number): void {
  if (!pathIsValid(state, 'set', fieldSegments(path), index)) return;
  const next = value === undefined ? null : value;
  if (path === '') {
    state.value = next;
  } else if (isObject(state.value)) {
    setOwn(state.value, path, next);
  } else {
    return fail(state, index, 'set.target_not_object', notObjectMessage('set', path, state.value));
  }
  state.missing = false;
}

function applyMerge(state: ApplyState, segments: string[], value: Json, index: number): void {
  if (!pathIsValid(state, 'merge', segments, index)) return;
  const problem = mergeValueProblem(value);
  if (problem !== null) return fail(state, index, problem.code, problem.message);
  const source = value as { [key: string]: Json };
  let target: { [key: string]: Json };
  if (segments.length === 0) {
    // A root merge into a non-object is silently ignored by the reference engine (no error).
    if (!isObject(state.value)) return;
    target = state.value;
  } else {
    target = walkOrCreate(state, segments);
  }
  for (const key of Object.keys(source)) setOwn(target, key, source[key] as Json);
  state.missing = false;
}

function mergeValueProblem(value: Json): { code: string; message: string } | null {
  if (!isObject(value)) {
    return { code: 'merge.value.not_an_object', message: 'Merge value must be a JSON object' };
  }
  const keys = Object.keys(value);
  if (keys.length > MAX_MERGE_KEYS) {
    return {
      code: 'merge.value.too_many_keys',
      message: `Merge value has ${keys.length} top-level keys, exceeds maximum of ${MAX_MERGE_KEYS}`,
    };
  }
  const polluted = keys.find((k) => PROTO_KEYS.has(k));
  if (polluted !== undefined) {
    return {
      code: 'merge.value.proto_polluted',
      message: `Merge value top-level key "${polluted}" is a prototype-pollution sink`,
    };
  }
  if (exceedsDepth(value, MAX_MERGE_DEPTH)) {
    return {
      code: 'merge.value.too_deep',
      message: `Merge value JSON nesting depth exceeds maximum of ${MAX_MERGE_DEPTH}`,
    };
  }
  return null;
}

function applyArithmetic(state: ApplyState, name: 'increment' | 'decrement', path: string, delta: number, index: number): void {
  if (!pathIsValid(state, name, fieldSegments(path), index)) return;
  if (path === '') {
    if (state.missing) {
      state.value = delta;
    } else if (typeof state.value === 'number') {
      state.value = state.value + delta;
    } else {
      return fail(state, index, `${name}.not_number`, notNumberMessage(path, state.value));
    }
  } else if (isObject(state.value)) {
    const existing = ownValue(state.value, path);
    if (existing === undefined) {
      setOwn(state.value, path, delta);
    } else if (typeof existing === 'number') {
      setOwn(state.value, path, existing + delta);
    } else {
      return fail(state, index, `${name}.not_number`, notNumberMessage(path, existing));
    }
  } else {
    return fail(state, index, `${name}.target_not_object`, notObjectMessage(name, path, state.value));
  }
  state.missing = false;
}

function applyAppend(state: ApplyState, segments: string[], value: Json, index: number): void {
  if (!pathIsValid(state, 'append', segments, index)) return;
  if (segments.length === 0) {
    if (state.missing) state.value = null;
    const next = appendTo(state, state.value, value, 'root', index);
    if (next === undefined) return;
    state.value = next;
    state.missing = false;
    return;
  }
  const label = `[${segments.join(', ')}]`;
  if (!isObject(state.value)) {
    return fail(state, index, 'append.target_not_object', notObjectMessage('append', label, state.value));
  }
  const leaf = segments[segments.length - 1] as string;
  const parent = segments.length === 1 ? state.value : walkOrCreate(state, segments.slice(0, -1));
  const existing = ownValue(parent, leaf);
  if (existing === undefined) {
    // A missing single-segment field keeps the string tier; a missing nested leaf is always a list.
    setOwn(parent, leaf, segments.length === 1 && typeof value === 'string' ? value : [value]);
  } else {
    const next = appendTo(state, existing, value, leaf, index);
    if (next !== undefined) setOwn(parent, leaf, next);
  }
  state.missing = false;
}

/** The appended target, or `undefined` after recording a type mismatch. */
function appendTo(state: ApplyState, target: Json, value: Json, label: string, index: number): Json | undefined {
  if (Array.isArray(target)) {
    target.push(value);
    return target;
  }
  if (typeof target === 'string') {
    if (typeof value === 'string') return target + value;
    fail(state, index, 'append.type_mismatch', `Expected string append value at path '${label}', got ${typeName(value)}.`);
    return undefined;
  }
  if (target === null) return typeof value === 'string' ? value : [value];
  fail(
    state,
    index,
    'append.type_mismatch',
    `Cannot append at path '${label}': target is ${typeName(target)}, expected array, string, null, or missing field.`,
  );
  return undefined;
}

function applyRemove(state: ApplyState, path: string, index: number): void {
  if (!pathIsValid(state, 'remove', fieldSegments(path), index)) return;
  if (path === '') {
    state.value = null;
  } else if (isObject(state.value)) {
    delete state.value[path];
  } else {
    return fail(state, index, 'remove.target_not_object', notObjectMessage('remove', path, state.value));
  }
  state.missing = false;
}

// ------------------------------------------------------------------------------------------------
// Paths
// ------------------------------------------------------------------------------------------------

/** `set`/`increment`/`decrement`/`remove`: the whole string is one literal key; `""` is the root. */
function fieldSegments(path: string): string[] {
  return path === '' ? [] : [path];
}

/** `merge`/`append`: absent, `""` and `[]` mean the root; a string is one segment. */
function segmentsOf(path: SegmentPath | null | undefined): string[] {
  if (path === undefined || path === null || path === '') return [];
  return typeof path === 'string' ? [path] : path;
}

function pathIsValid(state: ApplyState, op: string, segments: string[], index: number): boolean {
  if (segments.length > MAX_PATH_SEGMENTS) {
    fail(state, index, `${op}.path.too_deep`, `Path depth ${segments.length} exceeds maximum of ${MAX_PATH_SEGMENTS}`);
    return false;
  }
  for (const segment of segments) {
    if (segment === '') {
      fail(state, index, `${op}.path.empty_segment`, 'Path contains an empty segment');
      return false;
    }
    const bytes = Buffer.byteLength(segment, 'utf8');
    if (bytes > MAX_SEGMENT_BYTES) {
      fail(state, index, `${op}.path.segment_too_long`, `Path segment of ${bytes} bytes exceeds maximum of ${MAX_SEGMENT_BYTES}`);
      return false;
    }
    if (PROTO_KEYS.has(segment)) {
      fail(state, index, `${op}.path.proto_polluted`, `Path segment '${segment}' is not allowed (prototype pollution).`);
      return false;
    }
  }
  return true;
}

/**
 * Descends `segments` from the root, creating missing objects and replacing non-object
 * intermediates (and a non-object root) with `{}`; returns the object at the end of the walk.
 */
function walkOrCreate(state: ApplyState, segments: string[]): { [key: string]: Json } {
  if (!isObject(state.value)) state.value = {};
  let node: { [key: string]: Json } = state.value;
  for (const segment of segments) {
    let child = ownValue(node, segment);
    if (!isObject(child)) {
      child = {};
      setOwn(node, segment, child);
    }
    node = child;
  }
  return node;
}

// ------------------------------------------------------------------------------------------------
// JSON helpers
// ------------------------------------------------------------------------------------------------

function fail(state: ApplyState, index: number, code: string, message: string): void {
  state.errors.push({ op_index: index, code, message, doc_url: UPDATE_OP_DOC_URL });
}

function notObjectMessage(op: string, path: string, target: Json): string {
  return `Cannot ${op} at path '${path === '' ? 'root' : path}': target is ${typeName(target)}, expected object.`;
}

function notNumberMessage(path: string, target: Json): string {
  return `Expected number at path '${path === '' ? 'root' : path}', got ${typeName(target)}.`;
}

function isObject(value: unknown): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasOwn(object: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(object, key);
}

/** Reads an own property only (never something inherited such as `toString`). */
function ownValue(object: { [key: string]: Json }, key: string): Json | undefined {
  return hasOwn(object, key) ? object[key] : undefined;
}

/** Writes an own data property, even for a key like `__proto__` (plain assignment would not). */
function setOwn(object: { [key: string]: Json }, key: string, value: Json): void {
  Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
}

function typeName(value: Json): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}

/** True when `value` nests objects/arrays more than `limit` levels deep (iterative: no stack risk). */
function exceedsDepth(value: Json, limit: number): boolean {
  const stack: Array<{ node: Json; depth: number }> = [{ node: value, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: Json; depth: number };
    if (depth > limit) return true;
    const children = Array.isArray(node) ? node : isObject(node) ? Object.values(node) : [];
    for (const child of children) {
      if (typeof child === 'object' && child !== null) stack.push({ node: child, depth: depth + 1 });
    }
  }
  return false;
}

/** A deep copy that keeps own `__proto__` keys as data (JSON.parse defines, never assigns). */
function cloneJson(value: Json): Json {
  return typeof value === 'object' && value !== null ? (JSON.parse(JSON.stringify(value)) as Json) : value;
}
