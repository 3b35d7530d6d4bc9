/**
 * Export requests: asked for, decided once (approved or refused), downloaded while approved. The
 * requester's justification is kept sealed (the service seals and opens it).
 */
import type { Db } from '../db.ts';

export type ExportStatus = 'pending' | 'approved' | 'refused';

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
}

/** A row as stored: with its sealed justification, if one was given. */
export interface StoredExport extends ExportRow {
  readonly justificationSealed: Buffer | null;
}

type Stored = {
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
    > & { readonly justificationSealed?: Buffer },
  ): Promise<void> {
    await tx.run(
      'INSERT INTO exports (id, tenant_id, requested_by, requested_at, purpose, filter, fields, format, status, ' +
        'canary_aware, justification) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
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
      ],
    );
  }

  async get(id: string): Promise<StoredExport | undefined> {
    const r = await this.#db.get<Stored>('SELECT * FROM exports WHERE id = ? AND tenant_id = ?', [id, this.#tenant]);
    if (!r) return undefined;
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
    };
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
}
