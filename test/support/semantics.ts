/**
 * The engine semantics the suites run under, and the marker for tests that need a guarantee only
 * the embedded engine gives. CI runs the framework's integration and end-to-end suites twice: on
 * the default engine, and with `III_ENGINE_SEMANTICS=iii-0.22`, where the embedded engine behaves
 * as the reference iii engine v0.22.1 does. There, a test marked embedded-only is skipped (Jest
 * counts it as skipped) and its name says which guarantee it needs.
 */
import { semanticsFromEnv } from '../../src/engine/core/semantics';

/** The semantics every embedded engine of this test run starts with (`startEngine` reads the same variable). */
export const TEST_SEMANTICS = semanticsFromEnv();

/**
 * The guarantees of the README's table "Where we deliberately differ from the real engine"
 * (its `id` column); a unit test keeps the two in step.
 */
export const EMBEDDED_GUARANTEES = [
  'durable-writes',
  'replicas',
  'ordered-dispatch',
  'change-log',
  'engine-extensions',
  'http-204',
  'body-limit',
  'http-503',
  'stream-resume',
  'stream-path-url',
  'slow-client-limit',
  'stream-limits',
  'pubsub-unsubscribe',
  'builtin-queue',
  'discovery-on-change',
] as const;

export type EmbeddedGuarantee = (typeof EMBEDDED_GUARANTEES)[number];

/** The test name an embedded-only test carries: `[embedded-only: <guarantee>] <name>`. */
export function embeddedOnlyName(guarantee: EmbeddedGuarantee, name: string): string {
  return `[embedded-only: ${guarantee}] ${name}`;
}

/**
 * `it` for a test that relies on an embedded-only guarantee: it runs on the default engine and is
 * skipped under the `iii-0.22` semantics, where the reference engine does not give it.
 */
export function itEmbeddedOnly(guarantee: EmbeddedGuarantee, name: string, fn: jest.ProvidesCallback, timeout?: number): void {
  const title = embeddedOnlyName(guarantee, name);
  if (TEST_SEMANTICS === 'iii-0.22') it.skip(title, fn, timeout);
  else it(title, fn, timeout);
}
