/**
 * Import jobs (service/import-jobs.ts): a job's row is written by the process that runs it — its
 * phase, counts of rows, heartbeat — and failed by another once its heartbeat falls silent. At its
 * end it holds the import's counts (JSON), or the error's code and safe details (JSON: rule names,
 * row numbers, field names; never a value).
 */
import type { Db } from '../db.ts';

export type ImportJobStatus = 'queued' | 'running' | 'done' | 'failed';

export interface ImportCounts {
  /** Rows handed to validation, validated (checked), found invalid, and stored (staged) so far. */
  readonly rowsRead: number;
  readonly rowsValidated: number;
  readonly rowsInvalid: number;
  readonly rowsStored: number;
  /** The file's rows once counted (before the import itself reads them), else null. */
  readonly rowsTotal: number | null;
}

export interface ImportJobRow extends ImportCounts {
  readonly id: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly recordType: string;
  readonly format: string | null;
  readonly status: ImportJobStatus;
  readonly phase: string;
  readonly owner: string;
  readonly heartbeatAt: string;
  readonly finishedAt: string | null;
  readonly result: string | null;
  readonly errorCode: string | null;
  readonly errorDetails: string | null;
}

interface Raw {
  id: string;
  created_at: string;
  created_by: string;
  record_type: string;
  format: string | null;
  status: ImportJobStatus;
  phase: string;
  rows_read: number;
  rows_validated: number;
  rows_invalid: number;
  rows_stored: number;
  rows_total: number | null;
  owner: string;
  heartbeat_at: string;
  finished_at: string | null;
  result: string | null;
  error_code: string | null;
  error_details: string | null;
  [k: string]: unknown;
}

const OPEN = "status IN ('queued', 'running')";

export class ImportJobRepo {
  readonly #db: Db;
  readonly #tenant: string;

  constructor(db: Db, tenantId: string) {
    this.#db = db;
    this.#tenant = tenantId;
  }

  /** A queued job; `heartbeat` is the owner's clock (the wall clock), `at` the vault's. */
  async insert(j: {
    id: string;
    at: string;
    by: string;
    recordType: string;
    format: string | null;
    owner: string;
    heartbeat: string;
  }): Promise<void> {
    await this.#db.run(
      'INSERT INTO import_jobs (id, tenant_id, created_by, created_at, record_type, format, status, phase, owner, ' +
        "heartbeat_at) VALUES (?, ?, ?, ?, ?, ?, 'queued', 'queued', ?, ?)",
      [j.id, this.#tenant, j.by, j.at, j.recordType, j.format, j.owner, j.heartbeat],
    );
  }

  async get(id: string): Promise<ImportJobRow | undefined> {
    const r = await this.#db.get<Raw>('SELECT * FROM import_jobs WHERE id = ? AND tenant_id = ?', [id, this.#tenant]);
    return r && rowOf(r);
  }

  /** Where an open job of `owner` stands now, with its heartbeat. */
  async progress(id: string, owner: string, phase: string, c: ImportCounts, at: string): Promise<void> {
    await this.#db.run(
      "UPDATE import_jobs SET status = 'running', phase = ?, rows_read = ?, rows_validated = ?, rows_invalid = ?, " +
        `rows_stored = ?, rows_total = ?, heartbeat_at = ? WHERE id = ? AND tenant_id = ? AND owner = ? AND ${OPEN}`,
      [phase, c.rowsRead, c.rowsValidated, c.rowsInvalid, c.rowsStored, c.rowsTotal, at, id, this.#tenant, owner],
    );
  }

  async heartbeat(ids: readonly string[], at: string): Promise<void> {
    if (ids.length === 0) return;
    await this.#db.run(
      `UPDATE import_jobs SET heartbeat_at = ? WHERE tenant_id = ? AND id IN (${ids.map(() => '?').join(', ')}) ` +
        `AND ${OPEN}`,
      [at, this.#tenant, ...ids],
    );
  }

  /** Ends an open job (in the transaction of its ledger entry); false if it had already ended. */
  async finish(
    tx: Db,
    id: string,
    end: {
      status: 'done' | 'failed';
      at: string;
      counts?: ImportCounts;
      result?: string;
      code?: string;
      details?: string;
    },
  ): Promise<boolean> {
    const c = end.counts;
    const changed = await tx.run(
      // A failed job keeps the phase it failed in.
      'UPDATE import_jobs SET status = ?, phase = COALESCE(?, phase), rows_read = COALESCE(?, rows_read), ' +
        'rows_validated = COALESCE(?, rows_validated), rows_invalid = COALESCE(?, rows_invalid), ' +
        'rows_stored = COALESCE(?, rows_stored), rows_total = COALESCE(?, rows_total), finished_at = ?, result = ?, ' +
        `error_code = ?, error_details = ? WHERE id = ? AND tenant_id = ? AND ${OPEN}`,
      [
        end.status,
        end.status === 'done' ? 'done' : null,
        c?.rowsRead ?? null,
        c?.rowsValidated ?? null,
        c?.rowsInvalid ?? null,
        c?.rowsStored ?? null,
        c?.rowsTotal ?? null,
        end.at,
        end.result ?? null,
        end.code ?? null,
        end.details ?? null,
        id,
        this.#tenant,
      ],
    );
    return changed > 0;
  }

  /** Open jobs (or the one `id`) whose heartbeat is older than `before`: their process stopped running them. */
  async silent(before: string, id?: string): Promise<ImportJobRow[]> {
    const rows = await this.#db.all<Raw>(
      `SELECT * FROM import_jobs WHERE tenant_id = ? AND ${OPEN} AND heartbeat_at < ?` +
        (id === undefined ? '' : ' AND id = ?'),
      id === undefined ? [this.#tenant, before] : [this.#tenant, before, id],
    );
    return rows.map(rowOf);
  }

  /** The ids of open jobs (their uploads are still needed). */
  async openIds(): Promise<Set<string>> {
    const rows = await this.#db.all<{ id: string }>(`SELECT id FROM import_jobs WHERE tenant_id = ? AND ${OPEN}`, [
      this.#tenant,
    ]);
    return new Set(rows.map((r) => r.id));
  }
}

function rowOf(r: Raw): ImportJobRow {
  return {
    id: r.id,
    createdAt: r.created_at,
    createdBy: r.created_by,
    recordType: r.record_type,
    format: r.format,
    status: r.status,
    phase: r.phase,
    rowsRead: Number(r.rows_read),
    rowsValidated: Number(r.rows_validated),
    rowsInvalid: Number(r.rows_invalid),
    rowsStored: Number(r.rows_stored),
    rowsTotal: r.rows_total === null ? null : Number(r.rows_total),
    owner: r.owner,
    heartbeatAt: r.heartbeat_at,
    finishedAt: r.finished_at,
    result: r.result,
    errorCode: r.error_code,
    errorDetails: r.error_details,
  };
}
