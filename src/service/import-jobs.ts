/**
 * Imports over HTTP (issue 22, ADR 0025): a CSV (any encoding the readers know), XLSX or JSON Lines
 * file uploaded by a records clerk is stored as it arrives (an owner-only file in the vault's
 * directory, bounded: ingest/upload-file.ts) and imported off the request path by `importFile`
 * (ingest/import.ts) — the command line's import, with its readers, limits, archive checks,
 * staging and all-or-nothing publication unchanged — at most one at a time in this process.
 *
 * The job's row (store/repos/import-jobs.ts) says where it stands: a phase (queued, count, import,
 * done) and counts of rows read, validated, invalid and stored, with the file's rows once counted —
 * never a value. It ends with the import's counts, or the error's code and safe details: invalid
 * rows as (row, field, rule), a malformed file's line and rule. Its end is a ledger entry: the
 * import's own `import` entry when it publishes, an `import` entry with outcome `error` when it
 * fails. A job whose process stopped is failed by the next process that looks (ERR_JOB_INTERRUPTED);
 * the rows it had staged stay invisible, and the same file imported again resumes after them.
 */
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES, TracevaultError, type ErrorCode, type ErrorDetails } from '../errors.ts';
import { newId } from '../crypto/ids.ts';
import { importFile, type ImportReport } from '../ingest/import.ts';
import { openSource, type SourceFormat } from '../ingest/readers.ts';
import { saveUpload } from '../ingest/upload-file.ts';
import { recordType } from '../schema/record-type.ts';
import type { AuditEvent } from '../store/audit.ts';
import {
  ImportJobRepo,
  type ImportCounts,
  type ImportJobRow,
  type ImportJobStatus,
} from '../store/repos/import-jobs.ts';
import { actorOf, entryOf, type RequestContext } from './context.ts';
import type { Gate } from './gate.ts';

export interface ImportJobOptions {
  /** Jobs waiting or running at once, beyond which another is refused (429; default 4). */
  readonly maxJobs?: number;
  /** Largest upload in bytes (default 256 MiB). */
  readonly uploadLimit?: number;
  /** Files up to this size are counted first, so that progress has a total (default 64 MiB). */
  readonly countUpTo?: number;
  /** How often a job's heartbeat is written (default 5 s), and after how long without one another
   *  process takes it for dead (default 30 s). */
  readonly heartbeatMs?: number;
  readonly staleMs?: number;
  /** How often progress is written to the row at most (default 500 ms). */
  readonly progressMs?: number;
}

export interface ImportHow {
  readonly recordType: string;
  /** The file's format, when the request says it (else told from its bytes, as the command line does). */
  readonly format?: SourceFormat;
  /** The upload's size as its sender declared it (Content-Length), refused at once beyond the limit. */
  readonly declaredBytes?: number;
}

/** What an import job says of itself: counts and codes, never a value. */
export interface ImportJobView {
  readonly id: string;
  readonly status: ImportJobStatus;
  readonly recordType: string;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  readonly progress: { readonly phase: string } & ImportCounts;
  readonly result?: ImportResult;
  readonly error?: { readonly code: ErrorCode; readonly message: string; readonly details?: ErrorDetails };
}

/** A finished import's counts (ingest/import.ts ImportReport without its lists). */
export interface ImportResult {
  readonly importId: string;
  readonly format: string;
  readonly encoding: string | null;
  readonly rows: number;
  readonly created: number;
  readonly duplicates: number;
  readonly warnings: number;
  /** The first warnings as (row, field, rule), at most 100: the rows were imported. */
  readonly warned: readonly { row?: number; field: string; rule: string }[];
}

interface Job {
  readonly id: string;
  readonly ctx: RequestContext;
  readonly file: string;
  readonly how: ImportHow;
  phase: string;
  counts: ImportCounts;
  savedAt: number;
}

const ZERO: ImportCounts = { rowsRead: 0, rowsValidated: 0, rowsInvalid: 0, rowsStored: 0, rowsTotal: null };

export class ImportJobs {
  /** This process, as the owner of the jobs it runs. */
  readonly owner = newId('w');
  readonly #gate: Gate;
  readonly #repo: ImportJobRepo;
  readonly #o: Required<ImportJobOptions>;
  readonly #queue: Job[] = [];
  readonly #waiters = new Map<string, (() => void)[]>();
  #running: Job | undefined;
  #current: Promise<void> | undefined;
  #arriving = 0;
  #heartbeat: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(gate: Gate, opts: ImportJobOptions = {}) {
    this.#gate = gate;
    this.#repo = new ImportJobRepo(gate.vault.db, gate.vault.tenantId);
    this.#o = {
      maxJobs: 4,
      uploadLimit: 256 * 1024 * 1024,
      countUpTo: 64 * 1024 * 1024,
      heartbeatMs: 5000,
      staleMs: 30_000,
      progressMs: 500,
      ...opts,
    };
  }

  get uploadLimit(): number {
    return this.#o.uploadLimit;
  }

  /** Where uploads wait for their jobs: owner-only, in the vault's directory. */
  get dir(): string {
    return join(this.#gate.vault.dir, 'import-jobs');
  }

  /** Authorises (collecting records of the type), stores the upload and queues its job. */
  async submit(ctx: RequestContext, body: AsyncIterable<Uint8Array>, how: ImportHow): Promise<ImportJobView> {
    const type = recordType(how.recordType);
    await this.#gate.authorise(ctx, 'collect', { type: 'Record', recordType: type.name });
    if (this.#closed) throw new TracevaultError('ERR_JOB_INTERRUPTED');
    const limit = this.#o.uploadLimit;
    if ((how.declaredBytes ?? 0) > limit) throw new TracevaultError('ERR_PAYLOAD_TOO_LARGE', { limit });
    if (this.#queue.length + (this.#running ? 1 : 0) + this.#arriving >= this.#o.maxJobs)
      throw new TracevaultError('ERR_RATE_LIMITED', { limit: this.#o.maxJobs });
    await this.#sweep();
    const id = newId('ij');
    // The extension tells the readers a JSON Lines file (an XLSX is told by its bytes).
    const file = join(this.dir, `${id}.${how.format ?? 'upload'}`);
    this.#arriving++;
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      await saveUpload(body, file, limit);
      await this.#repo.insert({
        id,
        at: this.#gate.now().toISOString(),
        by: ctx.principal.id,
        recordType: type.name,
        format: how.format ?? null,
        owner: this.owner,
        heartbeat: new Date().toISOString(),
      });
    } catch (e) {
      rmSync(file, { force: true });
      throw e;
    } finally {
      this.#arriving--;
    }
    this.#queue.push({
      id,
      ctx,
      file,
      how: { ...how, recordType: type.name },
      phase: 'queued',
      counts: ZERO,
      savedAt: 0,
    });
    this.#pump();
    return viewOf((await this.#repo.get(id))!);
  }

  /** A job of the caller's (anyone else's is ERR_NOT_FOUND); one whose process fell silent is failed first. */
  async status(ctx: RequestContext, id: string): Promise<ImportJobView> {
    let row = await this.#repo.get(id);
    if (!row || row.createdBy !== ctx.principal.id) throw new TracevaultError('ERR_NOT_FOUND');
    if ((row.status === 'queued' || row.status === 'running') && !this.#mine(id)) {
      for (const silent of await this.#repo.silent(this.#staleBefore(), id)) await this.#interrupted(silent);
      row = (await this.#repo.get(id))!;
    }
    return viewOf(row);
  }

  /** Resolves when this process's job `id` has ended, or after `ms`. */
  wait(id: string, ms: number): Promise<void> {
    if (!this.#mine(id) || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      const list = this.#waiters.get(id) ?? this.#waiters.set(id, []).get(id)!;
      list.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * Stops: the waiting jobs end as interrupted; the running one is given `graceMs` to end (an import
   * cannot be stopped between its batches from outside; one still running is failed by the next
   * process that looks, and resumes when its file is imported again).
   */
  async close(graceMs = 10_000): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) await this.#fail(job, 'ERR_JOB_INTERRUPTED', {});
    if (this.#current) {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([this.#current, grace]);
      clearTimeout(timer);
    }
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  #mine(id: string): boolean {
    return this.#running?.id === id || this.#queue.some((j) => j.id === id);
  }

  #staleBefore(): string {
    return new Date(Date.now() - this.#o.staleMs).toISOString();
  }

  /** Fails the open jobs of stopped processes and removes uploads no job waits for. */
  async #sweep(): Promise<void> {
    for (const row of await this.#repo.silent(this.#staleBefore()))
      if (!this.#mine(row.id)) await this.#interrupted(row);
    let names: string[] = [];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    const open = await this.#repo.openIds();
    const old = Date.now() - this.#o.staleMs;
    for (const name of names) {
      const id = name.replace(/\.[a-z]+$/, '');
      if (this.#mine(id) || open.has(id)) continue;
      try {
        if (statSync(join(this.dir, name)).mtimeMs < old) rmSync(join(this.dir, name), { force: true });
      } catch {
        // gone meanwhile
      }
    }
  }

  #pump(): void {
    if (this.#closed || this.#running || this.#queue.length === 0) return;
    const job = this.#queue.shift()!;
    this.#running = job;
    this.#heartbeat ??= setInterval(() => void this.#beat(), this.#o.heartbeatMs).unref();
    this.#current = this.#run(job).finally(() => {
      rmSync(job.file, { force: true });
      this.#running = undefined;
      for (const wake of this.#waiters.get(job.id) ?? []) wake();
      this.#waiters.delete(job.id);
      this.#pump();
    });
  }

  async #run(job: Job): Promise<void> {
    const gate = this.#gate;
    let report: ImportReport;
    try {
      if (statSync(job.file).size <= this.#o.countUpTo) {
        this.#progress(job, 'count', job.counts, true);
        let total = 0;
        for await (const _ of openSource(job.file, { format: job.how.format }).rows()) total++;
        job.counts = { ...job.counts, rowsTotal: total };
      }
      this.#progress(job, 'import', job.counts, true);
      report = await importFile(gate.vault, actorOf(job.ctx, { decision: await gate.decision() }), job.file, {
        schema: job.how.recordType,
        format: job.how.format,
        onProgress: (p) =>
          this.#progress(job, 'import', {
            ...job.counts,
            rowsRead: p.read,
            rowsValidated: p.validated,
            rowsInvalid: p.invalid,
            rowsStored: p.rows,
          }),
      });
    } catch (e) {
      const err = e instanceof TracevaultError ? e : undefined;
      // Safe by construction (errors.ts): rule and field names, row numbers, counts; never a value.
      const details = err?.details ?? {};
      if (err?.code === 'ERR_IMPORT_INVALID_ROWS')
        job.counts = { ...job.counts, rowsInvalid: err.details.count ?? job.counts.rowsInvalid, rowsStored: 0 };
      await this.#fail(job, err?.code ?? 'ERR_INTERNAL', details).catch(() => undefined);
      return;
    }
    const result: ImportResult = {
      importId: report.importId,
      format: report.format,
      encoding: report.encoding ?? null,
      rows: report.rows,
      created: report.created,
      duplicates: report.duplicates,
      warnings: report.warnings,
      warned: report.warned.slice(0, 100).map((w) => ({ row: w.row, field: w.field, rule: w.rule })),
    };
    const counts: ImportCounts = {
      rowsRead: report.rows,
      rowsValidated: report.rows,
      rowsInvalid: report.invalid,
      rowsStored: report.rows - report.invalid,
      rowsTotal: report.rows,
    };
    // The import published with its own `import` entry (ingest/import.ts); the job's row says so too.
    await this.#repo
      .finish(gate.vault.db, job.id, {
        status: 'done',
        at: gate.now().toISOString(),
        counts,
        result: JSON.stringify(result),
      })
      .catch(() => undefined);
  }

  /** Keeps a job's progress, and writes it when its phase changed or `progressMs` has passed. */
  #progress(job: Job, phase: string, counts: ImportCounts, force = false): void {
    const changed = phase !== job.phase;
    job.phase = phase;
    job.counts = counts;
    const now = Date.now();
    if (!force && !changed && now - job.savedAt < this.#o.progressMs) return;
    job.savedAt = now;
    // Progress is advisory; the job's end is what must commit.
    this.#repo.progress(job.id, this.owner, phase, counts, new Date(now).toISOString()).catch(() => undefined);
  }

  async #beat(): Promise<void> {
    const ids = [...(this.#running ? [this.#running.id] : []), ...this.#queue.map((j) => j.id)];
    if (ids.length === 0) {
      clearInterval(this.#heartbeat);
      this.#heartbeat = undefined;
      return;
    }
    await this.#repo.heartbeat(ids, new Date().toISOString()).catch(() => undefined);
  }

  async #fail(job: Job, code: ErrorCode, details: ErrorDetails): Promise<void> {
    await this.#end(job.id, code, details, entryOf(job.ctx), job.counts);
  }

  async #interrupted(row: ImportJobRow): Promise<void> {
    await this.#end(row.id, 'ERR_JOB_INTERRUPTED', {}, { principalId: row.createdBy, requestId: 'recovery' });
    // Its upload goes with it (a server killed under it left it; issue 23, ADR 0028).
    let names: string[] = [];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    for (const name of names) if (name.startsWith(`${row.id}.`)) rmSync(join(this.dir, name), { force: true });
  }

  /** A job ends in failure: its code in its row and an `import` entry with outcome `error`. */
  async #end(
    id: string,
    code: ErrorCode,
    details: ErrorDetails,
    who: Partial<AuditEvent> & { principalId: string },
    counts?: ImportCounts,
  ): Promise<void> {
    await this.#gate.commit(async (tx, events) => {
      const at = this.#gate.now().toISOString();
      const json = Object.keys(details).length > 0 ? JSON.stringify(details) : undefined;
      if (!(await this.#repo.finish(tx, id, { status: 'failed', at, counts, code, details: json }))) return;
      events.push({
        ...who,
        action: 'import',
        outcome: 'error',
        detail: { job: id, code, ...(details.count !== undefined && { invalid: details.count }) },
      });
    });
  }
}

export function viewOf(row: ImportJobRow): ImportJobView {
  const code = row.errorCode as ErrorCode | null;
  const details = row.errorDetails ? (JSON.parse(row.errorDetails) as ErrorDetails) : undefined;
  return {
    id: row.id,
    status: row.status,
    recordType: row.recordType,
    createdAt: row.createdAt,
    finishedAt: row.finishedAt,
    progress: {
      phase: row.phase,
      rowsRead: row.rowsRead,
      rowsValidated: row.rowsValidated,
      rowsInvalid: row.rowsInvalid,
      rowsStored: row.rowsStored,
      rowsTotal: row.rowsTotal,
    },
    ...(row.result && { result: JSON.parse(row.result) as ImportResult }),
    ...(code && {
      error: { code, message: ERROR_CODES[code] ?? ERROR_CODES.ERR_INTERNAL, ...(details && { details }) },
    }),
  };
}
