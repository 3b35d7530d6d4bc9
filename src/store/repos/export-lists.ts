/**
 * Export requests listed (service/export-lists.ts): the ones waiting for a data-protection officer,
 * or a requester's own, each with who asked (name, roles, organisation) and how many records its
 * filter selects now. The justification stays sealed here; the service opens it.
 */
import type { Db, Param } from '../db.ts';
import {
  storedExportOf,
  type ExportFilter,
  type ExportStatus,
  type StoredExport,
  type StoredExportRow,
} from './exports.ts';

export interface ListedExport extends StoredExport {
  readonly requester: {
    readonly displayName: string | null;
    readonly roles: string[];
    readonly orgId: string | null;
    readonly orgName: string | null;
  };
}

export interface ExportListFilter {
  readonly status?: ExportStatus;
  /** One requester's only. */
  readonly requestedBy?: string;
  readonly limit: number;
  readonly offset: number;
}

/** A row of `exports e` with its requester's row. */
type Raw = StoredExportRow & {
  p_name: string | null;
  p_roles: string | null;
  p_org: string | null;
  o_name: string | null;
};

export class ExportLists {
  readonly #db: Db;
  readonly #tenant: string;

  constructor(db: Db, tenantId: string) {
    this.#db = db;
    this.#tenant = tenantId;
  }

  /** Pending ones oldest first (the order they wait in); otherwise newest first. */
  async list(f: ExportListFilter): Promise<{ rows: ListedExport[]; total: number }> {
    const where = ['e.tenant_id = ?'];
    const params: Param[] = [this.#tenant];
    if (f.status !== undefined) {
      where.push('e.status = ?');
      params.push(f.status);
    }
    if (f.requestedBy !== undefined) {
      where.push('e.requested_by = ?');
      params.push(f.requestedBy);
    }
    const clause = where.join(' AND ');
    const total = await this.#db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM exports e WHERE ${clause}`, params);
    const order = f.status === 'pending' ? 'e.requested_at, e.id' : 'e.requested_at DESC, e.id DESC';
    const rows = await this.#db.all<Raw>(
      'SELECT e.*, p.display_name AS p_name, p.roles AS p_roles, p.org_id AS p_org, o.name AS o_name ' +
        'FROM exports e LEFT JOIN principals p ON p.id = e.requested_by ' +
        `LEFT JOIN organisations o ON o.id = p.org_id WHERE ${clause} ORDER BY ${order} LIMIT ? OFFSET ?`,
      [...params, f.limit, f.offset],
    );
    return { rows: rows.map(rowOf), total: Number(total?.n ?? 0) };
  }

  /** How many published records of a type, organisation and collection period there are now. */
  async estimate(f: ExportFilter): Promise<number> {
    const where = ['tenant_id = ?', 'record_type = ?', 'erased_at IS NULL', 'staged_by IS NULL'];
    const params: Param[] = [this.#tenant, f.recordType ?? 'birth'];
    const add = (clause: string, value: string) => {
      where.push(clause);
      params.push(value);
    };
    if (f.organizationId) add('org_id = ?', f.organizationId);
    if (f.collectedFrom) add('created_at >= ?', new Date(f.collectedFrom).toISOString());
    if (f.collectedTo) add('created_at < ?', new Date(f.collectedTo).toISOString());
    const r = await this.#db.get<{ n: number }>(
      `SELECT COUNT(*) AS n FROM records WHERE ${where.join(' AND ')}`,
      params,
    );
    return Number(r?.n ?? 0);
  }
}

function rowOf(r: Raw): ListedExport {
  return {
    ...storedExportOf(r),
    requester: {
      displayName: r.p_name,
      roles: (r.p_roles ?? '').split(',').filter(Boolean),
      orgId: r.p_org,
      orgName: r.o_name,
    },
  };
}
