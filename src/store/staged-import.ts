/**
 * An import's staged records: inserted with `staged_by` set (insert-records.ts) they stay invisible,
 * their blind-index digests waiting in staged_digests, until the import is published (each record's
 * collect event appended, its digests moved into the blind index) or discarded (nothing is left).
 */
import { DIGEST_BYTES } from './seal-record.ts';
import type { AuditSink } from './audit.ts';
import type { Db } from './db.ts';
import { indexStagedSql } from './dialect/sql.ts';

/** Who publishes, and how the ledger names a record: what publishing needs of the registry. */
export interface Publisher {
  readonly tenantId: string;
  readonly audit: AuditSink;
  readonly recordRef: (recordId: string) => string;
}

/**
 * Publishes an import's staged records: from now on they are read like any other. Each one's
 * collect event (by `principalId`, at `at`) is appended, a page at a time (memory stays bounded),
 * all in the caller's transaction. Returns how many were published.
 */
export async function publishStaged(
  tx: Db,
  p: Publisher,
  principalId: string,
  stagedBy: string,
  at: string,
): Promise<number> {
  let n = 0,
    after = 0;
  for (;;) {
    const page = await tx.all<{ seq: number; id: string }>(
      'SELECT seq, id FROM records WHERE staged_by = ? AND seq > ? ORDER BY seq LIMIT 10000',
      [stagedBy, after],
    );
    if (page.length === 0) break;
    await p.audit.append(
      tx,
      p.tenantId,
      at,
      page.map((r) => ({
        action: 'collect',
        principalId,
        recordRef: p.recordRef(r.id),
        outcome: 'ok',
        detail: { import: stagedBy },
      })),
    );
    const last = Number(page[page.length - 1]!.seq);
    await indexStaged(tx, stagedBy, after, last);
    n += page.length;
    if (page.length < 10000) break;
    after = last;
  }
  await tx.run('UPDATE records SET staged_by = NULL WHERE staged_by = ?', [stagedBy]);
  return n;
}

/**
 * The staged digests of an import's records in (after, last] into the blind index, sorted: the
 * index's pages are then each written once, in order, instead of once per digest at random
 * (10,000 records, ~140,000 digests, a sort of ~6 MB at a time).
 */
async function indexStaged(tx: Db, stagedBy: string, after: number, last: number): Promise<void> {
  const span = [after, last, stagedBy];
  const where = 'WHERE s.record_seq > ? AND s.record_seq <= ? AND r.staged_by = ?';
  const most = Number(
    (
      await tx.get<{ n: number | null }>(
        `SELECT MAX(length(s.digests)) / ${DIGEST_BYTES} AS n
           FROM staged_digests s JOIN records r ON r.seq = s.record_seq ${where}`,
        span,
      )
    )?.n ?? 0,
  );
  if (most === 0) return;
  await tx.run(indexStagedSql(tx.dialect, where, most, DIGEST_BYTES), span);
  await tx.run(
    'DELETE FROM staged_digests WHERE record_seq > ? AND record_seq <= ? ' +
      'AND record_seq IN (SELECT seq FROM records WHERE staged_by = ?)',
    span,
  );
}

/** Deletes an import's staged records (never visible, never collected): a refused import leaves nothing. */
export async function discardStaged(db: Db, stagedBy: string): Promise<void> {
  await db.transaction(async (tx) => {
    const sub = 'SELECT seq FROM records WHERE staged_by = ?';
    await tx.run(`DELETE FROM blind_index WHERE record_seq IN (${sub})`, [stagedBy]);
    await tx.run(`DELETE FROM staged_digests WHERE record_seq IN (${sub})`, [stagedBy]);
    await tx.run(`DELETE FROM record_changes WHERE record_seq IN (${sub})`, [stagedBy]);
    await tx.run(`DELETE FROM record_current WHERE record_seq IN (${sub})`, [stagedBy]);
    await tx.run(`DELETE FROM record_keys WHERE record_seq IN (${sub})`, [stagedBy]);
    await tx.run('DELETE FROM records WHERE staged_by = ?', [stagedBy]);
  });
}
