/** Trace reports, kept sealed (the service seals and opens them), and the jobs that make them. */
import type { Db } from '../db.ts';

export class TraceRepo {
  readonly #db: Db;
  readonly #tenant: string;

  constructor(db: Db, tenantId: string) {
    this.#db = db;
    this.#tenant = tenantId;
  }

  async insert(
    tx: Db,
    t: { id: string; at: string; by: string; rows: number; accused: string | null; sealed: Buffer },
  ): Promise<void> {
    await tx.run(
      'INSERT INTO traces (id, tenant_id, created_at, created_by, rows_total, accused, report) ' +
        'VALUES (?, ?, ?, ?, ?, ?, ?)',
      [t.id, this.#tenant, t.at, t.by, t.rows, t.accused, t.sealed],
    );
  }

  async sealedReport(id: string): Promise<Buffer | undefined> {
    const row = await this.#db.get<{ report: Buffer }>('SELECT report FROM traces WHERE id = ? AND tenant_id = ?', [
      id,
      this.#tenant,
    ]);
    return row?.report;
  }
}

export type TraceJobStatus = 'queued' | 'running' | 'done' | 'failed';

/** A trace job as stored (migration 19): where it stands, in counts and a phase name only. */
export interface TraceJobRow {
  readonly id: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly status: TraceJobStatus;
  readonly phase: string;
  readonly rowsRead: number;
  readonly phaseDone: number;
  readonly phaseTotal: number;
  readonly owner: string;
  readonly heartbeatAt: string;
  readonly finishedAt: string | null;
  readonly errorCode: string | null;
  /** The error's details as JSON (field and rule names, positions, counts: never a value). */
  readonly errorDetails: string | null;
}

export interface JobProgress {
  readonly phase: string;
  readonly rowsRead: number;
  readonly phaseDone: number;
  readonly phaseTotal: number;
}

interface JobSqlRow {
  id: string;
  created_at: string;
  created_by: string;
  status: TraceJobStatus;
  phase: string;
  rows_read: number;
  phase_done: number;
  phase_total: number;
  owner: string;
  heartbeat_at: string;
  finished_at: string | null;
  error_code: string | null;
  error_details: string | null;
  [k: string]: unknown;
}

const OPEN = "status IN ('queued', 'running')";

/** Trace jobs: a job's row is written by the process that runs it, and failed by another once it falls silent. */
export class TraceJobRepo {
  readonly #db: Db;
  readonly #tenant: string;

  constructor(db: Db, tenantId: string) {
    this.#db = db;
    this.#tenant = tenantId;
  }

  /** A queued job; `heartbeat` is the owner's clock (the wall clock), `at` the vault's. */
  async insert(j: { id: string; at: string; by: string; owner: string; heartbeat: string }): Promise<void> {
    await this.#db.run(
      'INSERT INTO trace_jobs (id, tenant_id, created_at, created_by, status, phase, rows_read, phase_done, ' +
        "phase_total, owner, heartbeat_at) VALUES (?, ?, ?, ?, 'queued', 'queued', 0, 0, 0, ?, ?)",
      [j.id, this.#tenant, j.at, j.by, j.owner, j.heartbeat],
    );
  }

  async get(id: string): Promise<TraceJobRow | undefined> {
    const r = await this.#db.get<JobSqlRow>('SELECT * FROM trace_jobs WHERE id = ? AND tenant_id = ?', [
      id,
      this.#tenant,
    ]);
    return r && rowOf(r);
  }

  /** Where an open job of `owner` stands now; its heartbeat too. */
  async progress(id: string, owner: string, p: JobProgress & { status: 'running' }, at: string): Promise<void> {
    await this.#db.run(
      'UPDATE trace_jobs SET status = ?, phase = ?, rows_read = ?, phase_done = ?, phase_total = ?, heartbeat_at = ? ' +
        `WHERE id = ? AND tenant_id = ? AND owner = ? AND ${OPEN}`,
      [p.status, p.phase, p.rowsRead, p.phaseDone, p.phaseTotal, at, id, this.#tenant, owner],
    );
  }

  /** The heartbeat of open jobs: their process is alive and still runs them. */
  async heartbeat(ids: readonly string[], at: string): Promise<void> {
    if (ids.length === 0) return;
    await this.#db.run(
      `UPDATE trace_jobs SET heartbeat_at = ? WHERE tenant_id = ? AND id IN (${ids.map(() => '?').join(', ')}) ` +
        `AND ${OPEN}`,
      [at, this.#tenant, ...ids],
    );
  }

  /** Ends an open job (in the transaction of its ledger entry); false if it had already ended. */
  async finish(
    tx: Db,
    id: string,
    end: { status: 'done' | 'failed'; at: string; rowsRead?: number; code?: string; details?: string },
  ): Promise<boolean> {
    const changed = await tx.run(
      // A failed job keeps the phase it failed in, and the rows it had read.
      'UPDATE trace_jobs SET status = ?, phase = COALESCE(?, phase), rows_read = COALESCE(?, rows_read), ' +
        `finished_at = ?, error_code = ?, error_details = ? WHERE id = ? AND tenant_id = ? AND ${OPEN}`,
      [
        end.status,
        end.status === 'done' ? 'done' : null,
        end.rowsRead ?? null,
        end.at,
        end.code ?? null,
        end.details ?? null,
        id,
        this.#tenant,
      ],
    );
    return changed > 0;
  }

  /** Open jobs (or the one `id`) whose heartbeat is older than `before`: their process has stopped running them. */
  async silent(before: string, id?: string): Promise<TraceJobRow[]> {
    const rows = await this.#db.all<JobSqlRow>(
      `SELECT * FROM trace_jobs WHERE tenant_id = ? AND ${OPEN} AND heartbeat_at < ?` +
        (id === undefined ? '' : ' AND id = ?'),
      id === undefined ? [this.#tenant, before] : [this.#tenant, before, id],
    );
    return rows.map(rowOf);
  }

  /** The ids of jobs that are open (their uploads are still needed). */
  async openIds(): Promise<Set<string>> {
    const rows = await this.#db.all<{ id: string }>(`SELECT id FROM trace_jobs WHERE tenant_id = ? AND ${OPEN}`, [
      this.#tenant,
    ]);
    return new Set(rows.map((r) => r.id));
  }
}

function rowOf(r: JobSqlRow): TraceJobRow {
  return {
    id: r.id,
    createdAt: r.created_at,
    createdBy: r.created_by,
    status: r.status,
    phase: r.phase,
    rowsRead: Number(r.rows_read),
    phaseDone: Number(r.phase_done),
    phaseTotal: Number(r.phase_total),
    owner: r.owner,
    heartbeatAt: r.heartbeat_at,
    finishedAt: r.finished_at,
    errorCode: r.error_code,
    errorDetails: r.error_details,
  };
}
