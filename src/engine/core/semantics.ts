/**
 * Which engine's observable behaviour the embedded engine follows.
 *
 * - `embedded` (default): our guarantees on top of the iii protocol (replicas pooled, ordered
 *   trigger dispatch, state change log with retries, numbered stream frames, the built-in queue,
 *   204 for an absent HTTP result, `engine::capabilities`).
 * - `iii-0.22`: what the reference iii engine v0.22.1 does where a client can observe it, so the
 *   framework can be tested against those semantics without installing that engine.
 */
export type EngineSemantics = 'embedded' | 'iii-0.22';

export const ENGINE_SEMANTICS: readonly EngineSemantics[] = ['embedded', 'iii-0.22'];

/** The environment variable that picks the semantics when no option does. */
export const ENGINE_SEMANTICS_ENV = 'III_ENGINE_SEMANTICS';

/** Reads a semantics name; throws on anything else, so a typo never silently picks the default. */
export function parseSemantics(value: string, source: string): EngineSemantics {
  if ((ENGINE_SEMANTICS as readonly string[]).includes(value)) return value as EngineSemantics;
  throw new Error(`${source}: unknown engine semantics '${value}' (expected ${ENGINE_SEMANTICS.join(' or ')})`);
}

/** The semantics `III_ENGINE_SEMANTICS` asks for (`embedded` when unset or empty). */
export function semanticsFromEnv(env: NodeJS.ProcessEnv = process.env): EngineSemantics {
  const value = env[ENGINE_SEMANTICS_ENV]?.trim();
  return value === undefined || value === '' ? 'embedded' : parseSemantics(value, ENGINE_SEMANTICS_ENV);
}
