/**
 * The registry: records of a schema, each field kept as sealed versions with a validity interval
 * [validFrom, validTo) — validTo is the next version's validFrom — and when and by whom each was
 * recorded. Nothing is overwritten: a change is a new version. Equality search goes through blind
 * indexes; erasure deletes the record's key.
 */
import { TracevaultError } from '../errors.ts';
import { openField, sealField } from '../crypto/field-cipher.ts';
import type { TenantKeys, WrappedRecordKey } from '../crypto/keyring.ts';
import { base32, newId } from '../crypto/ids.ts';
import { decodeValue, encodeValue, KINDS, type FieldValue, type IndexScope } from '../schema/field-kind.ts';
import { fieldDef, RECORD_TYPES, type RecordType } from '../schema/record-type.ts';
import { normaliseMobile } from '../schema/mobile.ts';
import type { AuditEvent, AuditSink } from './audit.ts';
import type { Db, Param } from './db.ts';

/** Who is acting. Every write names one; every version records it. */
export interface Actor {
  readonly id: string;
  readonly orgId?: string | null;
}

export interface NewRecord {
  readonly id: string;
  readonly values: ReadonlyMap<string, FieldValue>;
  /** When the values became true in the world (default: now). Per field, for histories. */
  readonly validFrom?: string;
  /** When the vault learned them (default: now). The synthetic city back-dates its histories. */
  readonly recordedAt?: string;
  readonly orgId?: string | null;
  /** Changes after the first values, oldest first: each field gets its next version. */
  readonly later?: readonly LaterChange[];
}

export interface LaterChange {
  readonly validFrom: string;
  readonly recordedAt?: string;
  readonly values: ReadonlyMap<string, FieldValue>;
  /** Who recorded it (default: the actor of the collect). */
  readonly by?: string;
}

export interface FieldVersion {
  readonly field: string;
  readonly version: number;
  readonly validFrom: string;
  readonly validTo: string | null;
  readonly recordedAt: string;
  readonly recordedBy: string;
  readonly value: FieldValue;
}

export interface StoredRecord {
  readonly id: string;
  readonly recordType: string;
  readonly orgId: string | null;
  readonly createdAt: string;
  readonly createdBy: string;
  /** The current version of each field that has a value. */
  readonly current: ReadonlyMap<string, FieldVersion>;
  /** Every version, oldest first per field, when asked for. */
  readonly history?: readonly FieldVersion[];
}

export interface RegistryOptions {
  readonly tenantId: string;
  readonly audit: AuditSink;
  readonly now?: () => Date;
  /** Called when a record is sealed under a data-key version this process has not loaded yet. */
  readonly reloadKeys?: () => Promise<void>;
}

interface VersionRow {
  seq: number;
  field: string;
  version: number;
  valid_from: string;
  recorded_at: string;
  recorded_by: string;
  key_gen: number;
  sealed: Buffer;
  gen: number;
  dek_version: number;
  wrapped: Buffer;
  record_type: string;
  org_id: string | null;
  created_at: string;
  created_by: string;
  erased_at: string | null;
  [k: string]: unknown;
}

/** The normalised form a blind index hashes: phones as bare digits, ids upper case, names NFC. */
export function indexForm(scope: IndexScope, value: string): string {
  if (scope === 'phone') return normaliseMobile(value);
  if (scope === 'residentId' || scope === 'plate') return value.trim().toUpperCase();
  return value.normalize('NFC').trim();
}

export class Registry {
  readonly db: Db;
  readonly keys: TenantKeys;
  readonly tenantId: string;
  readonly #audit: AuditSink;
  readonly #now: () => Date;
  readonly #reloadKeys?: () => Promise<void>;

  constructor(db: Db, keys: TenantKeys, opts: RegistryOptions) {
    this.db = db;
    this.keys = keys;
    this.tenantId = opts.tenantId;
    this.#audit = opts.audit;
    this.#now = opts.now ?? (() => new Date());
    this.#reloadKeys = opts.reloadKeys;
  }

  now(): Date {
    return this.#now();
  }

  /** A keyed reference to a record for the ledger: HMAC, so the ledger names no one. */
  recordRef(recordId: string): string {
    return base32(this.keys.keyedId('record-ref', recordId).subarray(0, 16));
  }

  /** The id an import gives to a row's content: the same content always gets the same id. */
  contentId(type: RecordType, values: ReadonlyMap<string, FieldValue>): string {
    const canonical = JSON.stringify([type.name, ...[...values].sort(([a], [b]) => (a < b ? -1 : 1))]);
    return `r_${base32(this.keys.keyedId(`record-id/${this.tenantId}`, canonical).subarray(0, 16))}`;
  }

  newRecordId(): string {
    return newId('r');
  }

  /** Runs `fn` in a transaction and appends its audit events there: no event, no operation. */
  async audited<T>(fn: (tx: Db, events: AuditEvent[]) => Promise<T>, db: Db = this.db): Promise<T> {
    return db.transaction(async (tx) => {
      const events: AuditEvent[] = [];
      const out = await fn(tx, events);
      await this.#audit.append(tx, this.tenantId, this.#now().toISOString(), events);
      return out;
    });
  }

  /**
   * Collects records (inserts what is new; an id already present is a duplicate and is skipped).
   * Runs in the caller's transaction `tx`; the events for the audit hook go into `events`.
   */
  async collectInto(tx: Db, events: AuditEvent[], actor: Actor, type: RecordType, items: readonly NewRecord[]): Promise<{ created: string[]; duplicates: number }> {
    const existing = new Set<string>();
    for (let i = 0; i < items.length; i += 500) {
      const ids = items.slice(i, i + 500).map((r) => r.id);
      const rows = await tx.all<{ id: string }>(`SELECT id FROM records WHERE id IN (${ids.map(() => '?').join(',')})`, ids);
      for (const r of rows) existing.add(r.id);
    }
    const fresh = new Set(items.map((r) => r.id).filter((id) => !existing.has(id)));
    const seqs = await this.#allocate(tx, fresh.size);
    const now = this.#now().toISOString();
    const records: Param[][] = [], keys: Param[][] = [], versions: Param[][] = [], index: Param[][] = [];
    const created: string[] = [];
    let duplicates = 0;
    for (const item of items) {
      if (existing.has(item.id)) {
        duplicates++;
        continue;
      }
      existing.add(item.id);
      created.push(item.id);
      const rs = seqs[created.length - 1]!;
      const { key, wrapped } = this.keys.newRecordKey(item.id);
      records.push([rs, item.id, this.tenantId, type.name, item.orgId ?? actor.orgId ?? null, item.recordedAt ?? now, actor.id]);
      keys.push([rs, wrapped.gen, wrapped.dekVersion, wrapped.wrapped]);
      const ref = this.recordRef(item.id);
      const next = new Map<string, number>();
      const add = (values: ReadonlyMap<string, FieldValue>, validFrom: string, recordedAt: string, by: string) => {
        for (const [field, value] of values) {
          const v = (next.get(field) ?? 0) + 1;
          next.set(field, v);
          this.#sealVersion(type, item.id, rs, field, v, value, key, wrapped.gen, validFrom, recordedAt, by, versions, index);
        }
      };
      add(item.values, item.validFrom ?? now, item.recordedAt ?? now, actor.id);
      events.push({ action: 'collect', principalId: actor.id, recordRef: ref, fields: [...item.values.keys()], outcome: 'ok' });
      for (const c of item.later ?? []) {
        add(c.values, c.validFrom, c.recordedAt ?? c.validFrom, c.by ?? actor.id);
        events.push({ action: 'update', principalId: c.by ?? actor.id, recordRef: ref, fields: [...c.values.keys()], outcome: 'ok' });
      }
      key.fill(0);
    }
    await tx.insertMany('INSERT INTO records (seq, id, tenant_id, record_type, org_id, created_at, created_by) VALUES', records);
    await tx.insertMany('INSERT INTO record_keys (record_seq, gen, dek_version, wrapped) VALUES', keys);
    await this.#insertVersions(tx, versions, index);
    return { created, duplicates };
  }

  async collect(actor: Actor, type: RecordType, item: NewRecord): Promise<{ id: string; created: boolean }> {
    const r = await this.audited((tx, events) => this.collectInto(tx, events, actor, type, [item]));
    return { id: item.id, created: r.created.length === 1 };
  }

  /**
   * Records new versions of some fields of a record. A value equal to the current one is not a
   * change and makes no version. Returns the fields that changed.
   */
  async update(actor: Actor, recordId: string, values: ReadonlyMap<string, FieldValue>, opts: { validFrom?: string; recordedAt?: string } = {}, db: Db = this.db): Promise<string[]> {
    return this.audited(async (tx, events) => {
      const rec = await this.#load(tx, recordId, false);
      const type = recordType(rec.recordType);
      const now = this.#now().toISOString();
      const key = this.keys.unwrapRecordKey(rec.key);
      const versions: Param[][] = [], index: Param[][] = [];
      const changed: string[] = [];
      for (const [field, value] of values) {
        if (!fieldDef(type, field)) throw new TracevaultError('ERR_UNKNOWN_FIELD', { field: field.slice(0, 64) });
        const cur = rec.current.get(field);
        if (cur && JSON.stringify(cur.value) === JSON.stringify(value)) continue;
        const maxVersion = rec.maxVersion.get(field) ?? 0;
        this.#sealVersion(type, recordId, rec.seq, field, maxVersion + 1, value, key, rec.key.gen, opts.validFrom ?? now, opts.recordedAt ?? now, actor.id, versions, index);
        changed.push(field);
      }
      await this.#insertVersions(tx, versions, index);
      if (changed.length > 0) events.push({ action: 'update', principalId: actor.id, recordRef: this.recordRef(recordId), fields: changed, outcome: 'ok' });
      return changed;
    }, db);
  }

  /** Reads a record's current values (and its whole history with `history`), decrypted. */
  async get(recordId: string, opts: { history?: boolean; db?: Db } = {}): Promise<StoredRecord> {
    const rec = await this.#load(opts.db ?? this.db, recordId, opts.history ?? false);
    return { id: rec.id, recordType: rec.recordType, orgId: rec.orgId, createdAt: rec.createdAt, createdBy: rec.createdBy, current: rec.current, history: rec.history };
  }

  /** Record ids whose field of this scope has (or had, with `anyVersion`) exactly this value. */
  async search(scope: IndexScope, value: string, opts: { anyVersion?: boolean; limit?: number } = {}): Promise<string[]> {
    const digest = this.keys.blindIndex(scope, indexForm(scope, value));
    // A hit counts on the current version of its field unless any version will do.
    const current = opts.anyVersion
      ? ''
      : 'AND b.version = (SELECT MAX(v.version) FROM field_versions v WHERE v.record_seq = b.record_seq AND v.field = b.field)';
    const rows = await this.db.all<{ id: string }>(
      `SELECT DISTINCT r.id, r.seq FROM blind_index b JOIN records r ON r.seq = b.record_seq
       WHERE b.tenant_id = ? AND b.scope = ? AND b.digest = ? AND r.erased_at IS NULL ${current} ORDER BY r.seq LIMIT ?`,
      [this.tenantId, scope, digest, opts.limit ?? 100],
    );
    return rows.map((r) => r.id);
  }

  /** Crypto-shredding: the record key and blind index entries are deleted; the sealed versions stay unreadable. */
  async erase(actor: Actor, recordId: string): Promise<void> {
    await this.audited(async (tx, events) => {
      const row = await tx.get<{ seq: number; erased_at: string | null }>('SELECT seq, erased_at FROM records WHERE id = ? AND tenant_id = ?', [recordId, this.tenantId]);
      if (!row) throw new TracevaultError('ERR_NOT_FOUND');
      if (row.erased_at) throw new TracevaultError('ERR_ERASED');
      await tx.run('DELETE FROM record_keys WHERE record_seq = ?', [row.seq]);
      await tx.run('DELETE FROM blind_index WHERE record_seq = ?', [row.seq]);
      await tx.run('UPDATE records SET erased_at = ?, erased_by = ? WHERE seq = ?', [this.#now().toISOString(), actor.id, row.seq]);
      events.push({ action: 'erase', principalId: actor.id, recordRef: this.recordRef(recordId), outcome: 'ok' });
    });
  }

  #sealVersion(
    type: RecordType, recordId: string, recordSeq: number, field: string, version: number, value: FieldValue, key: Buffer, keyGen: number,
    validFrom: string, recordedAt: string, by: string, versions: Param[][], index: Param[][],
  ): void {
    const def = fieldDef(type, field);
    if (!def) throw new TracevaultError('ERR_UNKNOWN_FIELD', { field: field.slice(0, 64) });
    const place = { recordType: type.name, recordId, field, version, keyGen };
    versions.push([recordSeq, field, version, validFrom, recordedAt, by, keyGen, sealField(key, place, encodeValue(def.kind, value))]);
    const scope = KINDS[def.kind].index;
    if (scope && typeof value === 'string') {
      index.push([this.tenantId, scope, this.keys.blindIndex(scope, indexForm(scope, value)), recordSeq, field, version]);
    }
  }

  async #insertVersions(tx: Db, versions: Param[][], index: Param[][]): Promise<void> {
    await tx.insertMany('INSERT INTO field_versions (record_seq, field, version, valid_from, recorded_at, recorded_by, key_gen, sealed) VALUES', versions);
    await tx.insertMany('INSERT INTO blind_index (tenant_id, scope, digest, record_seq, field, version) VALUES', index, 'ON CONFLICT DO NOTHING');
  }

  /** Reserves `n` record sequence numbers, ascending (unique; consecutive only on SQLite). */
  async #allocate(tx: Db, n: number): Promise<number[]> {
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
   * Loads a record with one statement (one snapshot: the record key and the versions it sealed
   * always match, even while `keys rotate` re-encrypts) and decrypts what is needed.
   */
  async #load(db: Db, recordId: string, withHistory: boolean) {
    const rows = await db.all<VersionRow>(
      `SELECT r.seq, v.field, v.version, v.valid_from, v.recorded_at, v.recorded_by, v.key_gen, v.sealed,
              k.gen, k.dek_version, k.wrapped, r.record_type, r.org_id, r.created_at, r.created_by, r.erased_at
       FROM records r JOIN record_keys k ON k.record_seq = r.seq LEFT JOIN field_versions v ON v.record_seq = r.seq
       WHERE r.id = ? AND r.tenant_id = ? ORDER BY v.field, v.version`,
      [recordId, this.tenantId],
    );
    if (rows.length === 0) {
      const erased = await db.get('SELECT 1 AS x FROM records WHERE id = ? AND tenant_id = ? AND erased_at IS NOT NULL', [recordId, this.tenantId]);
      throw new TracevaultError(erased ? 'ERR_ERASED' : 'ERR_NOT_FOUND');
    }
    const first = rows[0]!;
    const type = recordType(first.record_type);
    const wrapped: WrappedRecordKey = { recordId, gen: Number(first.gen), dekVersion: Number(first.dek_version), wrapped: first.wrapped };
    // Another process may have rotated the data key since this one loaded its keys.
    if (!this.keys.hasVersion(wrapped.dekVersion)) await this.#reloadKeys?.();
    const key = this.keys.unwrapRecordKey(wrapped);
    const maxVersion = new Map<string, number>();
    const byField = new Map<string, VersionRow[]>();
    for (const r of rows) {
      if (r.field === null) continue;
      maxVersion.set(r.field, Number(r.version));
      let list = byField.get(r.field);
      if (!list) byField.set(r.field, (list = []));
      list.push(r);
    }
    const current = new Map<string, FieldVersion>();
    const history: FieldVersion[] = [];
    for (const [field, list] of byField) {
      const def = fieldDef(type, field);
      if (!def) continue;
      const open = (r: VersionRow, validTo: string | null): FieldVersion => ({
        field, version: Number(r.version), validFrom: r.valid_from, validTo, recordedAt: r.recorded_at, recordedBy: r.recorded_by,
        value: decodeValue(def.kind, openField(key, { recordType: type.name, recordId, field, version: Number(r.version), keyGen: Number(r.key_gen) }, r.sealed)),
      });
      if (withHistory) list.forEach((r, i) => history.push(open(r, list[i + 1]?.valid_from ?? null)));
      current.set(field, withHistory ? history[history.length - 1]! : open(list[list.length - 1]!, null));
    }
    key.fill(0);
    return {
      id: recordId, seq: Number(first.seq), recordType: type.name, orgId: first.org_id, createdAt: first.created_at, createdBy: first.created_by,
      key: wrapped, current, maxVersion, history: withHistory ? history : undefined,
    };
  }
}

export function recordType(name: string): RecordType {
  const t = RECORD_TYPES.get(name);
  if (!t) throw new TracevaultError('ERR_UNKNOWN_SCHEMA');
  return t;
}
