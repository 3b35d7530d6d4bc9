/**
 * Enrolments: a principal created without a credential waits here until a second administrator
 * approves it, then redeems the two codes for its own API token (service/enrolments.ts). Codes are
 * kept as SHA-256 hashes; the principal's credentials are written here too, at enrolment.
 */
import type { Db } from '../db.ts';

export interface EnrolmentRow {
  readonly principalId: string;
  readonly orgId: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly creatorCode: Buffer;
  readonly approvedBy: string | null;
  readonly approvedAt: string | null;
  readonly approverCode: Buffer | null;
  readonly enrolledAt: string | null;
}

/** An enrolment waiting for approval or for its principal, with what an administrator needs to decide. */
export interface PendingRow {
  readonly principalId: string;
  readonly displayName: string;
  readonly roles: readonly string[];
  readonly orgId: string | null;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly approvedBy: string | null;
}

interface Raw {
  principal_id: string;
  org_id: string | null;
  created_by: string;
  created_at: string;
  expires_at: string;
  creator_code: Buffer;
  approved_by: string | null;
  approved_at: string | null;
  approver_code: Buffer | null;
  enrolled_at: string | null;
  [k: string]: unknown;
}

export class EnrolmentRepo {
  readonly #db: Db;
  readonly #tenant: string;

  constructor(db: Db, tenantId: string) {
    this.#db = db;
    this.#tenant = tenantId;
  }

  /** A new enrolment; the principal's token (made with its row) is cleared in the same transaction. */
  async open(
    tx: Db,
    e: { principalId: string; orgId: string | null; createdBy: string; at: string; expiresAt: string; code: Buffer },
  ): Promise<void> {
    await tx.run('UPDATE principals SET token_hash = NULL, password_hash = NULL WHERE id = ? AND tenant_id = ?', [
      e.principalId,
      this.#tenant,
    ]);
    await tx.run(
      'INSERT INTO enrolments (principal_id, tenant_id, org_id, created_by, created_at, expires_at, creator_code) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?)',
      [e.principalId, this.#tenant, e.orgId, e.createdBy, e.at, e.expiresAt, e.code],
    );
  }

  async get(principalId: string, db: Db = this.#db): Promise<EnrolmentRow | undefined> {
    const r = await db.get<Raw>(
      'SELECT principal_id, org_id, created_by, created_at, expires_at, creator_code, approved_by, approved_at, ' +
        'approver_code, enrolled_at FROM enrolments WHERE principal_id = ? AND tenant_id = ?',
      [principalId, this.#tenant],
    );
    if (!r) return undefined;
    return {
      principalId: r.principal_id,
      orgId: r.org_id,
      createdBy: r.created_by,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      creatorCode: Buffer.from(r.creator_code),
      approvedBy: r.approved_by,
      approvedAt: r.approved_at,
      approverCode: r.approver_code === null ? null : Buffer.from(r.approver_code),
      enrolledAt: r.enrolled_at,
    };
  }

  /** Enrolments not yet redeemed nor expired at `now`, oldest first; of one organisation when `orgId` is given. */
  async pending(now: string, orgId?: string): Promise<PendingRow[]> {
    const rows = await this.#db.all<{
      principal_id: string;
      display_name: string;
      roles: string;
      org_id: string | null;
      created_by: string;
      created_at: string;
      expires_at: string;
      approved_by: string | null;
    }>(
      'SELECT e.principal_id, p.display_name, p.roles, e.org_id, e.created_by, e.created_at, e.expires_at, ' +
        'e.approved_by FROM enrolments e JOIN principals p ON p.id = e.principal_id ' +
        'WHERE e.tenant_id = ? AND e.enrolled_at IS NULL AND e.expires_at > ?' +
        (orgId === undefined ? '' : ' AND e.org_id = ?') +
        ' ORDER BY e.created_at, e.principal_id LIMIT 1000',
      orgId === undefined ? [this.#tenant, now] : [this.#tenant, now, orgId],
    );
    return rows.map((r) => ({
      principalId: r.principal_id,
      displayName: r.display_name,
      roles: r.roles.split(',').filter(Boolean),
      orgId: r.org_id,
      createdBy: r.created_by,
      createdAt: r.created_at,
      expiresAt: r.expires_at,
      approvedBy: r.approved_by,
    }));
  }

  /** Records the approval; false if another approval or the enrolment came first. */
  async approve(tx: Db, principalId: string, by: string, at: string, code: Buffer): Promise<boolean> {
    const n = await tx.run(
      'UPDATE enrolments SET approved_by = ?, approved_at = ?, approver_code = ? ' +
        'WHERE principal_id = ? AND tenant_id = ? AND approved_by IS NULL AND enrolled_at IS NULL',
      [by, at, code, principalId, this.#tenant],
    );
    return n === 1;
  }

  /**
   * Redeems an approved enrolment: the principal gets its token (and its password, if one is given)
   * and the codes are spent. False if it was redeemed already.
   */
  async redeem(
    tx: Db,
    principalId: string,
    at: string,
    credentials: { tokenHash: Buffer; passwordHash?: string },
  ): Promise<boolean> {
    const n = await tx.run(
      'UPDATE enrolments SET enrolled_at = ? ' +
        'WHERE principal_id = ? AND tenant_id = ? AND approved_by IS NOT NULL AND enrolled_at IS NULL',
      [at, principalId, this.#tenant],
    );
    if (n !== 1) return false;
    await tx.run('UPDATE principals SET token_hash = ?, password_hash = ? WHERE id = ? AND tenant_id = ?', [
      credentials.tokenHash,
      credentials.passwordHash ?? null,
      principalId,
      this.#tenant,
    ]);
    return true;
  }

  /** Whether the principal has a login (a password given at enrolment needs one). */
  async hasLogin(principalId: string): Promise<boolean> {
    const r = await this.#db.get<{ login: string | null }>('SELECT login FROM principals WHERE id = ?', [principalId]);
    return typeof r?.login === 'string';
  }
}
