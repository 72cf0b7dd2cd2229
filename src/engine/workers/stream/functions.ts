/**
 * The `stream::*` functions (engine.md §8.1): each parses its input (→ `deserialization_error`) and hands
 * it to `StreamOperations`. Result shapes follow the reference engine exactly: `get` of a
 * missing item has no result at all, `delete` answers `{old_value}`, `list_groups` a bare array,
 * `send` an explicit `null`. Handlers are async so a bad input always arrives as a rejection.
 */
import type { BuiltinFunction, EngineContext } from '../../core/types';
import { parseEmptyInput, parseGroupRef, parseItemRef, parseSendInput, parseSetInput, parseStreamName, parseUpdateInput } from './inputs';
import type { StreamOperations } from './operations';

export function streamFunctions(operations: StreamOperations): BuiltinFunction[] {
  return [
    fn('stream::set', 'Set a value in a stream', parseSetInput, (input) => operations.set(input)),
    fn('stream::get', 'Get a value from a stream', parseItemRef, (ref) => operations.get(ref)),
    fn('stream::delete', 'Delete a value from a stream', parseItemRef, (ref) => operations.delete(ref)),
    fn('stream::list', 'List all items in a stream group', parseGroupRef, (ref) => operations.list(ref)),
    fn('stream::list_groups', 'List all groups in a stream', parseStreamName, (input) => operations.listGroups(input.stream_name)),
    fn('stream::list_all', 'List all available streams with their groups', parseEmptyInput, () => operations.listAll()),
    fn('stream::update', 'Atomically update a stream value with multiple operations', parseUpdateInput, (input) =>
      operations.update(input),
    ),
    fn('stream::send', 'Send a custom event to stream subscribers', parseSendInput, (input) => operations.send(input)),
  ];
}

/** One function: its input parsed (errors name the function id), then handed to `run`. */
function fn<T>(
  id: string,
  description: string,
  parse: (data: unknown, functionId: string) => T,
  run: (input: T) => unknown,
): BuiltinFunction {
  return { id, description, handler: async (data) => run(parse(data, id)) };
}

export function registerStreamFunctions(context: Pick<EngineContext, 'registerFunction'>, operations: StreamOperations): void {
  for (const definition of streamFunctions(operations)) context.registerFunction(definition);
}
