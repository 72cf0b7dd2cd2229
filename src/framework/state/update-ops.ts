/**
 * Atomic update operations of `state::update` / `stream::update` (iii spec §7.2), restated here
 * so the public API does not depend on an SDK-internal helper package's types.
 */
export type UpdatePath = string | string[];

export type UpdateOp =
  | { type: 'set'; path: string; value?: unknown }
  | { type: 'merge'; path?: UpdatePath; value: Record<string, unknown> }
  | { type: 'increment'; path: string; by: number }
  | { type: 'decrement'; path: string; by: number }
  | { type: 'append'; path?: UpdatePath; value: unknown }
  | { type: 'remove'; path: string };

export interface UpdateOpError {
  op_index: number;
  code: string;
  message: string;
  doc_url?: string;
}
