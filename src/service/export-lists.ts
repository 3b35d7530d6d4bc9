/**
 * Export requests as lists (issue 22): a data-protection officer's queue of the requests waiting for
 * a decision — what is asked (fields, purpose, filter, format), how many records the filter selects
 * now, who asks (name, roles, organisation) and why (the justification, opened for the approver as
 * `GET /v1/exports/{id}` opens it) — and a requester's own requests. Anyone else sees only its own;
 * nothing here is a disclosure of a record (no value is read), so it is no ledger entry, as reading
 * one request is not (exports.ts).
 */
import type { ExportFilter, ExportStatus } from '../store/repos/exports.ts';
import { ExportLists as ExportListRepo, type ListedExport } from '../store/repos/export-lists.ts';
import type { RequestContext } from './context.ts';
import type { Gate } from './gate.ts';
import type { ServiceKeys } from './keys.ts';

export interface ExportListQuery {
  readonly status?: ExportStatus;
  /** Only the caller's own requests (a DPO's own too). */
  readonly mine?: boolean;
  readonly limit?: number;
  readonly offset?: number;
}

export interface ExportListItem extends Omit<ListedExport, 'justificationSealed'> {
  readonly justification: string | null;
  /** The records the filter selects now (an estimate: poison and restricted records leave no file). */
  readonly estimatedRows: number | null;
}

export class ExportLists {
  readonly #gate: Gate;
  readonly #keys: ServiceKeys;
  readonly #repo: ExportListRepo;

  constructor(gate: Gate, keys: ServiceKeys) {
    this.#gate = gate;
    this.#keys = keys;
    this.#repo = new ExportListRepo(gate.vault.db, gate.vault.tenantId);
  }

  /** A DPO: every request (`mine` for its own); anyone else: its own. */
  async list(
    ctx: RequestContext,
    q: ExportListQuery,
  ): Promise<{ exports: ExportListItem[]; total: number; limit: number; offset: number }> {
    const approver = await this.#gate.allows(ctx, 'approve', { type: 'Api', area: 'exports' });
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const { rows, total } = await this.#repo.list({
      status: q.status,
      requestedBy: approver && !q.mine ? undefined : ctx.principal.id,
      limit,
      offset,
    });
    const estimates = new Map<string, number>();
    const estimate = async (f: ExportFilter) => {
      const key = JSON.stringify(f);
      return estimates.get(key) ?? estimates.set(key, await this.#repo.estimate(f)).get(key)!;
    };
    const exports: ExportListItem[] = [];
    for (const { justificationSealed, ...r } of rows) {
      exports.push({
        ...r,
        justification: justificationSealed ? this.#keys.openJustification(justificationSealed) : null,
        // A due list selects children by district, not by this filter: no estimate (ADR 0022).
        estimatedRows: r.kind === 'records' ? await estimate(r.filter) : null,
      });
    }
    return { exports, total, limit, offset };
  }
}
