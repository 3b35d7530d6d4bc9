/**
 * Writers that must take turns across processes. PostgreSQL: a transaction-scoped advisory lock
 * (pg_advisory_xact_lock, released at COMMIT or ROLLBACK), one id per lock, fixed here so that two
 * processes of any version agree on them. SQLite: a write transaction already excludes every other
 * writer (one writer per file), so there is nothing to take.
 */
import type { Db } from '../db.ts';

export const LOCKS = {
  /** Appending to audit_events: gap-free sequence numbers (store/audit.ts). */
  auditSequencer: 727275,
  /** Integrating audit_events into the Merkle tree's edge and tiles (ledger/log.ts). */
  ledgerIntegrator: 727276,
} as const;

export type LockName = keyof typeof LOCKS;

const TAKE = Object.fromEntries(
  Object.entries(LOCKS).map(([name, id]) => [name, `SELECT pg_advisory_xact_lock(${id})`]),
) as Record<LockName, string>;

/** Holds `lock` until the transaction `tx` ends. */
export async function lockUntilCommit(tx: Db, lock: LockName): Promise<void> {
  if (tx.dialect === 'postgres') await tx.run(TAKE[lock]);
}
