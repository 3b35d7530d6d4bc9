/**
 * The guard's counters shared by several servers on one PostgreSQL (issue 23, ADR 0027). Each
 * guarded read locks its principal's row of `guard_counters`, adopts the counters as the last
 * server left them (and the blocks of `guard_blocks`: a block raised or lifted elsewhere), lets the
 * guard decide, and writes the counters back before the lock is released: a scraper whose requests
 * go round robin over three servers is counted as one stream, and stopped at the same bound as
 * against one. On SQLite (one server) the counters stay in the process and nothing is written.
 */
import type { Guard, GuardCounters, GuardVerdict } from '../access/guard.ts';
import type { Db } from '../store/db.ts';
import { GuardCountersRepo } from '../store/repos/guard-counters.ts';

export class SharedGuard {
  readonly #db: Db;
  readonly #guard: Guard;
  readonly #repo: GuardCountersRepo;
  /** Whether the counters are shared (PostgreSQL) or in this process only (SQLite). */
  readonly shared: boolean;

  constructor(db: Db, tenantId: string, guard: Guard, shared: boolean) {
    this.#db = db;
    this.#guard = guard;
    this.#repo = new GuardCountersRepo(tenantId);
    this.shared = shared;
  }

  /**
   * Runs `decide` (which may load the principal's history through the transaction it is given)
   * with the principal's shared counters adopted, and stores them afterwards.
   */
  async around(
    principalId: string,
    peerGroup: string,
    day: string,
    decide: (db: Db) => Promise<GuardVerdict>,
  ): Promise<GuardVerdict> {
    if (!this.shared) return decide(this.#db);
    return this.#db.transaction(async (tx) => {
      const { row, blocked } = await this.#repo.lock(tx, principalId);
      const counters = row ? (JSON.parse(row.state) as GuardCounters) : undefined;
      if (!blocked && !counters?.blocked && this.#guard.isBlocked(principalId)) this.#guard.unblock(principalId);
      if (blocked) this.#guard.block(principalId);
      this.#guard.importCounters(principalId, counters?.day === day ? counters : undefined);
      this.#guard.setPeers(peerGroup, day, await this.#repo.peers(tx, day, peerGroup));
      const verdict = await decide(tx);
      const out = this.#guard.exportCounters(principalId);
      if (out)
        await this.#repo.save(tx, principalId, {
          day: out.day,
          peerGroup,
          clearToday: out.clearToday,
          state: JSON.stringify(out),
          at: new Date().toISOString(),
        });
      return verdict;
    });
  }

  /** Forgets a principal's shared counters (a data-protection officer lifted its block). */
  async forget(principalId: string): Promise<void> {
    if (this.shared) await this.#repo.forget(this.#db, principalId);
  }

  /** The login attempts of an address, locked and rewritten by `update` (shared on PostgreSQL). */
  async attempts<T>(
    addressKey: string,
    update: (attempts: readonly number[]) => { attempts: number[]; out: T },
  ): Promise<T> {
    return this.#db.transaction(async (tx) => {
      const r = update(await this.#repo.lockAttempts(tx, addressKey));
      await this.#repo.saveAttempts(tx, addressKey, r.attempts);
      return r.out;
    });
  }
}
