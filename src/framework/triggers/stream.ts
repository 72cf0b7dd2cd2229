import { ForbiddenException, UnauthorizedException } from '../http/exceptions';
import type { StreamJoinLeaveTriggerMeta, StreamTriggerMeta } from '../metadata/types';
import { identity, logAndRethrow, ownField, payloadArgument, type TriggerAdapter } from './adapter';

/** Trigger kind `stream`: item changes and custom events of one stream. */
export const streamAdapter: TriggerAdapter<StreamTriggerMeta> = {
  kind: 'stream',
  triggerType: 'stream',
  config: (meta) => ({
    stream_name: meta.streamName,
    ...(meta.group !== undefined ? { group_id: meta.group } : {}),
    ...(meta.item !== undefined ? { item_id: meta.item } : {}),
  }),
  argument: payloadArgument,
  filter: () => null,
  skipped: () => undefined,
  reply: () => identity,
  fail: (_meta, functionId, logger) => logAndRethrow(functionId, logger),
};

const ALLOW = { unauthorized: false };
const DENY = { unauthorized: true };

/**
 * Trigger kinds `stream:join` / `stream:leave`. A join handler returning `false` (or throwing)
 * refuses the subscription: errors fail closed, unlike the engine's default.
 */
export function joinLeaveAdapter(kind: 'stream:join' | 'stream:leave'): TriggerAdapter<StreamJoinLeaveTriggerMeta> {
  const isJoin = kind === 'stream:join';
  return {
    kind,
    triggerType: kind,
    config: (meta) => (meta.streamName !== undefined ? { stream_name: meta.streamName } : {}),
    argument: payloadArgument,
    filter(meta) {
      const name = meta.streamName;
      return name === undefined ? null : (payload) => ownField(payload, 'stream_name') === name;
    },
    skipped: () => (isJoin ? ALLOW : undefined),
    reply: () => (isJoin ? joinReply : () => undefined),
    fail(_meta, functionId, logger) {
      if (!isJoin) return logAndRethrow(functionId, logger);
      return (error) => {
        if (!(error instanceof UnauthorizedException || error instanceof ForbiddenException)) {
          const err = error instanceof Error ? error : new Error(String(error));
          logger.error(`${functionId} failed; refusing the subscription: ${err.message}`, err.stack);
        }
        return DENY;
      };
    },
  };
}

function joinReply(result: unknown): unknown {
  if (result === false) return DENY;
  if (result !== null && typeof result === 'object' && typeof ownField(result, 'unauthorized') === 'boolean') return result;
  return ALLOW;
}
