import type { IIIClient } from 'iii-sdk';
import { Inject, Injectable } from '../decorators/module';
import { FrameworkError } from '../errors';
import type { StateChangeEvent } from '../../protocol/triggers';
import { III_CLIENT } from '../tokens';

/** A state reaction parked after its last attempt failed. */
export interface DeadLetter {
  id: number;
  /** The reaction's function id. */
  function_id: string;
  /** The trigger identity (function id + trigger type + scope/key/condition) it was delivered for. */
  identity: string;
  seq: number;
  scope: string;
  key: string;
  version: number;
  /** The state event the reaction received. */
  payload: StateChangeEvent;
  /** The last attempt's error, `code: message`. */
  error: string;
  attempts: number;
  /** Milliseconds since the epoch. */
  failed_at: number;
}

/** One state trigger's durable position in the engine's change log. */
export interface ReactionCursor {
  identity: string;
  function_id: string;
  config: { scope?: string; key?: string; condition_function_id?: string };
  /** Every change at or below this seq has been handled. */
  seq: number;
  /** Changes written after it. */
  lag: number;
  /** Whether a connected worker currently has the trigger registered. */
  live: boolean;
  updated_at: number;
}

export interface RedriveResult {
  /** Dead letters delivered successfully (and removed). */
  redriven: number[];
  /** Dead letters that failed again (kept, with the new error). */
  failed: Array<{ id: number; error: string }>;
}

/**
 * The engine's dead letters and cursors of state reactions (`state::reactions::*`), injectable.
 * Embedded engine only: on an engine without them (a real iii engine) every call rejects with
 * `FrameworkError('NOT_SUPPORTED')`.
 */
@Injectable()
export class ReactionsService {
  constructor(@Inject(III_CLIENT) private readonly iii: IIIClient) {}

  /** Parked reactions, oldest first (all, or one function's). */
  async deadLetters(options: { functionId?: string; limit?: number } = {}): Promise<DeadLetter[]> {
    const reply = await this.call<{ dead_letters: DeadLetter[] }>('state::reactions::dead_letters', {
      ...(options.functionId !== undefined && { function_id: options.functionId }),
      ...(options.limit !== undefined && { limit: options.limit }),
    });
    return reply.dead_letters;
  }

  /** One parked reaction, or `undefined`. */
  async deadLetter(id: number): Promise<DeadLetter | undefined> {
    return (await this.call<DeadLetter | null | undefined>('state::reactions::dead_letter', { id })) ?? undefined;
  }

  /**
   * Delivers parked reactions again, oldest first: one (`{ id }`) or every one of a function
   * (`{ functionId }`). A success removes the dead letter; a failure keeps it with the new error.
   */
  redrive(target: { id: number } | { functionId: string }): Promise<RedriveResult> {
    return this.call<RedriveResult>('state::reactions::redrive', 'id' in target ? { id: target.id } : { function_id: target.functionId });
  }

  /** Every state trigger cursor with its lag behind the change log. */
  async cursors(): Promise<{ head: number; cursors: ReactionCursor[] }> {
    const reply = await this.call<{ head: number; cursors: ReactionCursor[] }>('state::reactions::cursors', {});
    return { head: reply.head, cursors: reply.cursors };
  }

  private async call<R>(functionId: string, payload: Record<string, unknown>): Promise<R> {
    try {
      return await this.iii.trigger<Record<string, unknown>, R>({ function_id: functionId, payload });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/function_not_found|not found/i.test(message)) {
        throw new FrameworkError(
          'NOT_SUPPORTED',
          `${functionId}: this engine keeps no reaction dead letters or cursors (the embedded engine does)`,
        );
      }
      throw error;
    }
  }
}
