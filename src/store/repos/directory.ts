/**
 * The directory as an administrator reads and changes it: organisations, principals with their
 * status (pending while an enrolment waits, disabled once disabled, active otherwise) and care
 * relationships, and disabling a principal — its row kept for the record (the ledger and every
 * history name it), its credentials gone. Never a token, a password hash or a code.
 */
import type { Db } from '../db.ts';
import type { CareRelationship } from '../vault.ts';

export type PrincipalStatus = 'active' | 'pending' | 'disabled';

export interface OrganisationRow {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly region: string | null;
  readonly createdAt: string;
  /** Its principals that are not disabled. */
  readonly principals: number;
}

export interface DirectoryPrincipal {
  readonly id: string;
  readonly displayName: string;
  readonly roles: readonly string[];
  readonly orgId: string | null;
  readonly orgName: string | null;
  readonly orgKind: string;
  readonly login: string | null;
  readonly status: PrincipalStatus;
  readonly createdAt: string;
  readonly createdBy: string | null;
  readonly disabledAt: string | null;
  readonly relationships: readonly CareRelationship[];
}

export interface PrincipalFilter {
  /** Of this organisation only (an administrator outside the operator: always its own). */
  readonly orgId?: string;
  readonly status?: PrincipalStatus;
  readonly role?: string;
  readonly limit: number;
  readonly offset: number;
}

interface Raw {
  id: string;
  display_name: string;
  roles: string;
  org_id: string | null;
  org_name: string | null;
  org_kind: string | null;
  login: string | null;
  created_at: string;
  created_by: string | null;
  disabled_at: string | null;
  status: string;
  [k: string]: unknown;
}

/** Pending: an enrolment not yet redeemed (its principal has no credential). */
const STATUS =
  "CASE WHEN p.disabled_at IS NOT NULL THEN 'disabled' " +
  "WHEN e.principal_id IS NOT NULL AND e.enrolled_at IS NULL THEN 'pending' ELSE 'active' END";

const SELECT =
  'SELECT p.id, p.display_name, p.roles, p.org_id, o.name AS org_name, o.kind AS org_kind, p.login, ' +
  'p.created_at, p.created_by, p.disabled_at, ' +
  `${STATUS} AS status ` +
  'FROM principals p LEFT JOIN organisations o ON o.id = p.org_id ' +
  'LEFT JOIN enrolments e ON e.principal_id = p.id ';

export class DirectoryRepo {
  readonly #db: Db;
  readonly #tenant: string;

  constructor(db: Db, tenantId: string) {
    this.#db = db;
    this.#tenant = tenantId;
  }

  /** Organisations by name; one only when `orgId` is given. */
  async organisations(orgId?: string): Promise<OrganisationRow[]> {
    const rows = await this.#db.all<{
      id: string;
      name: string;
      kind: string;
      region: string | null;
      created_at: string;
      principals: number;
    }>(
      'SELECT o.id, o.name, o.kind, o.region, o.created_at, ' +
        '(SELECT COUNT(*) FROM principals p WHERE p.org_id = o.id AND p.disabled_at IS NULL) AS principals ' +
        'FROM organisations o WHERE o.tenant_id = ?' +
        (orgId === undefined ? '' : ' AND o.id = ?') +
        ' ORDER BY o.name, o.id',
      orgId === undefined ? [this.#tenant] : [this.#tenant, orgId],
    );
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      kind: r.kind,
      region: r.region,
      createdAt: r.created_at,
      principals: Number(r.principals),
    }));
  }

  /** A page of principals (by organisation, then name) and how many match in all. */
  async principals(f: PrincipalFilter): Promise<{ rows: DirectoryPrincipal[]; total: number }> {
    const where = ['p.tenant_id = ?'];
    const params: (string | number)[] = [this.#tenant];
    if (f.orgId !== undefined) {
      where.push('p.org_id = ?');
      params.push(f.orgId);
    }
    if (f.status !== undefined) {
      where.push(`(${STATUS}) = ?`);
      params.push(f.status);
    }
    if (f.role !== undefined) {
      // roles is a comma-separated list of known role names (access/roles.ts): no pattern characters.
      where.push("(',' || p.roles || ',') LIKE ?");
      params.push(`%,${f.role},%`);
    }
    const clause = `WHERE ${where.join(' AND ')}`;
    const count = await this.#db.get<{ n: number }>(
      'SELECT COUNT(*) AS n FROM principals p LEFT JOIN enrolments e ON e.principal_id = p.id ' + clause,
      params,
    );
    const raw = await this.#db.all<Raw>(`${SELECT}${clause} ORDER BY o.name, p.display_name, p.id LIMIT ? OFFSET ?`, [
      ...params,
      f.limit,
      f.offset,
    ]);
    const rels = await this.#relationshipsOf(raw.map((r) => r.id));
    return { rows: raw.map((r) => rowOf(r, rels.get(r.id) ?? [])), total: Number(count?.n ?? 0) };
  }

  async principal(id: string, db: Db = this.#db): Promise<DirectoryPrincipal | undefined> {
    const r = await db.get<Raw>(`${SELECT}WHERE p.tenant_id = ? AND p.id = ?`, [this.#tenant, id]);
    if (!r) return undefined;
    return rowOf(r, (await this.#relationshipsOf([id], db)).get(id) ?? []);
  }

  async #relationshipsOf(ids: readonly string[], db: Db = this.#db): Promise<Map<string, CareRelationship[]>> {
    const out = new Map<string, CareRelationship[]>();
    if (ids.length === 0) return out;
    const rows = await db.all<{ principal_id: string; kind: CareRelationship['kind']; value: string }>(
      'SELECT principal_id, kind, value FROM care_relationships ' +
        `WHERE principal_id IN (${ids.map(() => '?').join(', ')}) ORDER BY kind, value`,
      ids,
    );
    for (const r of rows) {
      const list = out.get(r.principal_id) ?? out.set(r.principal_id, []).get(r.principal_id)!;
      list.push({ kind: r.kind, value: r.value });
    }
    return out;
  }

  /** Replaces a principal's care relationships with `rels`. */
  async replaceRelationships(tx: Db, principalId: string, rels: readonly CareRelationship[]): Promise<void> {
    await tx.run('DELETE FROM care_relationships WHERE principal_id = ?', [principalId]);
    for (const r of rels)
      await tx.run(
        'INSERT INTO care_relationships (principal_id, kind, value) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
        [principalId, r.kind, r.value],
      );
  }

  /** Administrators neither disabled nor waiting for their enrolment, other than `except`. */
  async otherActiveAdministrators(tx: Db, except: string): Promise<number> {
    const r = await tx.get<{ n: number }>(
      'SELECT COUNT(*) AS n FROM principals p LEFT JOIN enrolments e ON e.principal_id = p.id ' +
        "WHERE p.tenant_id = ? AND p.id <> ? AND (',' || p.roles || ',') LIKE '%,administrator,%' " +
        `AND (${STATUS}) = 'active'`,
      [this.#tenant, except],
    );
    return Number(r?.n ?? 0);
  }

  /**
   * Disables a principal: its API token and password cleared, its sessions closed, an enrolment it
   * was waiting for ended. False if it was disabled already. Returns the sessions closed.
   */
  async disable(tx: Db, principalId: string, at: string): Promise<{ disabled: boolean; sessions: number }> {
    const n = await tx.run(
      'UPDATE principals SET disabled_at = ?, token_hash = NULL, password_hash = NULL ' +
        'WHERE id = ? AND tenant_id = ? AND disabled_at IS NULL',
      [at, principalId, this.#tenant],
    );
    if (n !== 1) return { disabled: false, sessions: 0 };
    const sessions = await tx.run('DELETE FROM sessions WHERE principal_id = ?', [principalId]);
    await tx.run('UPDATE enrolments SET expires_at = ? WHERE principal_id = ? AND enrolled_at IS NULL', [
      at,
      principalId,
    ]);
    return { disabled: true, sessions };
  }
}

function rowOf(r: Raw, relationships: readonly CareRelationship[]): DirectoryPrincipal {
  return {
    id: r.id,
    displayName: r.display_name,
    roles: r.roles.split(',').filter(Boolean),
    orgId: r.org_id,
    orgName: r.org_name,
    orgKind: r.org_kind ?? 'operator',
    login: r.login,
    status: r.status as PrincipalStatus,
    createdAt: r.created_at,
    createdBy: r.created_by,
    disabledAt: r.disabled_at,
    relationships,
  };
}
