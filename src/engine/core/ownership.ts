/**
 * Who may register over whom. The real engine lets the last registration win; replicas (several
 * connections registering the same function id or trigger) share. With ownership on (config
 * `ownership: true`, what `npm start`'s engine runs), a registration that would take over or join
 * something another principal holds is refused, and the refusal is told to the registering worker.
 *
 * A principal is the identity a worker proved at its handshake: the name of the worker secret it
 * presented (`token:<name>`), its RBAC session (`rbac:<listener>:<context>`), or, without any
 * credential, the connection itself (`worker:<id>`). Replicas of one app present the same
 * credentials, so they share a principal and pool their registrations; an anonymous local worker
 * is its own principal and never shares with anyone.
 */
import { EngineError } from './errors';
import type { FunctionOwner } from './function-registry';

/** Error code of a registration refused because another principal holds the id. */
export const REGISTRATION_REFUSED = 'registration_refused';

export class RegistrationPolicy {
  /** true: no takeover across principals. false: the reference engine's rules. */
  owned = false;

  constructor(private readonly principalOfWorker: (workerId: string) => string | undefined) {}

  /** The principal behind an owner (a built-in worker is the engine itself). */
  principalOf(owner: FunctionOwner | string | undefined): string {
    if (owner === undefined) return 'engine';
    if (typeof owner === 'string') return this.principalOfWorker(owner) ?? `worker:${owner}`;
    if (owner.kind === 'builtin') return 'engine';
    return this.principalOfWorker(owner.workerId) ?? `worker:${owner.workerId}`;
  }

  /**
   * Throws `registration_refused` when ownership is on and `claimant` may not take or share what
   * `holder` registered (`what` names it in the message).
   */
  check(what: string, holder: FunctionOwner | string | undefined, claimant: FunctionOwner | string | undefined): void {
    if (!this.owned) return;
    if (this.principalOf(holder) === this.principalOf(claimant)) return;
    throw new EngineError(REGISTRATION_REFUSED, `${what} is registered by another worker; registration refused`);
  }
}
