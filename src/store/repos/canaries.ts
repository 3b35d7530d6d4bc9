/**
 * Canary contact points (phones and mailboxes the operator controls, sealed; found by a keyed
 * reference), the canaries given each, earlier canaries of a recipient, and reported calls.
 */
import type { Db } from '../db.ts';

export interface ContactRow {
  readonly id: string;
  readonly sealed: Buffer;
  readonly assigned: number;
}

export interface CanaryRow {
  readonly id: string;
  readonly disclosureId: string;
  readonly sealed: Buffer;
}

export interface HitRow {
  readonly id: string;
  readonly at: string;
  readonly recordedAt: string;
  readonly confirmed: boolean;
  readonly contactKind: string;
  readonly disclosureId: string | null;
}

export class CanaryRepo {
  readonly #db: Db;
  readonly #tenant: string;

  constructor(db: Db, tenantId: string) {
    this.#db = db;
    this.#tenant = tenantId;
  }

  /** The phone contact points, the least used first. */
  async phoneContacts(): Promise<ContactRow[]> {
    const rows = await this.#db.all<{ id: string; sealed: Buffer; assigned: number }>(
      "SELECT id, sealed, assigned FROM canary_contacts WHERE tenant_id = ? AND kind = 'phone' ORDER BY assigned, id",
      [this.#tenant],
    );
    return rows.map((r) => ({ id: r.id, sealed: r.sealed, assigned: Number(r.assigned) }));
  }

  async contactId(valueRef: Buffer, db: Db = this.#db): Promise<string | undefined> {
    const r = await db.get<{ id: string }>('SELECT id FROM canary_contacts WHERE tenant_id = ? AND value_ref = ?', [
      this.#tenant,
      valueRef,
    ]);
    return r?.id;
  }

  async insertContact(
    tx: Db,
    c: { id: string; kind: 'phone' | 'mailbox'; valueRef: Buffer; sealed: Buffer; at: string },
  ): Promise<void> {
    await tx.run(
      'INSERT INTO canary_contacts (id, tenant_id, kind, value_ref, sealed, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      [c.id, this.#tenant, c.kind, c.valueRef, c.sealed, c.at],
    );
  }

  /** The canaries that were given a contact point. */
  async ofContact(contactId: string): Promise<CanaryRow[]> {
    const rows = await this.#db.all<{ id: string; disclosure_id: string; sealed: Buffer }>(
      'SELECT id, disclosure_id, sealed FROM canaries WHERE contact_id = ?',
      [contactId],
    );
    return rows.map((r) => ({ id: r.id, disclosureId: r.disclosure_id, sealed: r.sealed }));
  }

  /** The canaries a principal received in earlier exports with the same filter (as stored JSON). */
  async earlier(principalId: string, filterJson: string): Promise<{ sealed: Buffer; contactId: string | null }[]> {
    const rows = await this.#db.all<{ sealed: Buffer; contact_id: string | null }>(
      'SELECT c.sealed, c.contact_id FROM canaries c JOIN disclosures d ON d.id = c.disclosure_id ' +
        'JOIN exports e ON e.id = d.export_id WHERE c.tenant_id = ? AND d.principal_id = ? AND e.filter = ? ' +
        'ORDER BY c.created_at, c.id',
      [this.#tenant, principalId, filterJson],
    );
    return rows.map((r) => ({ sealed: r.sealed, contactId: r.contact_id }));
  }

  async insertHit(
    tx: Db,
    h: {
      id: string;
      contactId: string;
      at: string;
      canaryId: string | null;
      disclosureId: string | null;
      quote: Buffer;
      recordedAt: string;
    },
  ): Promise<void> {
    await tx.run(
      'INSERT INTO canary_hits (id, tenant_id, contact_id, at, confirmed, canary_id, disclosure_id, quote, ' +
        'recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [h.id, this.#tenant, h.contactId, h.at, h.canaryId ? 1 : 0, h.canaryId, h.disclosureId, h.quote, h.recordedAt],
    );
  }

  /** The reported calls and messages, newest first (never their quotes). */
  async hits(limit: number): Promise<HitRow[]> {
    const rows = await this.#db.all<{
      id: string;
      at: string;
      recorded_at: string;
      confirmed: number;
      kind: string;
      disclosure_id: string | null;
    }>(
      'SELECT h.id, h.at, h.recorded_at, h.confirmed, c.kind, h.disclosure_id FROM canary_hits h ' +
        'JOIN canary_contacts c ON c.id = h.contact_id WHERE h.tenant_id = ? ORDER BY h.recorded_at DESC, h.id LIMIT ?',
      [this.#tenant, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      recordedAt: r.recorded_at,
      confirmed: Number(r.confirmed) === 1,
      contactKind: r.kind,
      disclosureId: r.disclosure_id,
    }));
  }
}
