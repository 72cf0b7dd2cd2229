/**
 * The `stream::*` functions (§8.1): each parses its input (→ `deserialization_error`) and hands
 * it to `StreamOperations`. Result shapes follow the reference engine exactly: `get` of a
 * missing item has no result at all, `delete` answers `{old_value}`, `list_groups` a bare array,
 * `send` an explicit `null`. Handlers are async so a bad input always arrives as a rejection.
 */
import type { BuiltinFunction, EngineContext } from '../../core/types';
import {
  parseEmptyInput,
  parseGroupRef,
  parseItemRef,
  parseSendInput,
  parseSetInput,
  parseStreamName,
  parseUpdateInput,
} from './inputs';
import type { StreamOperations } from './operations';

export function streamFunctions(operations: StreamOperations): BuiltinFunction[] {
  return [
    {
      id: 'stream::set',
      description: 'Set a value in a stream',
      handler: async (data) => operations.set(parseSetInput(data, 'stream::set')),
    },
    {
      id: 'stream::get',
      description: 'Get a value from a stream',
      handler: async (data) => operations.get(parseItemRef(data, 'stream::get')),
    },
    {
      id: 'stream::delete',
      description: 'Delete a value from a stream',
      handler: async (data) => operations.delete(parseItemRef(data, 'stream::delete')),
    },
    {
      id: 'stream::list',
      description: 'List all items in a stream group',
      handler: async (data) => operations.list(parseGroupRef(data, 'stream::list')),
    },
    {
      id: 'stream::list_groups',
      description: 'List all groups in a stream',
      handler: async (data) => operations.listGroups(parseStreamName(data, 'stream::list_groups').stream_name),
    },
    {
      id: 'stream::list_all',
      description: 'List all available streams with their groups',
      handler: async (data) => {
        parseEmptyInput(data, 'stream::list_all');
        return operations.listAll();
      },
    },
    {
      id: 'stream::update',
      description: 'Atomically update a stream value with multiple operations',
      handler: async (data) => operations.update(parseUpdateInput(data, 'stream::update')),
    },
    {
      id: 'stream::send',
      description: 'Send a custom event to stream subscribers',
      handler: async (data) => operations.send(parseSendInput(data, 'stream::send')),
    },
  ];
}

export function registerStreamFunctions(context: Pick<EngineContext, 'registerFunction'>, operations: StreamOperations): void {
  for (const fn of streamFunctions(operations)) context.registerFunction(fn);
}
