/**
 * Tracing a leaked table to its source (trace/trace.ts), for investigators. The report is kept
 * sealed and the trace is a ledger entry; no entry, no report. Reading a report again is one too.
 */
import { TracevaultError } from '../errors.ts';
import { aad, open, seal } from '../crypto/aead.ts';
import { runTrace, type TraceOptions } from '../trace/trace.ts';
import type { TraceReport } from '../trace/report.ts';
import type { LeakTable } from '../trace/leak-file.ts';
import { TraceRepo } from '../store/repos/traces.ts';
import { entryOf, type RequestContext } from './context.ts';
import type { Gate } from './gate.ts';
import type { ServiceKeys } from './keys.ts';

const reportAad = (id: string) => aad('tracevault-trace', id, 1);

export class Traces {
  readonly #gate: Gate;
  readonly #keys: ServiceKeys;
  readonly #repo: TraceRepo;

  constructor(gate: Gate, keys: ServiceKeys) {
    this.#gate = gate;
    this.#keys = keys;
    this.#repo = new TraceRepo(gate.vault.db, gate.vault.tenantId);
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
      const sealed = seal(this.#keys.trace, Buffer.from(JSON.stringify(report), 'utf8'), reportAad(report.id));
      await this.#repo.insert(tx, {
        id: report.id,
        at: report.createdAt,
        by: ctx.principal.id,
        rows: report.rows.total,
        accused,
        sealed,
      });
      events.push({
        ...entryOf(ctx),
        action: 'trace',
        outcome: 'ok',
        detail: {
          trace: report.id,
          rows: report.rows.total,
          linked: report.rows.linked,
          accused: accused ?? 'none',
          keyHolder: how.keyHolder === true,
        },
      });
    });
    return report;
  }

  /** A trace's report (investigators only; reading one is a ledger entry too). */
  async get(ctx: RequestContext, id: string): Promise<TraceReport> {
    const gate = this.#gate;
    await gate.authorise(ctx, 'trace', { type: 'Api', area: 'traces' });
    const sealed = await this.#repo.sealedReport(id);
    if (!sealed) throw new TracevaultError('ERR_NOT_FOUND');
    const report = JSON.parse(open(this.#keys.trace, sealed, reportAad(id)).toString('utf8')) as TraceReport;
    await gate.commit(async (_tx, events) => {
      events.push({ ...entryOf(ctx), action: 'trace', outcome: 'ok', detail: { trace: id, read: true } });
    });
    return report;
  }
}
