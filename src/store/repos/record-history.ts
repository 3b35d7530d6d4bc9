/**
 * A record's ledger entries, for its family's access history (service/portal/history.ts): the
 * entries ledger_record_entries lists for its keyed reference (store/audit.ts writes it with each
 * entry), with what a family is shown of whoever made them (the organisation, its kind, the ward,
 * and the staff member's name only where the organisation's publication policy says so), and the
 * latest checkpoint their proofs lead to.
 */
import type { Db } from '../db.ts';

/** A ledger entry's stored columns, as its leaf input is made of them (ledger/log.ts). */
export interface EntryColumns {
  seq: number;
  tenant_id: string;
  at: string;
  salt: string | null;
  entry: string;
  [k: string]: unknown;
}

export interface ActorInfo {
  readonly organisationId: string | null;
  readonly organisation: string | null;
  readonly organisationKind: string | null;
  readonly ward: string | null;
  /** The staff member's display name, only when its organisation publishes names to families. */
  readonly publishedName: string | null;
}

export class RecordHistoryRepo {
  readonly #db: Db;
  readonly #tenant: string;

  constructor(db: Db, tenantId: string) {
    this.#db = db;
    this.#tenant = tenantId;
  }

  /** The newest `limit` entries about a record (by its keyed reference) below sequence number `before`. */
  async entries(recordRef: string, limit: number, before = Number.MAX_SAFE_INTEGER): Promise<EntryColumns[]> {
    return this.#db.all<EntryColumns>(
      'SELECT a.seq, a.tenant_id, a.at, a.salt, a.entry FROM ledger_record_entries l ' +
        'JOIN audit_events a ON a.seq = l.seq ' +
        'WHERE l.record_ref = ? AND l.tenant_id = ? AND l.seq < ? ORDER BY l.seq DESC LIMIT ?',
      [recordRef, this.#tenant, before, limit],
    );
  }

  /** Whether ledger entry `seq` is about the record. */
  async isAbout(recordRef: string, seq: number): Promise<boolean> {
    return !!(await this.#db.get('SELECT 1 AS x FROM ledger_record_entries WHERE record_ref = ? AND seq = ?', [
      recordRef,
      seq,
    ]));
  }

  /** What a family is shown of each principal (staff of the tenant); unknown ids are left out. */
  async actors(principalIds: readonly string[]): Promise<Map<string, ActorInfo>> {
    const out = new Map<string, ActorInfo>();
    if (principalIds.length === 0) return out;
    const marks = principalIds.map(() => '?').join(', ');
    const rows = await this.#db.all<{
      id: string;
      display_name: string;
      org_id: string | null;
      name: string | null;
      kind: string | null;
      staff_names: number | null;
    }>(
      'SELECT p.id, p.display_name, p.org_id, o.name, o.kind, pp.staff_names FROM principals p ' +
        'LEFT JOIN organisations o ON o.id = p.org_id LEFT JOIN portal_publication pp ON pp.org_id = p.org_id ' +
        `WHERE p.tenant_id = ? AND p.id IN (${marks})`,
      [this.#tenant, ...principalIds],
    );
    const wards = await this.#db.all<{ principal_id: string; value: string }>(
      `SELECT principal_id, value FROM care_relationships WHERE kind = 'ward' AND principal_id IN (${marks}) ` +
        'ORDER BY principal_id, value',
      [...principalIds],
    );
    for (const r of rows) {
      out.set(r.id, {
        organisationId: r.org_id,
        organisation: r.name,
        organisationKind: r.kind,
        ward: wards.find((w) => w.principal_id === r.id)?.value ?? null,
        publishedName: Number(r.staff_names ?? 0) === 1 ? r.display_name : null,
      });
    }
    return out;
  }

  /** Organisations by id (for entries that name one and whose principal is not staff). */
  async organisations(ids: readonly string[]): Promise<Map<string, { name: string; kind: string }>> {
    if (ids.length === 0) return new Map();
    const rows = await this.#db.all<{ id: string; name: string; kind: string }>(
      `SELECT id, name, kind FROM organisations WHERE tenant_id = ? AND id IN (${ids.map(() => '?').join(', ')})`,
      [this.#tenant, ...ids],
    );
    return new Map(rows.map((r) => [r.id, { name: r.name, kind: r.kind }]));
  }

  /**
   * The size of the latest checkpoint its witnesses have cosigned, or of the latest checkpoint when no
   * witness ever cosigned one (a log without witnesses); 0 when none is signed yet. A checkpoint just
   * signed and not yet back from its witnesses is not used: the page, which wants their
   * cosignatures, would call it altered; the entries it adds wait for the next one.
   */
  async checkpointSize(): Promise<number> {
    const cosigned = await this.#db.get<{ size: number | null }>('SELECT MAX(size) AS size FROM ledger_cosignatures');
    if (cosigned?.size != null) return Number(cosigned.size);
    const r = await this.#db.get<{ size: number }>('SELECT size FROM ledger_checkpoints ORDER BY size DESC LIMIT 1');
    return Number(r?.size ?? 0);
  }

  /** An organisation's publication policy: whether families see its staff members' names. */
  async setPublication(tx: Db, orgId: string, staffNames: boolean, at: string, by: string): Promise<void> {
    await tx.run(
      'INSERT INTO portal_publication (org_id, tenant_id, staff_names, updated_at, updated_by) ' +
        'VALUES (?, ?, ?, ?, ?) ON CONFLICT (org_id) DO UPDATE SET staff_names = excluded.staff_names, ' +
        'updated_at = excluded.updated_at, updated_by = excluded.updated_by',
      [orgId, this.#tenant, staffNames ? 1 : 0, at, by],
    );
  }
}
