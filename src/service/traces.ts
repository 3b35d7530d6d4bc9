/**
 * Tracing a leaked table to its source (trace/trace.ts), for investigators. The report is kept
 * sealed and the trace is a ledger entry; no entry, no report. Reading a report again is one too.
 * Over HTTP a trace is a job (trace-jobs.ts): `submit` stores the upload and answers at once,
 * `status` tells where it stands and, once done, gives the report. The command line runs it here
 * (`run`).
 */
import { ERROR_CODES, TracevaultError, type ErrorCode, type ErrorDetails } from '../errors.ts';
import { runTrace, type TraceOptions } from '../trace/trace.ts';
import type { TraceReport } from '../trace/report.ts';
import type { LeakTable } from '../trace/leak-file.ts';
import { TraceRepo, type TraceJobRow, type TraceJobStatus } from '../store/repos/traces.ts';
import { entryOf, type RequestContext } from './context.ts';
import type { Gate } from './gate.ts';
import type { ServiceKeys } from './keys.ts';
import { reportAad } from './sealed-report.ts';
import { TraceJobs, traceEntry, type TraceJobOptions, type UploadHow } from './trace-jobs.ts';

/** Where a trace job stands: a phase and counts, never a value of the leak. */
export interface TraceJobView {
  readonly id: string;
  readonly status: TraceJobStatus;
  readonly createdAt: string;
  readonly finishedAt: string | null;
  readonly progress: {
    readonly phase: string;
    readonly rowsRead: number;
    readonly done: number;
    readonly total: number;
  };
  readonly error?: { readonly code: ErrorCode; readonly message: string; readonly details?: ErrorDetails };
}

export class Traces {
  readonly #gate: Gate;
  readonly #keys: ServiceKeys;
  readonly #repo: TraceRepo;
  readonly jobs: TraceJobs;

  constructor(gate: Gate, keys: ServiceKeys, jobs: TraceJobOptions = {}) {
    this.#gate = gate;
    this.#keys = keys;
    this.#repo = new TraceRepo(gate.vault.db, gate.vault.tenantId);
    this.jobs = new TraceJobs(gate, jobs);
  }

  /**
   * Traces a leaked table. `how.keyHolder`: the command line without a token acts for the holder of
   * the key file, who can read everything anyway.
   */
  async run(
    ctx: RequestContext,
    table: LeakTable,
    opts: TraceOptions = {},
    how: { keyHolder?: boolean } = {},
  ): Promise<TraceReport> {
    const gate = this.#gate;
    if (!how.keyHolder) await gate.authorise(ctx, 'trace', { type: 'Api', area: 'traces' });
    const vault = gate.vault;
    const report = await runTrace(
      {
        registry: vault.registry,
        canaryKeys: this.#keys.canary,
        code: this.#keys.code,
        now: () => gate.now(),
        kek: vault.kek,
      },
      table,
      opts,
    );
    const accused = report.accused?.principalId ?? null;
    await gate.commit(async (tx, events) => {
      const sealed = this.#keys.suite.sealJson(this.#keys.trace, report, reportAad(report.id));
      await this.#repo.insert(tx, {
        id: report.id,
        at: report.createdAt,
        by: ctx.principal.id,
        rows: report.rows.total,
        accused,
        sealed,
      });
      events.push(
        traceEntry(
          ctx,
          { id: report.id, rows: report.rows.total, linked: report.rows.linked, accused },
          how.keyHolder === true,
        ),
      );
    });
    return report;
  }

  /**
   * Queues a trace of an uploaded leak (investigators only): the body is stored as it arrives, then
   * traced on a worker thread; answers with the job at once. The upload is not read unless allowed.
   */
  async submit(ctx: RequestContext, body: AsyncIterable<Uint8Array>, how: UploadHow): Promise<TraceJobView> {
    await this.#gate.authorise(ctx, 'trace', { type: 'Api', area: 'traces' });
    return viewOf(await this.jobs.submit(ctx, body, how));
  }

  /**
   * A trace: where its job stands, and once done its report as JSON text (opened as it was sealed;
   * reading it is a ledger entry). A report made without a job (the command line) has no job row.
   */
  async status(ctx: RequestContext, id: string): Promise<{ job?: TraceJobView; report?: string }> {
    await this.#gate.authorise(ctx, 'trace', { type: 'Api', area: 'traces' });
    const row = await this.jobs.status(id);
    if (row && row.status !== 'done') return { job: viewOf(row) };
    const sealed = await this.#repo.sealedReport(id);
    if (!sealed) throw new TracevaultError('ERR_NOT_FOUND');
    const report = this.#keys.suite.open(this.#keys.trace, sealed, reportAad(id)).toString('utf8');
    await this.#gate.commit(async (_tx, events) => {
      events.push({ ...entryOf(ctx), action: 'trace', outcome: 'ok', detail: { trace: id, read: true } });
    });
    return { job: row && viewOf(row), report };
  }

  /** A trace's report (investigators only; reading one is a ledger entry too); a job not done is a conflict. */
  async get(ctx: RequestContext, id: string): Promise<TraceReport> {
    const { report } = await this.status(ctx, id);
    if (report === undefined) throw new TracevaultError('ERR_CONFLICT', { rule: 'traceNotDone' });
    return JSON.parse(report) as TraceReport;
  }

  /**
   * A trace's report as it was sealed, for a service that acts on it (breach notices,
   * portal/notices.ts), or none; the caller authorises, and its own ledger entry says why it read.
   */
  async storedReport(id: string): Promise<TraceReport | undefined> {
    const sealed = await this.#repo.sealedReport(id);
    return sealed && this.#keys.suite.openJson<TraceReport>(this.#keys.trace, sealed, reportAad(id));
  }

  /** Stops this process's jobs (they end as interrupted). */
  close(): Promise<void> {
    return this.jobs.close();
  }
}

export function viewOf(row: TraceJobRow): TraceJobView {
  const code = row.errorCode as ErrorCode | null;
  const details = row.errorDetails ? (JSON.parse(row.errorDetails) as ErrorDetails) : undefined;
  return {
    id: row.id,
    status: row.status,
    createdAt: row.createdAt,
    finishedAt: row.finishedAt,
    progress: { phase: row.phase, rowsRead: row.rowsRead, done: row.phaseDone, total: row.phaseTotal },
    ...(code && {
      error: { code, message: ERROR_CODES[code] ?? ERROR_CODES.ERR_INTERNAL, ...(details && { details }) },
    }),
  };
}
