/**
 * Export requests: asked for, decided once (approved or refused), downloaded while approved. The
 * requester's justification is kept sealed (the service seals and opens it). A `due_list` export is
 * a standing one (service/due-lists.ts, ADR 0022): approved once for a period of local dates, run
 * again and again within it, each run a disclosure of its own (`export_runs`).
 */
import type { Db } from '../db.ts';

export type ExportStatus = 'pending' | 'approved' | 'refused';
/** `records`: a bulk export of records by filter; `due_list`: a clinic's standing due list. */
export type ExportKind = 'records' | 'due_list';

export interface ExportFilter {
  readonly recordType?: string;
  readonly organizationId?: string;
  readonly collectedFrom?: string;
  readonly collectedTo?: string;
}

export interface ExportRow {
  readonly id: string;
  readonly status: ExportStatus;
  readonly requestedBy: string;
  readonly requestedAt: string;
  readonly purpose: string;
  readonly filter: ExportFilter;
  readonly fields: string[];
  readonly format: string;
  readonly decidedBy: string | null;
  readonly decidedAt: string | null;
  readonly expiresAt: string | null;
  readonly downloads: number;
  readonly canaryAware: boolean;
  readonly kind: ExportKind;
  /** A standing export's period (local dates, inclusive); null for a one-off export. */
  readonly validFrom: string | null;
  readonly validTo: string | null;
}

/** One run of a standing export: its disclosure, when, the due window it listed, its rows and file hash. */
export interface ExportRun {
  readonly disclosureId: string;
  readonly at: string;
  readonly from: string;
  readonly to: string;
  readonly records: number;
  readonly sha256: string;
}

/** A row as stored: with its sealed justification, if one was given. */
export interface StoredExport extends ExportRow {
  readonly justificationSealed: Buffer | null;
}

/** An `exports` row as the database gives it. */
export type StoredExportRow = {
  id: string;
  status: ExportStatus;
  requested_by: string;
  requested_at: string;
  purpose: string;
  filter: string;
  fields: string;
  format: string;
  decided_by: string | null;
  decided_at: string | null;
  expires_at: string | null;
  downloads: number;
  canary_aware: number;
  justification: Uint8Array | null;
  kind: string | null;
  valid_from: string | null;
  valid_to: string | null;
};

export class ExportRepo {
  readonly #db: Db;
  readonly #tenant: string;

  constructor(db: Db, tenantId: string) {
    this.#db = db;
    this.#tenant = tenantId;
  }

  async insert(
    tx: Db,
    x: Pick<
      ExportRow,
      'id' | 'requestedBy' | 'requestedAt' | 'purpose' | 'filter' | 'fields' | 'format' | 'canaryAware'
    > &
      Partial<Pick<ExportRow, 'kind' | 'validFrom' | 'validTo'>> & { readonly justificationSealed?: Buffer },
  ): Promise<void> {
    await tx.run(
      'INSERT INTO exports (id, tenant_id, requested_by, requested_at, purpose, filter, fields, format, status, ' +
        'canary_aware, justification, kind, valid_from, valid_to) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        x.id,
        this.#tenant,
        x.requestedBy,
        x.requestedAt,
        x.purpose,
        JSON.stringify(x.filter),
        x.fields.join(','),
        x.format,
        'pending',
        x.canaryAware ? 1 : 0,
        x.justificationSealed ?? null,
        x.kind ?? 'records',
        x.validFrom ?? null,
        x.validTo ?? null,
      ],
    );
  }

  async get(id: string): Promise<StoredExport | undefined> {
    const r = await this.#db.get<StoredExportRow>('SELECT * FROM exports WHERE id = ? AND tenant_id = ?', [
      id,
      this.#tenant,
    ]);
    return r ? storedExportOf(r) : undefined;
  }

  /** Decides a pending request; false if it was no longer pending. */
  async decide(
    tx: Db,
    d: { id: string; status: 'approved' | 'refused'; by: string; at: string; expiresAt: string | null },
  ): Promise<boolean> {
    const n = await tx.run(
      'UPDATE exports SET status = ?, decided_by = ?, decided_at = ?, expires_at = ? ' +
        "WHERE id = ? AND status = 'pending'",
      [d.status, d.by, d.at, d.expiresAt, d.id],
    );
    return n === 1;
  }

  async countDownload(tx: Db, id: string): Promise<void> {
    await tx.run('UPDATE exports SET downloads = downloads + 1 WHERE id = ?', [id]);
  }

  /** Records a run of a standing export (in the transaction of its disclosure). */
  async insertRun(tx: Db, exportId: string, run: ExportRun): Promise<void> {
    await tx.run(
      'INSERT INTO export_runs (export_id, disclosure_id, tenant_id, run_at, window_from, window_to, records, ' +
        'sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [exportId, run.disclosureId, this.#tenant, run.at, run.from, run.to, run.records, run.sha256],
    );
  }

  /** The runs of a standing export, oldest first. */
  async runs(exportId: string): Promise<ExportRun[]> {
    const rows = await this.#db.all<{
      disclosure_id: string;
      run_at: string;
      window_from: string;
      window_to: string;
      records: number;
      sha256: string;
    }>(
      'SELECT disclosure_id, run_at, window_from, window_to, records, sha256 FROM export_runs ' +
        'WHERE export_id = ? AND tenant_id = ? ORDER BY run_at, disclosure_id',
      [exportId, this.#tenant],
    );
    return rows.map((r) => ({
      disclosureId: r.disclosure_id,
      at: r.run_at,
      from: r.window_from,
      to: r.window_to,
      records: Number(r.records),
      sha256: r.sha256,
    }));
  }
}

/** A stored row as the service reads it. */
export function storedExportOf(r: StoredExportRow): StoredExport {
  return {
    id: r.id,
    status: r.status,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at,
    purpose: r.purpose,
    filter: JSON.parse(r.filter) as ExportFilter,
    fields: r.fields.split(','),
    format: r.format,
    decidedBy: r.decided_by,
    decidedAt: r.decided_at,
    expiresAt: r.expires_at,
    downloads: Number(r.downloads),
    canaryAware: Number(r.canary_aware) === 1,
    justificationSealed: r.justification ? Buffer.from(r.justification) : null,
    kind: r.kind === 'due_list' ? 'due_list' : 'records',
    validFrom: r.valid_from ?? null,
    validTo: r.valid_to ?? null,
  };
}
