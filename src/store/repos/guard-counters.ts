/**
 * The guard's counters as several servers on one PostgreSQL share them (migration 30, ADR 0027):
 * one row per principal, locked (`SELECT … FOR UPDATE`) for the time a read is checked, so that
 * reads spread over servers are counted as one stream; and login attempts per address. Counts,
 * record sequence numbers and times only: never a value, never an address (a keyed hash).
 */
import type { Db } from '../db.ts';

export interface CounterRow {
  readonly day: string;
  readonly state: string;
}

export class GuardCountersRepo {
  readonly #tenant: string;

  constructor(tenantId: string) {
    this.#tenant = tenantId;
  }

  /**
   * Locks a principal's row until `tx` ends (made empty if missing: an upsert locks it either way)
   * and returns its counters, if any, and whether a block stands on it — one round trip.
   */
  async lock(tx: Db, principalId: string): Promise<{ row: CounterRow | undefined; blocked: boolean }> {
    const r = await tx.get<{ day: string; state: string; blocked: number }>(
      'INSERT INTO guard_counters (tenant_id, principal_id, day, peer_group, clear_today, state, updated_at) ' +
        "VALUES (?, ?, '', '', 0, '', '') ON CONFLICT (tenant_id, principal_id) " +
        'DO UPDATE SET tenant_id = guard_counters.tenant_id ' +
        'RETURNING day, state, (SELECT COUNT(*) FROM guard_blocks WHERE principal_id = ?) AS blocked',
      [this.#tenant, principalId, principalId],
    );
    return { row: r && r.state !== '' ? r : undefined, blocked: Number(r?.blocked ?? 0) > 0 };
  }

  async save(
    tx: Db,
    principalId: string,
    row: { day: string; peerGroup: string; clearToday: number; state: string; at: string },
  ): Promise<void> {
    await tx.run(
      'UPDATE guard_counters SET day = ?, peer_group = ?, clear_today = ?, state = ?, updated_at = ? ' +
        'WHERE tenant_id = ? AND principal_id = ?',
      [row.day, row.peerGroup, row.clearToday, row.state, row.at, this.#tenant, principalId],
    );
  }

  /** The day's clear volumes of a peer group, by principal. */
  async peers(tx: Db, day: string, peerGroup: string): Promise<Map<string, number>> {
    const rows = await tx.all<{ principal_id: string; clear_today: number }>(
      'SELECT principal_id, clear_today FROM guard_counters WHERE tenant_id = ? AND day = ? AND peer_group = ?',
      [this.#tenant, day, peerGroup],
    );
    return new Map(rows.map((r) => [r.principal_id, Number(r.clear_today)]));
  }

  /** Forgets a principal's counters (its block was lifted: its day starts again from its history). */
  async forget(db: Db, principalId: string): Promise<void> {
    await db.run('DELETE FROM guard_counters WHERE tenant_id = ? AND principal_id = ?', [this.#tenant, principalId]);
  }

  /** Locks an address's login attempts until `tx` ends; returns their times (ms). */
  async lockAttempts(tx: Db, addressKey: string): Promise<number[]> {
    await tx.run(
      "INSERT INTO login_throttles (tenant_id, address_key, attempts) VALUES (?, ?, '[]') ON CONFLICT DO NOTHING",
      [this.#tenant, addressKey],
    );
    const row = await tx.get<{ attempts: string }>(
      'SELECT attempts FROM login_throttles WHERE tenant_id = ? AND address_key = ? FOR UPDATE',
      [this.#tenant, addressKey],
    );
    return row ? (JSON.parse(row.attempts) as number[]) : [];
  }

  async saveAttempts(tx: Db, addressKey: string, attempts: readonly number[]): Promise<void> {
    await tx.run('UPDATE login_throttles SET attempts = ? WHERE tenant_id = ? AND address_key = ?', [
      JSON.stringify(attempts),
      this.#tenant,
      addressKey,
    ]);
  }
}
