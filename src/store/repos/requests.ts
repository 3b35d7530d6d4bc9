/**
 * Guardians' rights requests (service/requests.ts): the child's record, the guardian, the kind, the
 * status, the deadline, who decided and when. What the parent wrote and the staff's reason are
 * sealed by the service; this repository stores and returns the bytes as they are.
 */
import type { Db } from '../db.ts';

export type RequestKind = 'copy' | 'correction' | 'restriction' | 'erasure';
export type RequestStatus = 'pending' | 'accepted' | 'refused';

export interface RequestRow {
  readonly id: string;
  readonly recordId: string;
  readonly recordSeq: number;
  readonly recordOrgId: string | null;
  readonly guardianId: string;
  readonly kind: RequestKind;
  readonly status: RequestStatus;
  readonly createdAt: string;
  readonly deadline: string;
  readonly sealed: Buffer;
  readonly decidedAt: string | null;
  readonly decidedBy: string | null;
  readonly answerSealed: Buffer | null;
}

/** The most requests one list returns (a guardian's, or an organisation's, newest first). */
export const MAX_LISTED = 200;

type Raw = {
  id: string;
  record_id: string;
  record_seq: number;
  org_id: string | null;
  guardian_id: string;
  kind: RequestKind;
  status: RequestStatus;
  created_at: string;
  deadline: string;
  sealed: Buffer;
  decided_at: string | null;
  decided_by: string | null;
  answer_sealed: Buffer | null;
};

const SELECT =
  'SELECT q.id, r.id AS record_id, q.record_seq, r.org_id, q.guardian_id, q.kind, q.status, q.created_at, ' +
  'q.deadline, q.sealed, q.decided_at, q.decided_by, q.answer_sealed FROM rights_requests q ' +
  'JOIN records r ON r.seq = q.record_seq ';

function row(r: Raw): RequestRow {
  return {
    id: r.id,
    recordId: r.record_id,
    recordSeq: Number(r.record_seq),
    recordOrgId: r.org_id,
    guardianId: r.guardian_id,
    kind: r.kind,
    status: r.status,
    createdAt: r.created_at,
    deadline: r.deadline,
    sealed: Buffer.from(r.sealed),
    decidedAt: r.decided_at,
    decidedBy: r.decided_by,
    answerSealed: r.answer_sealed ? Buffer.from(r.answer_sealed) : null,
  };
}

export class RequestRepo {
  readonly #db: Db;
  readonly #tenant: string;

  constructor(db: Db, tenantId: string) {
    this.#db = db;
    this.#tenant = tenantId;
  }

  async insert(
    tx: Db,
    q: {
      id: string;
      recordSeq: number;
      guardianId: string;
      kind: RequestKind;
      status: RequestStatus;
      at: string;
      deadline: string;
      sealed: Buffer;
      decidedBy?: string;
    },
  ): Promise<void> {
    await tx.run(
      'INSERT INTO rights_requests (id, tenant_id, record_seq, guardian_id, kind, status, created_at, deadline, ' +
        'sealed, decided_at, decided_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        q.id,
        this.#tenant,
        q.recordSeq,
        q.guardianId,
        q.kind,
        q.status,
        q.at,
        q.deadline,
        q.sealed,
        q.decidedBy ? q.at : null,
        q.decidedBy ?? null,
      ],
    );
  }

  async get(id: string, db: Db = this.#db): Promise<RequestRow | undefined> {
    const r = await db.get<Raw>(`${SELECT}WHERE q.id = ? AND q.tenant_id = ?`, [id, this.#tenant]);
    return r ? row(r) : undefined;
  }

  /** A guardian's own requests, newest first. */
  async ofGuardian(guardianId: string): Promise<RequestRow[]> {
    const rows = await this.#db.all<Raw>(
      `${SELECT}WHERE q.guardian_id = ? AND q.tenant_id = ? ORDER BY q.created_at DESC, q.id LIMIT ${MAX_LISTED}`,
      [guardianId, this.#tenant],
    );
    return rows.map(row);
  }

  /** How many requests a guardian made since `since` (for its limit, service/requests.ts). */
  async countSince(guardianId: string, since: string, db: Db = this.#db): Promise<number> {
    const r = await db.get<{ n: number }>(
      'SELECT COUNT(*) AS n FROM rights_requests WHERE guardian_id = ? AND tenant_id = ? AND created_at >= ?',
      [guardianId, this.#tenant, since],
    );
    return Number(r?.n ?? 0);
  }

  /** The requests about records of an organisation (every organisation's with `orgId` null), newest first. */
  async ofOrganisation(orgId: string | null, status?: RequestStatus, kind?: RequestKind): Promise<RequestRow[]> {
    const where = ['q.tenant_id = ?'];
    const params: (string | null)[] = [this.#tenant];
    if (orgId !== null) {
      where.push('r.org_id = ?');
      params.push(orgId);
    }
    if (status) {
      where.push('q.status = ?');
      params.push(status);
    }
    if (kind) {
      where.push('q.kind = ?');
      params.push(kind);
    }
    const rows = await this.#db.all<Raw>(
      `${SELECT}WHERE ${where.join(' AND ')} ORDER BY q.created_at DESC, q.id LIMIT ${MAX_LISTED}`,
      params,
    );
    return rows.map(row);
  }

  /** Records a decision on a pending request; false when it was no longer pending (decided meanwhile). */
  async decide(
    tx: Db,
    d: { id: string; status: 'accepted' | 'refused'; at: string; by: string; answerSealed: Buffer },
  ): Promise<boolean> {
    const changed = await tx.run(
      'UPDATE rights_requests SET status = ?, decided_at = ?, decided_by = ?, answer_sealed = ? ' +
        "WHERE id = ? AND tenant_id = ? AND status = 'pending'",
      [d.status, d.at, d.by, d.answerSealed, d.id, this.#tenant],
    );
    return changed === 1;
  }
}

/** Whether an accepted restriction holds on the record (PIPL art. 44: the right to restrict processing). */
export async function isRestricted(db: Db, recordSeq: number): Promise<boolean> {
  const r = await db.get<{ n: number }>(
    "SELECT 1 AS n FROM rights_requests WHERE record_seq = ? AND kind = 'restriction' AND status = 'accepted'",
    [recordSeq],
  );
  return r !== undefined;
}

/** The records under an accepted restriction (few: checked once per export, not once per row). */
export async function restrictedRecords(db: Db): Promise<ReadonlySet<number>> {
  const rows = await db.all<{ record_seq: number }>(
    "SELECT DISTINCT record_seq FROM rights_requests WHERE kind = 'restriction' AND status = 'accepted'",
  );
  return new Set(rows.map((r) => Number(r.record_seq)));
}
