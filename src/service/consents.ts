/**
 * A guardian's consents for authorised partners to use a record for a purpose whose legal basis is
 * consent (PIPL art. 13(1); for a child under 14, art. 31 asks for the guardian's), recorded,
 * listed and withdrawn (art. 15) by the record's organisation or a DPO; each call a ledger entry.
 */
import { TracevaultError } from '../errors.ts';
import { purposeOf } from '../access/purposes.ts';
import type { StoredRecord } from '../store/registry.ts';
import type { AuditEvent } from '../store/audit.ts';
import { entryOf, type RequestContext } from './context.ts';
import type { Gate } from './gate.ts';

export interface Consent {
  readonly recordId: string;
  readonly organizationId: string;
  readonly purpose: string;
  readonly grantedAt: string;
}

type ConsentAction = 'consent.grant' | 'consent.withdraw' | 'consent.list';

export class Consents {
  readonly #gate: Gate;

  constructor(gate: Gate) {
    this.#gate = gate;
  }

  /** From now on the partner's reads of this record are `consented`; an earlier grant stands with its time. */
  async grant(
    ctx: RequestContext,
    recordId: string,
    grant: { organizationId: string; purpose: string },
  ): Promise<Consent> {
    const gate = this.#gate;
    const { rec, purpose, base } = await this.#target(ctx, recordId, 'consent.grant', grant.purpose);
    const org = await gate.vault.organisation(grant.organizationId);
    if (org?.kind !== 'partner') {
      await gate.refuse(
        { ...base, outcome: 'denied' },
        new TracevaultError('ERR_INVALID_FIELD', { field: 'organizationId', rule: 'consent.partner' }),
      );
    }
    const orgId = org!.id;
    return gate.commit(async (tx, events) => {
      const grantedAt = await gate.consents.grant(tx, rec.seq, orgId, purpose, gate.now().toISOString());
      events.push({ ...base, outcome: 'ok', detail: { organizationId: orgId } });
      return { recordId: rec.id, organizationId: orgId, purpose, grantedAt };
    });
  }

  /** Withdraws a consent: the partner's next read is refused. ERR_NOT_FOUND if there was none. */
  async withdraw(
    ctx: RequestContext,
    recordId: string,
    organizationId: string,
    purpose: string | undefined,
  ): Promise<void> {
    const gate = this.#gate;
    // An identifier from the URL enters the ledger only once it names an organisation: free text
    // (a name, a phone number) is refused before anything is written.
    if (!(await gate.vault.organisation(organizationId))) throw new TracevaultError('ERR_NOT_FOUND');
    const target = await this.#target(ctx, recordId, 'consent.withdraw', purpose);
    const removed = await gate.commit(async (tx, events) => {
      const n = await gate.consents.withdraw(tx, target.rec.seq, organizationId, target.purpose);
      events.push({
        ...target.base,
        outcome: 'ok',
        detail: { organizationId, removed: n },
      });
      return n;
    });
    if (removed === 0) throw new TracevaultError('ERR_NOT_FOUND');
  }

  /** The consents recorded for a record (to whom, for what, since when); a ledger entry. */
  async list(ctx: RequestContext, recordId: string): Promise<Consent[]> {
    const gate = this.#gate;
    const { rec, base } = await this.#target(ctx, recordId, 'consent.list', undefined);
    const rows = await gate.consents.list(rec.seq);
    await gate.commit(async (_tx, events) => {
      events.push({ ...base, outcome: 'ok', detail: { consents: rows.length } });
    });
    return rows.map((r) => ({ recordId: rec.id, organizationId: r.orgId, purpose: r.purpose, grantedAt: r.grantedAt }));
  }

  /**
   * The record a consent call is about, once the principal may manage its consents. Outside the
   * principal's reach, the answer of a record that does not exist (as for reads).
   */
  async #target(
    ctx: RequestContext,
    recordId: string,
    action: ConsentAction,
    purposeName: string | undefined,
  ): Promise<{ rec: StoredRecord; purpose: string; base: AuditEvent }> {
    const gate = this.#gate;
    const purpose = action === 'consent.list' ? undefined : purposeOf(purposeName);
    if (purpose && !purpose.byConsent)
      throw new TracevaultError('ERR_INVALID_FIELD', { field: 'purpose', rule: 'consent.purpose' });
    const base = { ...entryOf(ctx), recordRef: gate.ref(recordId), action, purpose: purpose?.name } as const;
    const policy = await gate.policy();
    const rec = await gate.load(recordId, base);
    const standing = await gate.standing(ctx, rec, undefined);
    const resource = { type: 'Record', recordType: rec.recordType } as const;
    if (!policy.allows(ctx.principal, 'consent', resource, standing)) {
      const readable = policy.allows(ctx.principal, 'read', resource, standing);
      await gate.refuse(
        { ...base, decision: `deny@${policy.version}`, outcome: 'denied' },
        new TracevaultError(readable ? 'ERR_FORBIDDEN' : 'ERR_NOT_FOUND'),
      );
    }
    return { rec, purpose: purpose?.name ?? '', base: { ...base, decision: `allow@${policy.version}` } };
  }
}
