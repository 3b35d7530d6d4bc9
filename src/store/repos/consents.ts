/** A guardian's consents for partner organisations, by record (its sequence number) and purpose. */
import type { Db } from '../db.ts';

export interface ConsentRow {
  readonly orgId: string;
  readonly purpose: string;
  readonly grantedAt: string;
}

export class ConsentRepo {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Records a consent (an earlier grant stands) and returns when it was granted. */
  async grant(tx: Db, recordSeq: number, orgId: string, purpose: string, at: string): Promise<string> {
    await tx.run(
      'INSERT INTO consents (record_seq, org_id, purpose, granted_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      [recordSeq, orgId, purpose, at],
    );
    const row = await tx.get<{ granted_at: string }>(
      'SELECT granted_at FROM consents WHERE record_seq = ? AND org_id = ? AND purpose = ?',
      [recordSeq, orgId, purpose],
    );
    return row?.granted_at ?? at;
  }

  /** Withdraws a consent; the number of consents removed (0 or 1). */
  async withdraw(tx: Db, recordSeq: number, orgId: string, purpose: string): Promise<number> {
    return tx.run('DELETE FROM consents WHERE record_seq = ? AND org_id = ? AND purpose = ?', [
      recordSeq,
      orgId,
      purpose,
    ]);
  }

  async list(recordSeq: number): Promise<ConsentRow[]> {
    const rows = await this.#db.all<{ org_id: string; purpose: string; granted_at: string }>(
      'SELECT org_id, purpose, granted_at FROM consents WHERE record_seq = ? ORDER BY granted_at, org_id, purpose',
      [recordSeq],
    );
    return rows.map((r) => ({ orgId: r.org_id, purpose: r.purpose, grantedAt: r.granted_at }));
  }

  async has(recordSeq: number, orgId: string, purpose: string): Promise<boolean> {
    return !!(await this.#db.get('SELECT 1 AS x FROM consents WHERE record_seq = ? AND org_id = ? AND purpose = ?', [
      recordSeq,
      orgId,
      purpose,
    ]));
  }

  /** The partner organisations a guardian may consent to (the portal lists each, consented or not). */
  async partners(tenantId: string): Promise<{ id: string; name: string }[]> {
    return this.#db.all<{ id: string; name: string }>(
      "SELECT id, name FROM organisations WHERE tenant_id = ? AND kind = 'partner' ORDER BY name, id",
      [tenantId],
    );
  }
}
