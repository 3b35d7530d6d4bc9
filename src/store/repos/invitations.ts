/**
 * Invitations to the parents' portal (service/portal/invitations.ts): one per printed code, kept as
 * the keyed HMAC of the code and found by it; the record it is for, who issued it and until when.
 */
import type { Db } from '../db.ts';

export interface InvitationRow {
  readonly id: string;
  readonly recordId: string;
  readonly recordSeq: number;
  readonly expiresAt: string;
}

export class InvitationRepo {
  readonly #db: Db;
  readonly #tenant: string;

  constructor(db: Db, tenantId: string) {
    this.#db = db;
    this.#tenant = tenantId;
  }

  async insert(
    tx: Db,
    i: {
      id: string;
      recordSeq: number;
      codeHash: Buffer;
      orgId: string | null;
      by: string;
      at: string;
      expiresAt: string;
    },
  ): Promise<void> {
    await tx.run(
      'INSERT INTO portal_invitations (id, tenant_id, record_seq, code_hash, org_id, created_by, created_at, ' +
        'expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [i.id, this.#tenant, i.recordSeq, i.codeHash, i.orgId, i.by, i.at, i.expiresAt],
    );
  }

  /** The live invitation of a code's HMAC (not expired, its record not erased), if any. */
  async live(codeHash: Buffer, now: string): Promise<InvitationRow | undefined> {
    const r = await this.#db.get<{ id: string; record_id: string; record_seq: number; expires_at: string }>(
      'SELECT i.id, r.id AS record_id, i.record_seq, i.expires_at FROM portal_invitations i ' +
        'JOIN records r ON r.seq = i.record_seq ' +
        'WHERE i.code_hash = ? AND i.tenant_id = ? AND i.expires_at > ? AND r.erased_at IS NULL',
      [codeHash, this.#tenant, now],
    );
    return r && { id: r.id, recordId: r.record_id, recordSeq: Number(r.record_seq), expiresAt: r.expires_at };
  }
}
