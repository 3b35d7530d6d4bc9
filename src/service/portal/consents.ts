/**
 * A guardian's own consents, given and withdrawn in the parents' portal (issue 21, PIPL art. 31: a
 * child under 14's guardian consents for it; art. 15: a consent may be withdrawn at any time).
 *
 * The same consents as staff record for a guardian (../consents.ts), in the same table, with the same
 * ledger actions (`consent.grant`, `consent.withdraw`, `consent.list`), attributed to the guardian:
 * a partner reads a record only while its consent stands (gate.ts `standing`), so a withdrawal
 * refuses the partner's very next read. A guardian acts on its own children only: any other id —
 * another family's record, one that does not exist, free text — is one answer, ERR_NOT_FOUND,
 * after the same ledger entry, which names no record (an id from a URL enters the ledger only once
 * it is known to be the guardian's).
 */
import { TracevaultError } from '../../errors.ts';
import { PURPOSES, purposeOf } from '../../access/purposes.ts';
import { GuardianRepo, type GuardianChild } from '../../store/repos/guardians.ts';
import type { AuditAction } from '../../store/audit.ts';
import type { Gate } from '../gate.ts';
import { guardianEntry, liveChild, ownChild, type GuardianContext } from './guardian-context.ts';

/** One partner and purpose a child's record may be shown to, and whether the guardian consented. */
export interface PartnerConsent {
  /** What to withdraw (`DELETE …/consents/{consentId}`): the partner organisation's id. */
  readonly consentId: string;
  readonly organizationId: string;
  readonly organization: string;
  readonly purpose: string;
  readonly legalBasis: string;
  readonly state: 'granted' | 'not_granted';
  readonly grantedAt: string | null;
}

/** The purposes that rest on consent (PIPL art. 13(1)): today `partner_contact` alone. */
const BY_CONSENT = [...PURPOSES.values()].filter((p) => p.byConsent);

export class GuardianConsents {
  readonly #gate: Gate;
  readonly #guardians: GuardianRepo;

  constructor(gate: Gate) {
    this.#gate = gate;
    this.#guardians = new GuardianRepo(gate.vault.db, gate.vault.tenantId);
  }

  /** Every partner and consent-based purpose, with the child's consent to it or none. A ledger entry. */
  async list(g: GuardianContext, childId: string): Promise<PartnerConsent[]> {
    const gate = this.#gate;
    const child = await this.#child(g, childId, 'consent.list');
    const partners = await gate.consents.partners(gate.vault.tenantId);
    const given = new Map(
      (await gate.consents.list(child.recordSeq)).map((c) => [`${c.orgId}\u0000${c.purpose}`, c.grantedAt]),
    );
    const out: PartnerConsent[] = [];
    for (const org of partners) {
      for (const p of BY_CONSENT) {
        const grantedAt = given.get(`${org.id}\u0000${p.name}`) ?? null;
        out.push({
          consentId: org.id,
          organizationId: org.id,
          organization: org.name,
          purpose: p.name,
          legalBasis: p.legalBasis,
          state: grantedAt ? 'granted' : 'not_granted',
          grantedAt,
        });
      }
    }
    await gate.commit(async (_tx, events) => {
      events.push({
        ...guardianEntry(g),
        action: 'consent.list',
        recordRef: gate.ref(child.recordId),
        outcome: 'ok',
        detail: { consents: given.size },
      });
    });
    return out;
  }

  /** Consents for a partner (an earlier consent stands, with its time). A ledger entry (`consent.grant`). */
  async grant(
    g: GuardianContext,
    childId: string,
    input: { organizationId: string; purpose?: string },
  ): Promise<PartnerConsent> {
    const gate = this.#gate;
    const child = await this.#child(g, childId, 'consent.grant');
    const purpose = this.#purpose(input.purpose);
    const base = { ...guardianEntry(g), action: 'consent.grant', recordRef: gate.ref(child.recordId) } as const;
    const org = await gate.vault.organisation(input.organizationId);
    if (org?.kind !== 'partner') {
      // The id is not written: it may be any text.
      await gate.refuse(
        { ...base, purpose: purpose.name, outcome: 'denied' },
        new TracevaultError('ERR_INVALID_FIELD', { field: 'organizationId', rule: 'consent.partner' }),
      );
    }
    const partner = org!;
    return gate.commit(async (tx, events) => {
      const grantedAt = await gate.consents.grant(
        tx,
        child.recordSeq,
        partner.id,
        purpose.name,
        gate.now().toISOString(),
      );
      events.push({ ...base, purpose: purpose.name, outcome: 'ok', detail: { organizationId: partner.id } });
      return {
        consentId: partner.id,
        organizationId: partner.id,
        organization: partner.name,
        purpose: purpose.name,
        legalBasis: purpose.legalBasis,
        state: 'granted',
        grantedAt,
      };
    });
  }

  /** Withdraws a consent: the partner's next read is refused. None standing → ERR_NOT_FOUND. */
  async withdraw(g: GuardianContext, childId: string, consentId: string, purposeName?: string): Promise<void> {
    const gate = this.#gate;
    const child = await this.#child(g, childId, 'consent.withdraw');
    const purpose = this.#purpose(purposeName);
    const base = { ...guardianEntry(g), action: 'consent.withdraw', recordRef: gate.ref(child.recordId) } as const;
    const org = await gate.vault.organisation(consentId);
    if (!org) {
      await gate.refuse({ ...base, purpose: purpose.name, outcome: 'denied' }, new TracevaultError('ERR_NOT_FOUND'));
    }
    const removed = await gate.commit(async (tx, events) => {
      const n = await gate.consents.withdraw(tx, child.recordSeq, org!.id, purpose.name);
      events.push({
        ...base,
        purpose: purpose.name,
        outcome: n > 0 ? 'ok' : 'denied',
        detail: { organizationId: org!.id, removed: n },
      });
      return n;
    });
    if (removed === 0) throw new TracevaultError('ERR_NOT_FOUND');
  }

  #purpose(name: string | undefined) {
    const p = purposeOf(name ?? 'partner_contact');
    if (!p.byConsent) throw new TracevaultError('ERR_INVALID_FIELD', { field: 'purpose', rule: 'consent.purpose' });
    return p;
  }

  /**
   * The guardian's own child of that id; anything else is refused alike (ERR_NOT_FOUND, a ledger
   * entry naming the guardian and not the id), compared against its own children alone.
   */
  async #child(g: GuardianContext, childId: string, action: AuditAction): Promise<GuardianChild> {
    const child = ownChild(await this.#guardians.children(g.guardian.id), childId);
    if (child) return liveChild(child);
    return this.#gate.refuse(
      { ...guardianEntry(g), action, outcome: 'denied', detail: { rule: 'notOwnChild' } },
      new TracevaultError('ERR_NOT_FOUND'),
    );
  }
}
