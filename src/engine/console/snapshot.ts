/**
 * What the dev console shows, read from the engine's own functions (the same ones `iii-sdk`
 * callers can invoke) by calling their handlers directly: a console read is no invocation, so it
 * neither shows up in the console's own figures nor passes the worker manager's checks it does
 * not need (the console is loopback-only and read-only).
 */
import type { EngineCore } from '../core/engine-core';
import type { InvocationRecorder, InvocationRecord, ThroughputPoint } from './recorder';

/** The whole console page's data, refreshed about once a second. */
export interface ConsoleSnapshot {
  at: string;
  workers: unknown;
  functions: unknown;
  triggers: unknown;
  scopes: unknown;
  streams: { groups: unknown; subscribers: Array<{ stream: string; group: string; subscribers: number }> };
  reactions: { cursors: unknown; deadLetters: unknown };
  invocations: InvocationRecord[];
  series: ThroughputPoint[];
}

/** A read-only engine function's result, or `null` where this engine has no such function. */
export async function readFunction(core: EngineCore, functionId: string, data: unknown = {}): Promise<unknown> {
  const entry = core.functions.pick(functionId);
  if (entry === undefined) return null;
  try {
    return await entry.handler(data, {});
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

export async function takeSnapshot(core: EngineCore, recorder: InvocationRecorder): Promise<ConsoleSnapshot> {
  const [workers, functions, triggers, scopes, groups, cursors, deadLetters] = await Promise.all([
    readFunction(core, 'engine::workers::list'),
    readFunction(core, 'engine::functions::list'),
    readFunction(core, 'engine::registered-triggers::list'),
    readFunction(core, 'state::list_groups'),
    readFunction(core, 'stream::list_all'),
    readFunction(core, 'state::reactions::cursors'),
    readFunction(core, 'state::reactions::dead_letters'),
  ]);
  return {
    at: new Date().toISOString(),
    workers,
    functions,
    triggers,
    scopes,
    streams: { groups, subscribers: core.service('stream-subscribers')?.groups() ?? [] },
    reactions: { cursors, deadLetters },
    invocations: recorder.recent(),
    series: recorder.series(),
  };
}

/** The items of one state scope (`state::list`). */
export function scopeItems(core: EngineCore, scope: string): Promise<unknown> {
  return readFunction(core, 'state::list', { scope });
}
