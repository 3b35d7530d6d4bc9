/**
 * Guardians of the parents' portal (service/portal/guardian-access.ts): a guardian is known by the
 * keyed reference of its phone number (the number itself is kept sealed, for messages), holds the
 * records it enrolled for, and logs in to portal sessions of its own, stored as SHA-256 hashes of
 * their tokens apart from the staff's sessions.
 */
import type { Db } from '../db.ts';

export type Relation = 'mother' | 'father';

export interface GuardianChild {
  readonly recordId: string;
  readonly recordSeq: number;
  readonly relation: Relation;
  readonly enrolledAt: string;
  /** When the record was erased (its key destroyed); null while it is not. */
  readonly erasedAt: string | null;
}

export interface PortalSessionRow {
  readonly guardianId: string;
  readonly expiresAt: string;
}

export class GuardianRepo {
  readonly #db: Db;
  readonly #tenant: string;

  constructor(db: Db, tenantId: string) {
    this.#db = db;
    this.#tenant = tenantId;
  }

  /** The guardian of a phone's keyed reference, if one enrolled. */
  async byPhoneRef(phoneRef: Buffer, db: Db = this.#db): Promise<string | undefined> {
    const r = await db.get<{ id: string }>('SELECT id FROM guardians WHERE tenant_id = ? AND phone_ref = ?', [
      this.#tenant,
      phoneRef,
    ]);
    return r?.id;
  }

  async insert(tx: Db, g: { id: string; phoneRef: Buffer; phoneSealed: Buffer; at: string }): Promise<void> {
    await tx.run('INSERT INTO guardians (id, tenant_id, phone_ref, phone_sealed, created_at) VALUES (?, ?, ?, ?, ?)', [
      g.id,
      this.#tenant,
      g.phoneRef,
      g.phoneSealed,
      g.at,
    ]);
  }

  /** Links a record to its guardian and returns the record's id; undefined if it already was (the first stands). */
  async link(
    tx: Db,
    c: { guardianId: string; recordSeq: number; relation: Relation; invitationId: string; at: string },
  ): Promise<string | undefined> {
    const n = await tx.run(
      'INSERT INTO guardian_children (guardian_id, record_seq, relation, invitation_id, enrolled_at) ' +
        'VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      [c.guardianId, c.recordSeq, c.relation, c.invitationId, c.at],
    );
    if (n === 0) return undefined;
    return (await tx.get<{ id: string }>('SELECT id FROM records WHERE seq = ?', [c.recordSeq]))?.id;
  }

  /**
   * The records a guardian enrolled for, oldest enrolment first, erased ones too (marked by
   * `erasedAt`): the family still sees that its child's record was erased, and its history.
   */
  async children(guardianId: string): Promise<GuardianChild[]> {
    const rows = await this.#db.all<{
      id: string;
      seq: number;
      relation: Relation;
      enrolled_at: string;
      erased_at: string | null;
    }>(
      'SELECT r.id, r.seq, c.relation, c.enrolled_at, r.erased_at FROM guardian_children c ' +
        'JOIN records r ON r.seq = c.record_seq WHERE c.guardian_id = ? ' +
        'ORDER BY c.enrolled_at, r.seq',
      [guardianId],
    );
    return rows.map((r) => ({
      recordId: r.id,
      recordSeq: Number(r.seq),
      relation: r.relation,
      enrolledAt: r.enrolled_at,
      erasedAt: r.erased_at ?? null,
    }));
  }

  /**
   * Whether a guardian holds a record (erased ones too: the family may still log in to see the
   * erasure and the history of its child's record).
   */
  async hasChildren(guardianId: string): Promise<boolean> {
    return !!(await this.#db.get(
      'SELECT 1 AS x FROM guardian_children c JOIN records r ON r.seq = c.record_seq WHERE c.guardian_id = ?',
      [guardianId],
    ));
  }

  async openSession(
    tx: Db,
    s: { tokenHash: Buffer; guardianId: string; at: string; expiresAt: string },
  ): Promise<void> {
    await tx.run(
      'INSERT INTO portal_sessions (token_hash, tenant_id, guardian_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
      [s.tokenHash, this.#tenant, s.guardianId, s.at, s.expiresAt],
    );
  }

  /** The live session of a token's hash. */
  async session(tokenHash: Buffer, now: string): Promise<PortalSessionRow | undefined> {
    const r = await this.#db.get<{ guardian_id: string; expires_at: string }>(
      'SELECT guardian_id, expires_at FROM portal_sessions WHERE token_hash = ? AND tenant_id = ? AND expires_at > ?',
      [tokenHash, this.#tenant, now],
    );
    return r && { guardianId: r.guardian_id, expiresAt: r.expires_at };
  }

  async closeSession(tx: Db, tokenHash: Buffer): Promise<void> {
    await tx.run('DELETE FROM portal_sessions WHERE token_hash = ? AND tenant_id = ?', [tokenHash, this.#tenant]);
  }
}
