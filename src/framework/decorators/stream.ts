import { writeStreamPublish } from '../metadata/reflection';
import type { StreamJoinLeaveTriggerMeta, StreamPublishOptions, StreamTriggerMeta } from '../metadata/types';
import { describe, invalid, methodName, optionalString, rejectUnknownKeys, requireNonEmptyString, requireOptionsObject } from './checks';
import { optionalFunctionId, triggerDecorator } from './trigger';

/**
 * Publishes what the method returns to stream `streamName` (combine with a trigger decorator).
 * A method returning `undefined` publishes nothing, so a reaction can skip an event.
 */
export function Stream<R = unknown, E = unknown>(streamName: string, options: StreamPublishOptions<R, E>): MethodDecorator {
  const name = `@Stream('${String(streamName)}')`;
  requireNonEmptyString(name, 'stream name', streamName);
  if (options === null || typeof options !== 'object') throw invalid(name, `options must be an object (got ${describe(options)})`);
  rejectUnknownKeys(name, options, ['group', 'mode', 'type', 'id', 'delete']);
  if (!(typeof options.group === 'function' || (typeof options.group === 'string' && options.group !== ''))) {
    throw invalid(name, 'group must be a non-empty string or a function (result, event) => string');
  }
  if (options.mode !== 'event' && options.mode !== 'item') {
    throw invalid(name, `mode must be 'event' or 'item' (got ${describe(options.mode)})`);
  }
  optionalString(name, 'type', options.type);
  for (const fn of ['id', 'delete'] as const) {
    if (options[fn] !== undefined && typeof options[fn] !== 'function') throw invalid(name, `${fn} must be a function`);
  }
  if (options.mode === 'item' && options.type !== undefined) throw invalid(name, "type only applies to mode 'event'");
  if (options.mode === 'event' && options.delete !== undefined) throw invalid(name, "delete only applies to mode 'item'");
  const stored = { ...options } as StreamPublishOptions;
  return (target, propertyKey) => {
    writeStreamPublish(target, { method: methodName(name, propertyKey), streamName, options: stored });
  };
}

export interface OnStreamChangeOptions {
  group?: string;
  item?: string;
  functionId?: string;
}

/** Reacts to item changes and custom events of a stream: trigger type `stream`. */
export function OnStreamChange(streamName: string, options?: OnStreamChangeOptions): MethodDecorator {
  const name = `@OnStreamChange('${String(streamName)}')`;
  requireNonEmptyString(name, 'stream name', streamName);
  const opts = requireOptionsObject(name, options) as OnStreamChangeOptions;
  rejectUnknownKeys(name, opts, ['group', 'item', 'functionId']);
  const group = optionalString(name, 'group', opts.group);
  const item = optionalString(name, 'item', opts.item);
  const functionId = optionalFunctionId(name, opts.functionId);
  return triggerDecorator(name, (method): StreamTriggerMeta => ({
    kind: 'stream',
    method,
    streamName,
    ...(group !== undefined ? { group } : {}),
    ...(item !== undefined ? { item } : {}),
    ...(functionId !== undefined ? { functionId } : {}),
  }));
}

export interface StreamJoinLeaveOptions {
  /** Only react to subscriptions of this stream (the engine fires every join/leave trigger). */
  stream?: string;
  functionId?: string;
}

/**
 * Runs when a client joins a stream subscription (`stream:join`). Return `false` (or throw an
 * Unauthorized/Forbidden exception) to refuse the subscription.
 */
export function OnStreamJoin(options?: StreamJoinLeaveOptions): MethodDecorator {
  return joinLeave('@OnStreamJoin()', 'stream:join', options);
}

/** Runs when a client subscription ends (`stream:leave`). */
export function OnStreamLeave(options?: StreamJoinLeaveOptions): MethodDecorator {
  return joinLeave('@OnStreamLeave()', 'stream:leave', options);
}

function joinLeave(name: string, kind: StreamJoinLeaveTriggerMeta['kind'], options: unknown): MethodDecorator {
  const opts = requireOptionsObject(name, options) as StreamJoinLeaveOptions;
  rejectUnknownKeys(name, opts, ['stream', 'functionId']);
  const streamName = optionalString(name, 'stream', opts.stream);
  const functionId = optionalFunctionId(name, opts.functionId);
  return triggerDecorator(name, (method): StreamJoinLeaveTriggerMeta => ({
    kind,
    method,
    ...(streamName !== undefined ? { streamName } : {}),
    ...(functionId !== undefined ? { functionId } : {}),
  }));
}
