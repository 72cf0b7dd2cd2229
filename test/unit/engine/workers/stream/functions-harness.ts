/** The `stream::*` functions registered on the shared fake engine, with the change events they emit. */
import { registerStreamFunctions } from '../../../../../src/engine/workers/stream/functions';
import { StreamOperations } from '../../../../../src/engine/workers/stream/operations';
import { StreamStore } from '../../../../../src/engine/workers/stream/store';
import type { StreamChangeEvent, StreamMessage } from '../../../../../src/engine/workers/stream/types';
import { FakeEngineContext } from '../../../../fakes/fake-engine-context';

export function setupStreamFunctions(): { ctx: FakeEngineContext; events: Array<StreamMessage<StreamChangeEvent>> } {
  const ctx = new FakeEngineContext();
  const events: Array<StreamMessage<StreamChangeEvent>> = [];
  const operations = new StreamOperations({ context: ctx, store: new StreamStore(ctx.kv), emit: (m) => events.push(m) });
  registerStreamFunctions(ctx, operations);
  return { ctx, events };
}
