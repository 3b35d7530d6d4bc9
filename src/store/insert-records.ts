/**
 * Writing sealed records (seal-record.ts) into the database: the rows of records, record_keys,
 * record_current, record_changes and blind_index (or staged_digests, for an import's staged
 * records), a whole batch per statement, and a record's next change. The registry writes through here.
 */
import type { RecordType } from '../schema/record-type.ts';
import { eachDigest, type PreparedRecord, type SealedChange } from './seal-record.ts';
import { fieldMask } from './field-mask.ts';
import type { AuditEvent } from './audit.ts';
import type { Db, Param } from './db.ts';
import { reserveRecordSeqs } from './dialect/sql.ts';

/** Rows to insert, gathered for a whole batch. */
interface Pending {
  readonly changes: Param[][];
  readonly index: Param[][];
}

/**
 * Inserts sealed records in the caller's transaction for the tenant `tenantId`; an id already
 * present is a duplicate and is skipped. Staged records (`stagedBy`) stay invisible, and get their
 * audit events, until published (staged-import.ts); the others' events, naming each record by
 * `recordRef`, go into `events`.
 */
export async function insertRecords(
  tx: Db,
  tenantId: string,
  recordRef: (recordId: string) => string,
  events: AuditEvent[],
  type: RecordType,
  items: readonly PreparedRecord[],
  opts: { stagedBy?: string; entry?: Readonly<Partial<AuditEvent>> } = {},
): Promise<{ created: string[]; duplicates: number }> {
  const existing = new Set<string>();
  for (let i = 0; i < items.length; i += 500) {
    const ids = items.slice(i, i + 500).map((r) => r.id);
    const rows = await tx.all<{ id: string; staged_by: string | null }>(
      `SELECT id, staged_by FROM records WHERE id IN (${ids.map(() => '?').join(',')})`,
      ids,
    );
    for (const r of rows) {
      existing.add(r.id);
      // Staged by an import that never finished (another file, say): this import takes it over.
      if (opts.stagedBy && r.staged_by && r.staged_by !== opts.stagedBy)
        await tx.run('UPDATE records SET staged_by = ? WHERE id = ?', [opts.stagedBy, r.id]);
    }
  }
  const fresh = new Set(items.map((r) => r.id).filter((id) => !existing.has(id)));
  const seqs = await reserveRecordSeqs(tx, fresh.size);
  const records: Param[][] = [],
    keys: Param[][] = [],
    changes: Param[][] = [],
    current: Param[][] = [],
    index: Param[][] = [],
    staged: Param[][] = [];
  const created: string[] = [];
  let duplicates = 0;
  for (const item of items) {
    if (existing.has(item.id)) {
      duplicates++;
      continue;
    }
    existing.add(item.id);
    const seq = seqs[created.length]!;
    created.push(item.id);
    records.push([
      seq,
      item.id,
      tenantId,
      type.name,
      item.orgId,
      item.createdAt,
      item.createdBy,
      opts.stagedBy ?? null,
    ]);
    keys.push([seq, item.key.gen, item.key.dekVersion, item.key.wrapped]);
    for (const c of item.changes)
      changes.push([seq, c.change, c.validFrom, c.recordedAt, c.recordedBy, c.keyGen, c.sealed, fieldMask(c.fields)]);
    current.push([seq, item.changes.length, item.key.gen, item.current]);
    if (opts.stagedBy) staged.push([seq, item.digests]);
    else for (const d of eachDigest(item.digests)) index.push([d, seq]);
    if (!opts.stagedBy) {
      const ref = recordRef(item.id);
      item.changes.forEach((c, i) =>
        events.push({
          ...opts.entry,
          action: i === 0 ? 'collect' : 'update',
          principalId: c.recordedBy,
          recordRef: ref,
          fields: c.fields,
          outcome: 'ok',
        }),
      );
    }
  }
  await tx.insertMany(
    'INSERT INTO records (seq, id, tenant_id, record_type, org_id, created_at, created_by, staged_by) VALUES',
    records,
  );
  await tx.insertMany('INSERT INTO record_keys (record_seq, gen, dek_version, wrapped) VALUES', keys);
  await tx.insertMany('INSERT INTO record_current (record_seq, change, key_gen, sealed) VALUES', current);
  await tx.insertMany('INSERT INTO staged_digests (record_seq, digests) VALUES', staged);
  await insertChanges(tx, { changes, index });
  return { created, duplicates };
}

/**
 * Inserts the change `c` made to the record `seq` (Registry.update): its change row, its blind-index
 * `digests`, and its current versions sealed anew (`sealedCurrent`) in place of the last ones.
 */
export async function insertChange(
  tx: Db,
  seq: number,
  c: SealedChange,
  digests: readonly Buffer[],
  sealedCurrent: Buffer,
): Promise<void> {
  await insertChanges(tx, {
    changes: [[seq, c.change, c.validFrom, c.recordedAt, c.recordedBy, c.keyGen, c.sealed, fieldMask(c.fields)]],
    index: digests.map((d) => [d, seq]),
  });
  await tx.run(
    'INSERT INTO record_current (record_seq, change, key_gen, sealed) VALUES (?, ?, ?, ?) ' +
      'ON CONFLICT (record_seq) DO UPDATE ' +
      'SET change = excluded.change, key_gen = excluded.key_gen, sealed = excluded.sealed',
    [seq, c.change, c.keyGen, sealedCurrent],
  );
}

/** Inserts change rows and blind-index entries (an entry already there is kept). */
async function insertChanges(tx: Db, p: Pending): Promise<void> {
  await tx.insertMany(
    'INSERT INTO record_changes ' +
      '(record_seq, change, valid_from, recorded_at, recorded_by, key_gen, sealed, fields) VALUES',
    p.changes,
  );
  await tx.insertMany('INSERT INTO blind_index (digest, record_seq) VALUES', p.index, 'ON CONFLICT DO NOTHING');
}
