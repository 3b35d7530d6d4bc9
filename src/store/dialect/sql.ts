/**
 * Statements that cannot be written once for both dialects. Everything else is in the common subset
 * of SQLite and PostgreSQL (upserts included: both take `ON CONFLICT … DO NOTHING / DO UPDATE`); the
 * schema's differences are in ./ddl.ts and the cross-process locks in ./locks.ts.
 */
import type { Db, Dialect } from '../db.ts';

/** A binary parameter in a VALUES list: PostgreSQL types a bare `$n` there as text, so it is cast. */
export function bytesParam(dialect: Dialect): string {
  return dialect === 'postgres' ? '?::bytea' : '?';
}

/** Reserves `n` record sequence numbers, ascending (unique; consecutive only on SQLite). */
export async function reserveRecordSeqs(tx: Db, n: number): Promise<number[]> {
  if (n === 0) return [];
  if (tx.dialect === 'postgres') {
    const rows = await tx.all<{ s: number }>("SELECT nextval('records_seq') AS s FROM generate_series(1, ?::int)", [n]);
    return rows.map((r) => Number(r.s)).sort((a, b) => a - b);
  }
  // SQLite has one writer, and this runs inside its write transaction.
  const row = await tx.get<{ s: number | null }>('SELECT MAX(seq) AS s FROM records');
  const first = Number(row?.s ?? 0) + 1;
  return Array.from({ length: n }, (_, i) => first + i);
}

/**
 * Inserts into blind_index every `d`-byte digest packed in staged_digests.digests, for the rows
 * `where` selects (`s` the staged row, `r` its record), sorted; `most` is the most digests a row has.
 * Each row's digests, one per k: SQLite has no generate_series without an extension.
 */
export function indexStagedSql(dialect: Dialect, where: string, most: number, d: number): string {
  return dialect === 'sqlite'
    ? `WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i + 1 < ${most})
           INSERT INTO blind_index (digest, record_seq) SELECT substr(s.digests, k.i * ${d} + 1, ${d}), s.record_seq
           FROM staged_digests s JOIN records r ON r.seq = s.record_seq JOIN k ON k.i * ${d} < length(s.digests)
           ${where} ORDER BY 1, 2 ON CONFLICT DO NOTHING`
    : `INSERT INTO blind_index (digest, record_seq)
           SELECT substring(s.digests FROM k.i * ${d} + 1 FOR ${d}), s.record_seq
           FROM staged_digests s JOIN records r ON r.seq = s.record_seq
           CROSS JOIN LATERAL generate_series(0, length(s.digests) / ${d} - 1) AS k(i)
           ${where} ORDER BY 1, 2 ON CONFLICT DO NOTHING`;
}
