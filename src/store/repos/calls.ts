/**
 * Calls staff register before they phone a family (service/portal/calls.ts): the record, who calls
 * (principal, organisation, role), the purpose when it is one of the registry's, until when, and a
 * sealed message with the code said on the phone, the purpose as written and the calling number.
 */
import type { Db } from '../db.ts';

export interface CallRow {
  readonly id: string;
  readonly recordId: string;
  readonly role: string;
  readonly purpose: string | null;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly sealed: Buffer;
  readonly staffName: string | null;
  readonly organization: string | null;
  readonly organizationKind: string | null;
}

/** The most calls a guardian is shown at once (its children's calls of the last 15 minutes). */
const MAX_ACTIVE = 50;

export class CallRepo {
  readonly #db: Db;
  readonly #tenant: string;

  constructor(db: Db, tenantId: string) {
    this.#db = db;
    this.#tenant = tenantId;
  }

  async insert(
    tx: Db,
    c: {
      id: string;
      recordSeq: number;
      principalId: string;
      orgId: string | null;
      role: string;
      purpose: string | null;
      at: string;
      expiresAt: string;
      sealed: Buffer;
    },
  ): Promise<void> {
    await tx.run(
      'INSERT INTO calls (id, tenant_id, record_seq, principal_id, org_id, role, purpose, created_at, expires_at, ' +
        'sealed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [c.id, this.#tenant, c.recordSeq, c.principalId, c.orgId, c.role, c.purpose, c.at, c.expiresAt, c.sealed],
    );
  }

  /**
   * The calls still valid at `now` to the records a guardian enrolled for (and only those: the join
   * on the guardian's own records is the scope), newest first.
   */
  async activeFor(guardianId: string, now: string): Promise<CallRow[]> {
    const rows = await this.#db.all<{
      id: string;
      record_id: string;
      role: string;
      purpose: string | null;
      created_at: string;
      expires_at: string;
      sealed: Buffer;
      display_name: string | null;
      org_name: string | null;
      org_kind: string | null;
    }>(
      'SELECT c.id, r.id AS record_id, c.role, c.purpose, c.created_at, c.expires_at, c.sealed, ' +
        'p.display_name, o.name AS org_name, o.kind AS org_kind ' +
        'FROM guardian_children g JOIN calls c ON c.record_seq = g.record_seq ' +
        'JOIN records r ON r.seq = c.record_seq ' +
        'LEFT JOIN principals p ON p.id = c.principal_id LEFT JOIN organisations o ON o.id = c.org_id ' +
        'WHERE g.guardian_id = ? AND c.tenant_id = ? AND c.expires_at > ? AND r.erased_at IS NULL ' +
        `ORDER BY c.created_at DESC, c.id LIMIT ${MAX_ACTIVE}`,
      [guardianId, this.#tenant, now],
    );
    return rows.map((r) => ({
      id: r.id,
      recordId: r.record_id,
      role: r.role,
      purpose: r.purpose,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      sealed: Buffer.from(r.sealed),
      staffName: r.display_name,
      organization: r.org_name,
      organizationKind: r.org_kind,
    }));
  }
}
