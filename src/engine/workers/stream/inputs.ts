/**
 * Turns raw `stream::*` invocation payloads into typed inputs through the engine's shared input
 * field readers (`engine/lib/input-fields`): unknown keys are ignored, a wrong or missing field is
 * a `deserialization_error` (`Failed to deserialize input for <id>: <reason>`).
 */
import {
  optionalString,
  readEmptyInput,
  readInput,
  requiredJson,
  requiredSequence,
  requiredString,
  type InputShape,
} from '../../lib/input-fields';
import type { GroupRef, ItemRef, SendInput, SetInput, UpdateInput } from './types';

export { deserializationError } from '../../lib/input-fields';

const GROUP_REF: InputShape<GroupRef> = { stream_name: requiredString, group_id: requiredString };
const ITEM_REF: InputShape<ItemRef> = { ...GROUP_REF, item_id: requiredString };
const SET_INPUT: InputShape<SetInput> = { ...ITEM_REF, data: requiredJson };
/** Only the shape of `ops` (an array) is checked here; the ops themselves by `parseUpdateOps`. */
const UPDATE_INPUT: InputShape<UpdateInput> = { ...ITEM_REF, ops: requiredSequence };
const STREAM_NAME: InputShape<{ stream_name: string }> = { stream_name: requiredString };
const SEND_INPUT: InputShape<SendInput> = { ...GROUP_REF, id: optionalString, type: requiredString, data: requiredJson };

export function parseGroupRef(data: unknown, functionId: string): GroupRef {
  return readInput(functionId, data, GROUP_REF);
}

export function parseItemRef(data: unknown, functionId: string): ItemRef {
  return readInput(functionId, data, ITEM_REF);
}

export function parseSetInput(data: unknown, functionId: string): SetInput {
  return readInput(functionId, data, SET_INPUT);
}

export function parseUpdateInput(data: unknown, functionId: string): UpdateInput {
  return readInput(functionId, data, UPDATE_INPUT);
}

export function parseStreamName(data: unknown, functionId: string): { stream_name: string } {
  return readInput(functionId, data, STREAM_NAME);
}

/** `stream::list_all` takes an empty object; anything that is not a map is refused. */
export function parseEmptyInput(data: unknown, functionId: string): void {
  readEmptyInput(functionId, data);
}

export function parseSendInput(data: unknown, functionId: string): SendInput {
  return readInput(functionId, data, SEND_INPUT);
}
