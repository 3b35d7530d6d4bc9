/**
 * Opening a record's sealed changes, with no database: the inverse of seal-record.ts for a whole
 * history. Pure CPU given the tenant's keys, so a trace can run it on another thread
 * (trace/linker.ts); the registry reads the rows and calls it.
 */
import { changeLabels, openChange, type FieldEntry } from '../crypto/field-cipher.ts';
import type { TenantKeys, WrappedRecordKey } from '../crypto/keyring.ts';
import type { CipherSuite } from '../crypto/cipher-suite.ts';
import { decodeValue } from '../schema/field-kind.ts';
import { fieldDef, recordType, type FieldDef } from '../schema/record-type.ts';
import type { FieldVersion } from './types.ts';

/** A record and its key. */
export interface KeyRow {
  seq: number;
  id: string;
  gen: number;
  dek_version: number;
  wrapped: Buffer;
  record_type: string;
  org_id: string | null;
  created_at: string;
  created_by: string;
  tenant_id: string;
  [k: string]: unknown;
}

/** One sealed change (null columns: a record without changes, from an outer join). */
export interface SealedRow {
  change: number | null;
  valid_from: string;
  recorded_at: string;
  recorded_by: string;
  key_gen: number;
  sealed: Buffer;
  [k: string]: unknown;
}

export type ChangeRow = KeyRow & SealedRow;

/** A record's key row and its change rows, read in one snapshot. */
export type RecordSnapshot = readonly [KeyRow, readonly SealedRow[]];

/** A record's wrapped key as its key row holds it. */
export function wrappedKeyOf(recordId: string, row: Pick<KeyRow, 'gen' | 'dek_version' | 'wrapped'>): WrappedRecordKey {
  return { recordId, gen: Number(row.gen), dekVersion: Number(row.dek_version), wrapped: row.wrapped };
}

/** A field's version as labelled in a change row. */
interface Labelled {
  readonly row: SealedRow;
  readonly version: number;
}

/**
 * Every version of every field of a record, in order (validTo is the next version's validFrom).
 * Only the changes holding a current value are opened unless the whole history is asked for; with
 * `only`, the other fields are left out but for their first version when the first change holds it
 * (it dates the record). The record key is wiped before returning.
 */
export function openHistory(
  keys: TenantKeys,
  recordId: string,
  first: KeyRow,
  rows: readonly SealedRow[],
  withHistory: boolean,
  only?: ReadonlySet<string>,
) {
  const type = recordType(first.record_type);
  const wrapped = wrappedKeyOf(recordId, first);
  const key = keys.unwrapRecordKey(wrapped);
  const byField = new Map<string, Labelled[]>();
  const versions = new Map<string, number>();
  let lastChange = 0;
  const opened = new Map<number, FieldEntry[]>();
  const current = new Map<string, FieldVersion>();
  const history: FieldVersion[] = [];
  try {
    for (const row of rows) {
      if (row.change === null) continue;
      lastChange = Math.max(lastChange, Number(row.change));
      for (const l of changeLabels(row.sealed)) {
        let list = byField.get(l.field);
        if (!list) byField.set(l.field, (list = []));
        list.push({ row, version: l.version });
        versions.set(l.field, l.version);
      }
    }
    const firstChange = Math.min(...rows.map((r) => (r.change === null ? Infinity : Number(r.change))));
    for (const [field, list] of byField) {
      const def = fieldDef(type, field);
      if (!def) continue;
      if (only && !only.has(field)) {
        if (withHistory && Number(list[0]!.row.change) === firstChange)
          history.push(versionAt(keys.suite, key, type.name, recordId, opened, def, list, 0));
        continue;
      }
      if (withHistory)
        for (let i = 0; i < list.length; i++)
          history.push(versionAt(keys.suite, key, type.name, recordId, opened, def, list, i));
      current.set(
        field,
        withHistory
          ? history[history.length - 1]!
          : versionAt(keys.suite, key, type.name, recordId, opened, def, list, list.length - 1),
      );
    }
  } finally {
    key.fill(0);
  }
  return {
    id: recordId,
    seq: Number(first.seq),
    recordType: type.name,
    orgId: first.org_id,
    createdAt: first.created_at,
    createdBy: first.created_by,
    key: wrapped,
    current,
    versions,
    lastChange,
    history: withHistory ? history : undefined,
  };
}

/**
 * The i-th version of a field, given the rows that hold its versions in order; each change is
 * opened once (`opened`, by change number). A function of its own, not a closure: the sources run
 * through tsx, which names every closure where it is made.
 */
function versionAt(
  suite: CipherSuite,
  key: Buffer,
  type: string,
  recordId: string,
  opened: Map<number, FieldEntry[]>,
  def: FieldDef,
  list: readonly Labelled[],
  i: number,
): FieldVersion {
  const { row, version } = list[i]!;
  const change = Number(row.change);
  let entries = opened.get(change);
  if (!entries)
    opened.set(
      change,
      (entries = openChange(
        suite,
        key,
        { recordType: type, recordId, change, keyGen: Number(row.key_gen) },
        row.sealed,
      )),
    );
  const entry = entries.find((e) => e.field === def.name)!;
  return {
    field: def.name,
    version,
    validFrom: row.valid_from,
    validTo: list[i + 1]?.row.valid_from ?? null,
    recordedAt: row.recorded_at,
    recordedBy: row.recorded_by,
    value: decodeValue(def.kind, entry.value),
  };
}
