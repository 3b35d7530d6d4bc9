/** The guard's alerts and the blocks they caused, and the poison records no workflow reads. */
import type { Db } from '../db.ts';

export interface AlertRow {
  readonly id: string;
  readonly at: string;
  readonly principalId: string;
  readonly rule: string;
  readonly action: string;
  readonly detail: Record<string, unknown>;
  readonly resolvedAt: string | null;
  /** `lifted` (its block, if any, lifted), `kept_blocked`, or null while open. */
  readonly resolution: string | null;
}

export class OversightRepo {
  readonly #db: Db;
  readonly #tenant: string;

  constructor(db: Db, tenantId: string) {
    this.#db = db;
    this.#tenant = tenantId;
  }

  /** Alerts at or after `since`, newest first. */
  async alerts(since: string, limit: number): Promise<AlertRow[]> {
    const rows = await this.#db.all<{
      id: string;
      at: string;
      principal_id: string;
      rule: string;
      action: string;
      detail: string;
      resolved_at: string | null;
      resolution: string | null;
    }>(
      'SELECT id, at, principal_id, rule, action, detail, resolved_at, resolution FROM alerts ' +
        'WHERE tenant_id = ? AND at >= ? ORDER BY at DESC, id LIMIT ?',
      [this.#tenant, since, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      principalId: r.principal_id,
      rule: r.rule,
      action: r.action,
      detail: JSON.parse(r.detail) as Record<string, unknown>,
      resolvedAt: r.resolved_at ?? null,
      resolution: r.resolution ?? (r.resolved_at ? 'lifted' : null),
    }));
  }

  /** The principal an alert is about. */
  async alertSubject(id: string): Promise<string | undefined> {
    const r = await this.#db.get<{ principal_id: string }>(
      'SELECT principal_id FROM alerts WHERE id = ? AND tenant_id = ?',
      [id, this.#tenant],
    );
    return r?.principal_id;
  }

  async insertAlert(
    tx: Db,
    a: { id: string; at: string; principalId: string; rule: string; action: string; detail: unknown },
  ): Promise<void> {
    await tx.run(
      'INSERT INTO alerts (id, tenant_id, at, principal_id, rule, action, detail) VALUES (?, ?, ?, ?, ?, ?, ?)',
      [a.id, this.#tenant, a.at, a.principalId, a.rule, a.action, JSON.stringify(a.detail)],
    );
  }

  async insertBlock(tx: Db, b: { principalId: string; since: string; rule: string; alertId: string }): Promise<void> {
    await tx.run(
      'INSERT INTO guard_blocks (principal_id, tenant_id, since, rule, alert_id) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT DO NOTHING',
      [b.principalId, this.#tenant, b.since, b.rule, b.alertId],
    );
  }

  /** Resolves an alert and lifts the block it caused. */
  async resolve(tx: Db, id: string, by: string, at: string): Promise<void> {
    await tx.run("UPDATE alerts SET resolved_at = ?, resolved_by = ?, resolution = 'lifted' WHERE id = ?", [
      at,
      by,
      id,
    ]);
    await tx.run('DELETE FROM guard_blocks WHERE alert_id = ?', [id]);
  }

  async isBlocked(principalId: string): Promise<boolean> {
    return !!(await this.#db.get('SELECT 1 AS x FROM guard_blocks WHERE principal_id = ?', [principalId]));
  }

  async blockedPrincipals(): Promise<string[]> {
    const rows = await this.#db.all<{ principal_id: string }>(
      'SELECT principal_id FROM guard_blocks WHERE tenant_id = ?',
      [this.#tenant],
    );
    return rows.map((r) => r.principal_id);
  }

  async poisonRefs(): Promise<string[]> {
    const rows = await this.#db.all<{ record_ref: string }>(
      'SELECT record_ref FROM poison_records WHERE tenant_id = ?',
      [this.#tenant],
    );
    return rows.map((r) => r.record_ref);
  }

  async addPoison(recordRef: string, at: string): Promise<void> {
    await this.#db.run(
      'INSERT INTO poison_records (record_ref, tenant_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      [recordRef, this.#tenant, at],
    );
  }
}
