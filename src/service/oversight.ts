/**
 * Oversight: the guard's alerts and their resolution, the policy (read and replaced by a DPO), the
 * ledger references of an identifier for investigators, and poison records.
 */
import { TracevaultError } from '../errors.ts';
import type { IndexScope } from '../schema/field-kind.ts';
import type { AlertRow } from '../store/repos/oversight.ts';
import { entryOf, type RequestContext } from './context.ts';
import type { Gate } from './gate.ts';
import { AlertContexts, type AlertContext, type KeepBlockedReason } from './alert-context.ts';
import type { AlertDetailRow } from '../store/repos/alert-context.ts';
import { previewPolicy, validatePolicy, type Preview, type PreviewInput } from './policy-editor.ts';
import type { PolicyCheck } from '../access/policy-check.ts';

export type Alert = AlertRow;

const DEFAULT_ALERTS = 100;
const MAX_ALERTS = 1000;

export class Oversight {
  readonly #gate: Gate;
  readonly #contexts: AlertContexts;

  constructor(gate: Gate) {
    this.#gate = gate;
    this.#contexts = new AlertContexts(gate);
  }

  /** An alert with its principal and that principal's recent activity (DPOs and auditors). */
  alert(ctx: RequestContext, id: string): Promise<AlertContext> {
    return this.#contexts.get(ctx, id);
  }

  /** Reviews an alert and keeps its block (a DPO, never about themselves); a ledger entry. */
  keepBlocked(ctx: RequestContext, id: string, reason: KeepBlockedReason): Promise<AlertDetailRow> {
    return this.#contexts.keepBlocked(ctx, id, reason);
  }

  /** The guard's alerts, newest first (DPOs and auditors). */
  async alerts(ctx: RequestContext, opts: { since?: string; limit?: number } = {}): Promise<Alert[]> {
    await this.#gate.authorise(ctx, 'view_alerts', { type: 'Api', area: 'alerts' });
    const limit = Math.min(Math.max(opts.limit ?? DEFAULT_ALERTS, 1), MAX_ALERTS);
    return this.#gate.oversight.alerts(opts.since ?? '', limit);
  }

  /** A data-protection officer resolves an alert; a block it caused is lifted. */
  async resolveAlert(ctx: RequestContext, id: string): Promise<void> {
    const gate = this.#gate;
    await gate.authorise(ctx, 'manage_policy', { type: 'Api', area: 'alerts' });
    const subject = await gate.oversight.alertSubject(id);
    if (!subject) throw new TracevaultError('ERR_NOT_FOUND');
    // No one lifts a block on themselves: a blocked DPO waits for another.
    if (subject === ctx.principal.id) {
      await gate.refuse(
        { ...entryOf(ctx), action: 'alert.resolve', outcome: 'denied', detail: { alert: id } },
        new TracevaultError('ERR_FORBIDDEN', { rule: 'ownAlert' }),
      );
    }
    await gate.commit(async (tx, events) => {
      await gate.oversight.resolve(tx, id, ctx.principal.id, gate.now().toISOString());
      events.push({
        ...entryOf(ctx),
        action: 'alert.resolve',
        outcome: 'ok',
        detail: { alert: id, principal: subject },
      });
    });
    if (!(await gate.oversight.isBlocked(subject))) {
      await gate.sharedGuard.forget(subject);
      gate.guard.unblock(subject);
    }
  }

  async getPolicy(ctx: RequestContext): Promise<{ version: number; text: string }> {
    await this.#gate.authorise(ctx, 'manage_policy', { type: 'Api', area: 'policies' });
    const p = await this.#gate.policy(true);
    return { version: p.version, text: p.text };
  }

  /**
   * Replaces the policy (a new version; the old ones are kept). The text must parse. With
   * `expectedVersion` (the editor's), ERR_CONFLICT if another version was adopted since.
   */
  async setPolicy(ctx: RequestContext, text: string, expectedVersion?: number): Promise<{ version: number }> {
    await this.#gate.authorise(ctx, 'manage_policy', { type: 'Api', area: 'policies' });
    if (expectedVersion !== undefined && (await this.#gate.policy(true)).version !== expectedVersion) {
      throw new TracevaultError('ERR_CONFLICT', { rule: 'staleVersion' });
    }
    const next = await this.#gate.replacePolicy(ctx, text);
    return { version: next.version };
  }

  /** Whether a Cedar text parses, with its errors at line and column; nothing is adopted (DPO). */
  validatePolicy(ctx: RequestContext, text: string): Promise<PolicyCheck> {
    return validatePolicy(this.#gate, ctx, text);
  }

  /** What a principal would see and may do under a proposed text, beside the current one (DPO). */
  previewPolicy(ctx: RequestContext, input: PreviewInput): Promise<Preview> {
    return previewPolicy(this.#gate, ctx, input);
  }

  /**
   * For investigators (administrators only): the ledger's keyed references to the records of an
   * identifier — a record id, or a phone, resident id or name found through the blind indexes —
   * so that the ledger entries about a person can be found without the ledger naming anyone.
   */
  async hashIdentifier(
    ctx: RequestContext,
    kind: 'recordId' | IndexScope,
    value: string,
  ): Promise<{ recordRefs: string[] }> {
    const gate = this.#gate;
    await gate.authorise(ctx, 'hash_identifier', { type: 'Api', area: 'ledger' });
    const registry = gate.vault.registry;
    const ids = kind === 'recordId' ? [value] : await registry.search(kind, value, { anyVersion: true, limit: 1000 });
    const recordRefs = ids.map((id) => gate.ref(id));
    await gate.commit(async (_tx, events) => {
      events.push({
        ...entryOf(ctx),
        action: 'identifier.hash',
        outcome: 'ok',
        detail: { kind, results: recordRefs.length },
      });
    });
    return { recordRefs };
  }

  /** Marks a record as poison: no legitimate workflow reads it, so any read blocks its reader. */
  async addPoison(ctx: RequestContext | null, recordId: string): Promise<void> {
    if (ctx) await this.#gate.authorise(ctx, 'manage_policy', { type: 'Api', area: 'guard' });
    await this.#gate.addPoison(recordId);
  }
}
