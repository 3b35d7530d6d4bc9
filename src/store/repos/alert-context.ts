/**
 * What a data-protection officer weighs an alert with: the principal's clear disclosures of the last
 * days (record counts by hour, the last disclosures' channel, purpose and size) and its other
 * alerts; and an alert kept blocked. Counts, times, channels and purposes only: no record is named.
 */
import type { Db } from '../db.ts';

export interface AlertDetailRow {
  readonly id: string;
  readonly at: string;
  readonly principalId: string;
  readonly rule: string;
  readonly action: string;
  readonly detail: Record<string, unknown>;
  readonly resolvedAt: string | null;
  readonly resolvedBy: string | null;
  /** `lifted` (resolved, its block lifted), `kept_blocked`, or null while open. */
  readonly resolution: string | null;
}

export interface RecentDisclosure {
  readonly id: string;
  readonly at: string;
  readonly channel: string;
  readonly purpose: string;
  readonly records: number;
  readonly fields: number;
}

export class AlertContextRepo {
  readonly #db: Db;
  readonly #tenant: string;

  constructor(db: Db, tenantId: string) {
    this.#db = db;
    this.#tenant = tenantId;
  }

  async alert(id: string): Promise<AlertDetailRow | undefined> {
    const r = await this.#db.get<{
      id: string;
      at: string;
      principal_id: string;
      rule: string;
      action: string;
      detail: string;
      resolved_at: string | null;
      resolved_by: string | null;
      resolution: string | null;
    }>(
      'SELECT id, at, principal_id, rule, action, detail, resolved_at, resolved_by, resolution FROM alerts ' +
        'WHERE id = ? AND tenant_id = ?',
      [id, this.#tenant],
    );
    return (
      r && {
        id: r.id,
        at: r.at,
        principalId: r.principal_id,
        rule: r.rule,
        action: r.action,
        detail: JSON.parse(r.detail) as Record<string, unknown>,
        resolvedAt: r.resolved_at ?? null,
        resolvedBy: r.resolved_by ?? null,
        resolution: r.resolution ?? (r.resolved_at ? 'lifted' : null),
      }
    );
  }

  /** The distinct records a principal disclosed in clear since `since`, by UTC hour (`YYYY-MM-DDTHH`). */
  async clearByHour(principalId: string, since: string): Promise<{ hour: string; record: number }[]> {
    const rows = await this.#db.all<{ record_seq: number; hour: string }>(
      `SELECT i.record_seq AS record_seq, substr(d.at, 1, 13) AS hour
       FROM disclosures d JOIN disclosure_items i ON i.disclosure_id = d.id
       WHERE d.principal_id = ? AND d.tenant_id = ? AND d.at >= ? GROUP BY i.record_seq, substr(d.at, 1, 13)`,
      [principalId, this.#tenant, since],
    );
    return rows.map((r) => ({ hour: r.hour, record: Number(r.record_seq) }));
  }

  /** A principal's last disclosures, newest first: when, by which channel, for which purpose, how many. */
  async recentDisclosures(principalId: string, limit: number): Promise<RecentDisclosure[]> {
    const rows = await this.#db.all<{
      id: string;
      at: string;
      channel: string;
      purpose: string;
      records: number;
      fields: number;
    }>(
      `SELECT d.id, d.at, d.channel, d.purpose, COUNT(DISTINCT i.record_seq) AS records,
         COUNT(DISTINCT i.field) AS fields
       FROM disclosures d LEFT JOIN disclosure_items i ON i.disclosure_id = d.id
       WHERE d.principal_id = ? AND d.tenant_id = ?
       GROUP BY d.id, d.at, d.channel, d.purpose ORDER BY d.at DESC, d.id LIMIT ?`,
      [principalId, this.#tenant, limit],
    );
    return rows.map((r) => ({ ...r, records: Number(r.records), fields: Number(r.fields) }));
  }

  /** A principal's alerts since `since`, counted by rule. */
  async alertsByRule(principalId: string, since: string): Promise<Record<string, number>> {
    const rows = await this.#db.all<{ rule: string; n: number }>(
      'SELECT rule, COUNT(*) AS n FROM alerts WHERE principal_id = ? AND tenant_id = ? AND at >= ? GROUP BY rule',
      [principalId, this.#tenant, since],
    );
    return Object.fromEntries(rows.map((r) => [r.rule, Number(r.n)]));
  }

  /** Marks an alert reviewed with its block kept (the block stays until another resolution lifts it). */
  async keepBlocked(tx: Db, id: string, by: string, at: string): Promise<void> {
    await tx.run("UPDATE alerts SET resolved_at = ?, resolved_by = ?, resolution = 'kept_blocked' WHERE id = ?", [
      at,
      by,
      id,
    ]);
  }
}
