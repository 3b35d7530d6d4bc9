/**
 * Calls guardians report as suspicious (service/portal/reports.ts): one row per child a report is
 * about, with when the call came, the fields the caller knew (the registry's names), keyed references
 * of the claim and of the number (to cluster without opening anything) and the sealed free text.
 */
import type { Db } from '../db.ts';

export interface ReportRow {
  readonly id: string;
  readonly recordId: string;
  readonly recordSeq: number;
  readonly calledAt: string;
  readonly createdAt: string;
  readonly knew: readonly string[];
  readonly claimRef: Buffer;
  readonly callerRef: Buffer | null;
  readonly sealed: Buffer;
}

/** The most reports one period gives (a trace of a period, a page of clusters). */
export const MAX_REPORTS = 5000;

export class ReportRepo {
  readonly #db: Db;
  readonly #tenant: string;

  constructor(db: Db, tenantId: string) {
    this.#db = db;
    this.#tenant = tenantId;
  }

  async insert(
    tx: Db,
    r: {
      id: string;
      guardianId: string;
      recordSeq: number;
      calledAt: string;
      at: string;
      knew: readonly string[];
      claimRef: Buffer;
      callerRef: Buffer | null;
      sealed: Buffer;
    },
  ): Promise<void> {
    await tx.run(
      'INSERT INTO call_reports (id, tenant_id, guardian_id, record_seq, called_at, created_at, knew, claim_ref, ' +
        'caller_ref, sealed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        r.id,
        this.#tenant,
        r.guardianId,
        r.recordSeq,
        r.calledAt,
        r.at,
        r.knew.join(','),
        r.claimRef,
        r.callerRef,
        r.sealed,
      ],
    );
  }

  /** How many reports a guardian made since `since` (for its limit). */
  async countSince(guardianId: string, since: string): Promise<number> {
    const row = await this.#db.get<{ n: number }>(
      'SELECT COUNT(DISTINCT id) AS n FROM call_reports WHERE guardian_id = ? AND tenant_id = ? AND created_at >= ?',
      [guardianId, this.#tenant, since],
    );
    return Number(row?.n ?? 0);
  }

  /** The reports of calls that came in [from, to), erased records left out, oldest call first. */
  async between(from: string, to: string): Promise<ReportRow[]> {
    const rows = await this.#db.all<{
      id: string;
      record_id: string;
      record_seq: number;
      called_at: string;
      created_at: string;
      knew: string;
      claim_ref: Buffer;
      caller_ref: Buffer | null;
      sealed: Buffer;
    }>(
      'SELECT c.id, r.id AS record_id, c.record_seq, c.called_at, c.created_at, c.knew, c.claim_ref, c.caller_ref, ' +
        'c.sealed FROM call_reports c JOIN records r ON r.seq = c.record_seq ' +
        'WHERE c.tenant_id = ? AND c.called_at >= ? AND c.called_at < ? AND r.erased_at IS NULL ' +
        `ORDER BY c.called_at, c.id, c.record_seq LIMIT ${MAX_REPORTS}`,
      [this.#tenant, from, to],
    );
    return rows.map((r) => ({
      id: r.id,
      recordId: r.record_id,
      recordSeq: Number(r.record_seq),
      calledAt: r.called_at,
      createdAt: r.created_at,
      knew: r.knew === '' ? [] : r.knew.split(','),
      claimRef: Buffer.from(r.claim_ref),
      callerRef: r.caller_ref === null ? null : Buffer.from(r.caller_ref),
      sealed: Buffer.from(r.sealed),
    }));
  }
}
