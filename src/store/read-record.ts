/**
 * Reading records from the database, each as one snapshot (its key and the changes that key sealed,
 * read together so that they always match, even while `keys rotate` re-encrypts), and opening them:
 * one record's current values or history (`loadRecord`), and the sealed rows of many records by
 * sequence number (`readSnapshots`) that `openSnapshotRows` opens. The registry's reads delegate here.
 */
import { TracevaultError } from '../errors.ts';
import type { TenantKeys } from '../crypto/keyring.ts';
import { fieldDef, recordType } from '../schema/record-type.ts';
import { fieldMask } from './field-mask.ts';
import {
  openHistory,
  wrappedKeyOf,
  type ChangeRow,
  type KeyRow,
  type RecordSnapshot,
  type SealedRow,
} from './open-record.ts';
import { openCurrentVersions } from './seal-record.ts';
import type { Db, Param } from './db.ts';
import type { FieldVersion } from './types.ts';

/** What a read needs of the registry: its tenant, the tenant's keys, and how to load newer data keys. */
export interface RecordReader {
  readonly keys: TenantKeys;
  readonly tenantId: string;
  /** Called when a record is sealed under a data-key version this process has not loaded yet. */
  readonly reloadKeys?: () => Promise<void>;
}

/** A record's key and every change it sealed, in one statement (one snapshot); callers add WHERE and ORDER BY. */
const SELECT_CHANGES = `SELECT r.seq, r.id, c.change, c.valid_from, c.recorded_at, c.recorded_by, c.key_gen, c.sealed,
  k.gen, k.dek_version, k.wrapped, r.record_type, r.org_id, r.created_at, r.created_by, r.tenant_id
  FROM records r JOIN record_keys k ON k.record_seq = r.seq LEFT JOIN record_changes c ON c.record_seq = r.seq`;

/** Records and their keys, and their changes, apart (Registry.histories). */
const SELECT_KEYS = `SELECT r.seq, r.id, k.gen, k.dek_version, k.wrapped, r.record_type, r.org_id, r.created_at,
  r.created_by, r.tenant_id
  FROM records r JOIN record_keys k ON k.record_seq = r.seq`;
const SELECT_SEALED =
  'SELECT record_seq, change, valid_from, recorded_at, recorded_by, key_gen, sealed FROM record_changes';

/** A record's key and its sealed current versions (migration 13), in one statement. */
const SELECT_CURRENT = `SELECT r.seq, r.id, r.record_type, r.org_id, r.created_at, r.created_by, k.gen, k.dek_version,
  k.wrapped, s.change, s.key_gen, s.sealed
  FROM records r JOIN record_keys k ON k.record_seq = r.seq JOIN record_current s ON s.record_seq = r.seq`;

/**
 * Loads a record with one statement (one snapshot: the record key and the versions it sealed
 * always match, even while `keys rotate` re-encrypts) and decrypts what is needed.
 */
export async function loadRecord(reader: RecordReader, db: Db, recordId: string, withHistory: boolean) {
  if (!withHistory) {
    // The current versions in one message, when the record has them under its current key.
    const row = await db.get<ChangeRow>(
      `${SELECT_CURRENT} WHERE r.id = ? AND r.tenant_id = ? AND r.staged_by IS NULL`,
      [recordId, reader.tenantId],
    );
    if (row && Number(row.key_gen) === Number(row.gen)) return decodeCurrent(reader, recordId, row);
  }
  const rows = await db.all<ChangeRow>(
    `${SELECT_CHANGES} WHERE r.id = ? AND r.tenant_id = ? AND r.staged_by IS NULL ORDER BY c.change`,
    [recordId, reader.tenantId],
  );
  if (rows.length === 0) {
    const erased = await db.get('SELECT 1 AS x FROM records WHERE id = ? AND tenant_id = ? AND erased_at IS NOT NULL', [
      recordId,
      reader.tenantId,
    ]);
    throw new TracevaultError(erased ? 'ERR_ERASED' : 'ERR_NOT_FOUND');
  }
  return openSnapshotRows(reader, recordId, rows[0]!, rows, withHistory);
}

/**
 * The sealed rows `Registry.histories` opens (open-record.ts): each record's key row and change rows, read as one
 * snapshot. Erased and staged records are left out; with `fields`, only the changes that hold one of those
 * fields (and the first, which dates the record) are read.
 */
export async function readSnapshots(
  reader: RecordReader,
  seqs: readonly number[],
  db: Db,
  fields?: ReadonlySet<string>,
): Promise<RecordSnapshot[]> {
  const out: RecordSnapshot[] = [];
  const qs = (n: number) => new Array(n).fill('?').join(',');
  const mask = fields && fieldMask(fields);
  for (let i = 0; i < seqs.length; i += 500) {
    const page = seqs.slice(i, i + 500);
    // The tenant is checked here, not in SQL: with the tenant in the WHERE clause SQLite's planner
    // scans the tenant's index (every record) once per page instead of looking up these seqs.
    const heads = (
      await db.all<KeyRow>(
        `${SELECT_KEYS} WHERE r.seq IN (${qs(page.length)}) AND r.staged_by IS NULL AND r.erased_at IS NULL`,
        page,
      )
    )
      .filter((h) => h.tenant_id === reader.tenantId)
      .sort((a, b) => Number(a.seq) - Number(b.seq));
    // The changes in a statement of their own: joined to their records, each of a page's thousands
    // of change rows repeated its record's columns, and all went through a sort (3-5x slower).
    // With `fields`, the other changes are left on disk: record_changes_fields holds each change's
    // field mask beside its record, so SQLite reads only the rows that pass (migration 15). The
    // first change dates the record; changes stored before the masks (NULL) are always read.
    const changes = new Map<number, (SealedRow & { record_seq: number })[]>();
    if (heads.length > 0) {
      const sql =
        mask === undefined
          ? `${SELECT_SEALED} WHERE record_seq IN (${qs(heads.length)})`
          : `${SELECT_SEALED} WHERE record_seq IN (${qs(heads.length)})
               AND (change = 1 OR fields IS NULL OR (fields & ?) <> 0)`;
      const params = heads.map((h): Param => h.seq);
      if (mask !== undefined) params.push(mask);
      for (const c of await db.all<SealedRow & { record_seq: number }>(sql, params)) {
        const list = changes.get(Number(c.record_seq));
        if (list) list.push(c);
        else changes.set(Number(c.record_seq), [c]);
      }
    }
    for (const head of heads) {
      const rows = (changes.get(Number(head.seq)) ?? []).sort((a, b) => Number(a.change) - Number(b.change));
      // Two statements are two snapshots: a record re-keyed between them (keys rotate) is read
      // again in one (and left out if it was erased meanwhile).
      if (rows.some((r) => Number(r.key_gen) !== Number(head.gen))) {
        const again = await db.all<ChangeRow>(
          `${SELECT_CHANGES} WHERE r.seq = ? AND r.erased_at IS NULL ORDER BY c.change`,
          [head.seq],
        );
        if (again.length > 0) out.push([again[0]!, again]);
      } else out.push([head, rows]);
    }
  }
  return out;
}

/** Decrypts one record's change rows (all of one snapshot). */
export async function openSnapshotRows(
  reader: RecordReader,
  recordId: string,
  first: KeyRow,
  rows: readonly SealedRow[],
  withHistory: boolean,
  only?: ReadonlySet<string>,
) {
  // Another process may have rotated the data key since this one loaded its keys.
  if (!reader.keys.hasVersion(Number(first.dek_version))) await reader.reloadKeys?.();
  return openHistory(reader.keys, recordId, first, rows, withHistory, only);
}

/** Decrypts a record's sealed current versions (a row of SELECT_CURRENT). */
async function decodeCurrent(reader: RecordReader, recordId: string, row: ChangeRow) {
  const type = recordType(row.record_type);
  const wrapped = wrappedKeyOf(recordId, row);
  if (!reader.keys.hasVersion(wrapped.dekVersion)) await reader.reloadKeys?.();
  const key = reader.keys.unwrapRecordKey(wrapped);
  const lastChange = Number(row.change);
  let current: Map<string, FieldVersion>;
  try {
    current = openCurrentVersions(
      reader.keys.suite,
      key,
      { recordType: type.name, recordId, change: lastChange, keyGen: Number(row.key_gen) },
      row.sealed,
    );
  } finally {
    key.fill(0);
  }
  for (const f of current.keys()) if (!fieldDef(type, f)) current.delete(f);
  return {
    id: recordId,
    seq: Number(row.seq),
    recordType: type.name,
    orgId: row.org_id,
    createdAt: row.created_at,
    createdBy: row.created_by,
    key: wrapped,
    current,
    versions: undefined,
    lastChange,
    history: undefined,
  };
}
