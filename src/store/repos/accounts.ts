/** What logging in reads and writes: a principal's login row, its failures and lock, its sessions. */
import type { Db } from '../db.ts';
import { normaliseLogin } from '../login.ts';
import type { CareRelationship } from '../vault.ts';

export interface LoginRow {
  readonly id: string;
  readonly passwordHash: string | null;
  readonly failedLogins: number;
  readonly lockedUntil: string | null;
  readonly disabledAt: string | null;
  readonly orgId: string | null;
}

export class AccountRepo {
  readonly #db: Db;
  readonly #tenant: string;

  constructor(db: Db, tenantId: string) {
    this.#db = db;
    this.#tenant = tenantId;
  }

  /** The account of a login, as typed (it is normalised here). */
  async byLogin(login: string): Promise<LoginRow | undefined> {
    const r = await this.#db.get<{
      id: string;
      password_hash: string | null;
      failed_logins: number;
      locked_until: string | null;
      disabled_at: string | null;
      org_id: string | null;
    }>(
      'SELECT id, password_hash, failed_logins, locked_until, disabled_at, org_id FROM principals ' +
        'WHERE tenant_id = ? AND login = ?',
      [this.#tenant, normaliseLogin(login)],
    );
    if (!r) return undefined;
    return {
      id: r.id,
      passwordHash: r.password_hash,
      failedLogins: Number(r.failed_logins),
      lockedUntil: r.locked_until,
      disabledAt: r.disabled_at,
      orgId: r.org_id,
    };
  }

  async setFailures(tx: Db, principalId: string, failures: number, lockedUntil: string | null): Promise<void> {
    await tx.run('UPDATE principals SET failed_logins = ?, locked_until = ? WHERE id = ?', [
      failures,
      lockedUntil,
      principalId,
    ]);
  }

  async openSession(
    tx: Db,
    s: { tokenHash: Buffer; principalId: string; at: string; expiresAt: string },
  ): Promise<void> {
    await tx.run('UPDATE principals SET failed_logins = 0, locked_until = NULL WHERE id = ?', [s.principalId]);
    await tx.run('INSERT INTO sessions (token_hash, principal_id, created_at, expires_at) VALUES (?, ?, ?, ?)', [
      s.tokenHash,
      s.principalId,
      s.at,
      s.expiresAt,
    ]);
  }

  async closeSession(tx: Db, tokenHash: Buffer): Promise<void> {
    await tx.run('DELETE FROM sessions WHERE token_hash = ?', [tokenHash]);
  }

  async relationships(principalId: string): Promise<CareRelationship[]> {
    return this.#db.all<{ kind: CareRelationship['kind']; value: string }>(
      'SELECT kind, value FROM care_relationships WHERE principal_id = ?',
      [principalId],
    );
  }
}
