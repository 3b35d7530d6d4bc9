/**
 * Lists of published records beyond one record's own row: an export's records by filter, pages for
 * aggregates, and who else received them (the overlap that sizes an export's canaries).
 */
import type { Db, Param } from '../db.ts';

export interface RecordFilter {
  readonly recordType: string;
  readonly organizationId?: string;
  /** ISO instants, from inclusive, to exclusive. */
  readonly collectedFrom?: string;
  readonly collectedTo?: string;
}

export interface RecordPageRow {
  readonly seq: number;
  readonly id: string;
  readonly orgId: string | null;
}

const PUBLISHED = 'erased_at IS NULL AND staged_by IS NULL';

export class RecordLists {
  readonly #db: Db;
  readonly #tenant: string;

  constructor(db: Db, tenantId: string) {
    this.#db = db;
    this.#tenant = tenantId;
  }

  /** The ids of the published records a filter selects, in record order, at most `limit` + 1. */
  async ids(f: RecordFilter, limit: number): Promise<string[]> {
    const where = ['record_type = ?', PUBLISHED];
    const params: Param[] = [f.recordType];
    const add = (clause: string, value: string) => {
      where.push(clause);
      params.push(value);
    };
    // With an organisation the tenant is checked on the rows read: named in the WHERE clause, it
    // makes SQLite's planner scan the tenant's index (every record) instead of records_org.
    if (f.organizationId) add('org_id = ?', f.organizationId);
    else add('tenant_id = ?', this.#tenant);
    if (f.collectedFrom) add('created_at >= ?', f.collectedFrom);
    if (f.collectedTo) add('created_at < ?', f.collectedTo);
    const rows = await this.#db.all<{ id: string; tenant_id: string }>(
      `SELECT id, tenant_id FROM records WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ${Math.floor(limit) + 1}`,
      params,
    );
    return rows.filter((r) => r.tenant_id === this.#tenant).map((r) => r.id);
  }

  /** A page of published records of a type after `afterSeq`, in record order. */
  async page(recordType: string, afterSeq: number, size: number): Promise<RecordPageRow[]> {
    const rows = await this.#db.all<{ seq: number; id: string; org_id: string | null }>(
      `SELECT seq, id, org_id FROM records WHERE tenant_id = ? AND record_type = ? AND ${PUBLISHED} AND seq > ? ` +
        `ORDER BY seq LIMIT ${Math.floor(size)}`,
      [this.#tenant, recordType, afterSeq],
    );
    return rows.map((r) => ({ seq: Number(r.seq), id: r.id, orgId: r.org_id }));
  }

  /** A key that changes whenever a record of the type is published or erased, or any change is recorded. */
  async versionKey(recordType: string): Promise<string> {
    const r = await this.#db.get<{ n: number; c: number }>(
      `SELECT COUNT(*) AS n, (SELECT COUNT(*) FROM record_changes) AS c FROM records ` +
        `WHERE tenant_id = ? AND record_type = ? AND ${PUBLISHED}`,
      [this.#tenant, recordType],
    );
    return `${r?.n}/${r?.c}`;
  }

  /** How many principals other than `principalId` received each record in clear. */
  async otherHolders(principalId: string, seqs: readonly number[]): Promise<number[]> {
    const n = new Map<number, number>();
    for (let i = 0; i < seqs.length; i += 500) {
      const page = seqs.slice(i, i + 500);
      const rows = await this.#db.all<{ s: number; n: number }>(
        'SELECT i.record_seq AS s, COUNT(DISTINCT d.principal_id) AS n FROM disclosure_items i ' +
          'JOIN disclosures d ON d.id = i.disclosure_id ' +
          `WHERE i.record_seq IN (${page.map(() => '?').join(',')}) AND d.principal_id <> ? GROUP BY i.record_seq`,
        [...page, principalId],
      );
      for (const r of rows) n.set(Number(r.s), Number(r.n));
    }
    return seqs.map((s) => n.get(s) ?? 0);
  }

  async organisationNames(): Promise<Map<string, string>> {
    const rows = await this.#db.all<{ id: string; name: string }>(
      'SELECT id, name FROM organisations WHERE tenant_id = ?',
      [this.#tenant],
    );
    return new Map(rows.map((o) => [o.id, o.name]));
  }
}
