import type { Logger } from '../logger';
import type { StreamPublishMeta } from '../metadata/types';
import type { StreamService } from '../streams/stream.service';
import { ownField } from '../triggers/adapter';
import { kebabCase } from './naming';

type Publish = (result: unknown, payload: unknown) => Promise<void>;

/**
 * The `@Stream` stage: after the method returns, publish its result (`undefined` = nothing to
 * publish). Publishing failures are logged, not thrown: the triggering work already happened.
 */
export function buildStreamStage(
  metas: readonly StreamPublishMeta[],
  streams: StreamService,
  functionId: string,
  logger: Logger,
): Publish | null {
  if (metas.length === 0) return null;
  const publishers = metas.map((meta) => publisherFor(meta, streams, functionId, logger));
  return async (result, payload) => {
    if (result === undefined) return;
    for (const publish of publishers) await publish(result, payload);
  };
}

function publisherFor(meta: StreamPublishMeta, streams: StreamService, functionId: string, logger: Logger): Publish {
  const handle = streams.stream<unknown>(meta.streamName);
  const { group, mode, id, type } = meta.options;
  const groupOf = typeof group === 'function' ? group : () => group;
  const shouldDelete = meta.options.delete ?? null;
  const eventType = type ?? kebabCase(meta.method);
  const where = `${functionId} @Stream('${meta.streamName}')`;
  return async (result, payload) => {
    try {
      const groupId = groupOf(result, payload);
      if (mode === 'event') {
        const eventId = id?.(result, payload);
        await handle.send(groupId, { type: eventType, data: result, ...(eventId !== undefined ? { id: eventId } : {}) });
        return;
      }
      const rawId = id !== undefined ? id(result, payload) : ownField(result, 'id');
      const itemId = typeof rawId === 'number' ? String(rawId) : rawId;
      if (typeof itemId !== 'string' || itemId === '') {
        logger.error(`${where}: item id must be a non-empty string (got ${typeof itemId}); nothing published`);
        return;
      }
      if (shouldDelete !== null && shouldDelete(result, payload)) await handle.delete(groupId, itemId);
      else await handle.set(groupId, itemId, result);
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      logger.error(`${where}: publishing failed: ${err.message}`, err.stack);
    }
  };
}
