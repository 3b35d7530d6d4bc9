/**
 * The registry: records of a schema, each field kept as sealed versions with a validity interval
 * [validFrom, validTo) — validTo is the next version's validFrom — and when and by whom each was
 * recorded. Nothing is overwritten: a change is a new version. The versions recorded together are
 * one row of record_changes (each still sealed on its own, see crypto/field-cipher.ts). Equality
 * search goes through blind indexes; erasure deletes the record's key.
 *
 * This file holds the Registry class (collect, update, get, search, erase) and the shapes its callers
 * use; it delegates to the store's modules of one concept each: read-record.ts (loading a record,
 * reading and opening histories as snapshots), insert-records.ts (writing sealed records and their
 * changes), blind-search.ts (the blind-index lookup) and staged-import.ts (an import's staged records).
 */
import { TracevaultError } from '../errors.ts';
import {
  addBlockDigests,
  applyChange,
  contentId,
  indexForm,
  prepareRecord,
  sealCurrentVersions,
  sealOneChange,
  type PreparedRecord,
} from './seal-record.ts';
import type { TenantKeys } from '../crypto/keyring.ts';
import { base32, newId } from '../crypto/ids.ts';
import type { FieldValue, IndexScope } from '../schema/field-kind.ts';
import { fieldDef, recordType, type RecordType } from '../schema/record-type.ts';
import type { RecordSnapshot } from './open-record.ts';
import type { AuditEvent, AuditSink } from './audit.ts';
import type { Db } from './db.ts';
import type { FieldVersion } from './types.ts';
import { loadRecord, openSnapshotRows, readSnapshots, type RecordReader } from './read-record.ts';
import { insertChange, insertRecords } from './insert-records.ts';
import { blindCandidates, holdsCurrent } from './blind-search.ts';
import { discardStaged, publishStaged } from './staged-import.ts';

/** Who is acting. Every write names one; every version records it. */
export interface Actor {
  readonly id: string;
  readonly orgId?: string | null;
  /**
   * What the ledger entries of this actor's operations also say (organisation, roles, request id, purpose,
   * decision).
   */
  readonly entry?: Readonly<Partial<AuditEvent>>;
}

export interface NewRecord {
  readonly id: string;
  readonly values: ReadonlyMap<string, FieldValue>;
  /** When the values became true in the world (default: now). */
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

export interface StoredRecord {
  readonly id: string;
  /** The record's row number: stable, never reused (disclosures name it). */
  readonly seq: number;
  readonly recordType: string;
  readonly orgId: string | null;
  readonly createdAt: string;
  readonly createdBy: string;
  /** The current version of each field that has a value. */
  readonly current: ReadonlyMap<string, FieldVersion>;
  /** Every version, by field then version, when asked for. */
  readonly history?: readonly FieldVersion[];
}

export interface RegistryOptions {
  readonly tenantId: string;
  readonly audit: AuditSink;
  readonly now?: () => Date;
  /** Called when a record is sealed under a data-key version this process has not loaded yet. */
  readonly reloadKeys?: () => Promise<void>;
}

export class Registry {
  readonly db: Db;
  readonly keys: TenantKeys;
  readonly tenantId: string;
  readonly #audit: AuditSink;
  readonly #now: () => Date;
  readonly #reader: RecordReader;
  readonly #refs = new Map<string, string>();

  constructor(db: Db, keys: TenantKeys, opts: RegistryOptions) {
    this.db = db;
    this.keys = keys;
    this.tenantId = opts.tenantId;
    this.#audit = opts.audit;
    this.#now = opts.now ?? (() => new Date());
    this.#reader = { keys, tenantId: opts.tenantId, reloadKeys: opts.reloadKeys };
  }

  now(): Date {
    return this.#now();
  }

  /** A keyed reference to a record for the ledger: HMAC, so the ledger names no one. */
  recordRef(recordId: string): string {
    let ref = this.#refs.get(recordId);
    if (ref === undefined) {
      ref = base32(this.keys.keyedId('record-ref', recordId).subarray(0, 16));
      // A bounded memo (a reference is a keyed hash of an id: no personal value is kept here).
      if (this.#refs.size >= 100_000) this.#refs.clear();
      this.#refs.set(recordId, ref);
    }
    return ref;
  }

  /** The id an import gives to a row's content: the same content always gets the same id. */
  contentId(type: RecordType, values: ReadonlyMap<string, FieldValue>): string {
    return contentId(this.keys, type, values);
  }

  /**
   * Publishes an import's staged records: from now on they are read like any other. Each one's
   * collect event is appended, a page at a time (memory stays bounded), all in the caller's
   * transaction. Returns how many were published.
   */
  async publishStaged(tx: Db, actor: Actor, stagedBy: string): Promise<number> {
    const publisher = { tenantId: this.tenantId, audit: this.#audit, recordRef: (id: string) => this.recordRef(id) };
    return publishStaged(tx, publisher, actor.id, stagedBy, this.#now().toISOString());
  }

  /** Deletes an import's staged records (never visible, never collected): a refused import leaves nothing. */
  async discardStaged(stagedBy: string): Promise<void> {
    await discardStaged(this.db, stagedBy);
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
  async collectInto(
    tx: Db,
    events: AuditEvent[],
    actor: Actor,
    type: RecordType,
    items: readonly NewRecord[],
    opts: { stagedBy?: string } = {},
  ): Promise<{ created: string[]; duplicates: number }> {
    const now = this.#now().toISOString();
    const prepared = items.map((item) =>
      prepareRecord(this.keys, type, item.id, item.orgId ?? actor.orgId ?? null, [
        {
          values: item.values,
          validFrom: item.validFrom ?? now,
          recordedAt: item.recordedAt ?? now,
          recordedBy: actor.id,
        },
        ...(item.later ?? []).map((c) => ({
          values: c.values,
          validFrom: c.validFrom,
          recordedAt: c.recordedAt ?? c.validFrom,
          recordedBy: c.by ?? actor.id,
        })),
      ]),
    );
    return this.insertPrepared(tx, events, type, prepared, { ...opts, entry: actor.entry });
  }

  /**
   * Inserts sealed records (see seal-record.ts) in the caller's transaction; an id already present
   * is a duplicate and is skipped. Staged records (`stagedBy`) stay invisible, and get their audit
   * events, until publishStaged.
   */
  async insertPrepared(
    tx: Db,
    events: AuditEvent[],
    type: RecordType,
    items: readonly PreparedRecord[],
    opts: { stagedBy?: string; entry?: Readonly<Partial<AuditEvent>> } = {},
  ): Promise<{ created: string[]; duplicates: number }> {
    return insertRecords(tx, this.tenantId, (id) => this.recordRef(id), events, type, items, opts);
  }

  async collect(actor: Actor, type: RecordType, item: NewRecord): Promise<{ id: string; created: boolean }> {
    const r = await this.audited((tx, events) => this.collectInto(tx, events, actor, type, [item]));
    return { id: item.id, created: r.created.length === 1 };
  }

  /**
   * Records new versions of some fields of a record. A value equal to the current one is not a
   * change and makes no version. Returns the fields that changed.
   */
  async update(
    actor: Actor,
    recordId: string,
    values: ReadonlyMap<string, FieldValue>,
    opts: { validFrom?: string; recordedAt?: string } = {},
    db: Db = this.db,
  ): Promise<string[]> {
    return this.audited(async (tx, events) => {
      const rec = await loadRecord(this.#reader, tx, recordId, false);
      const type = recordType(rec.recordType);
      const changed = new Map<string, FieldValue>();
      for (const [field, value] of values) {
        if (!fieldDef(type, field)) throw new TracevaultError('ERR_UNKNOWN_FIELD', { field: field.slice(0, 64) });
        const cur = rec.current.get(field);
        if (!cur || JSON.stringify(cur.value) !== JSON.stringify(value)) changed.set(field, value);
      }
      if (changed.size === 0) return [];
      const now = this.#now().toISOString();
      const key = this.keys.unwrapRecordKey(rec.key);
      const digests: Buffer[] = [];
      // Read from its current versions only, a record's versions are those of its current values.
      const versions = rec.versions ?? new Map([...rec.current].map(([f, v]) => [f, v.version]));
      const c = sealOneChange(
        this.keys,
        type,
        recordId,
        key,
        rec.key.gen,
        rec.lastChange + 1,
        {
          values: changed,
          validFrom: opts.validFrom ?? now,
          recordedAt: opts.recordedAt ?? now,
          recordedBy: actor.id,
        },
        versions,
        digests,
      );
      const current = new Map(rec.current);
      applyChange(current, { ...c, values: changed }, versions);
      const sealedCurrent = sealCurrentVersions(
        this.keys.suite,
        key,
        { recordType: type.name, recordId, change: c.change, keyGen: c.keyGen },
        current.values(),
      );
      key.fill(0);
      addBlockDigests(this.keys, new Map([...current].map(([f, v]) => [f, v.value] as const)), digests);
      await insertChange(tx, rec.seq, c, digests, sealedCurrent);
      events.push({
        ...actor.entry,
        action: 'update',
        principalId: actor.id,
        recordRef: this.recordRef(recordId),
        fields: [...changed.keys()],
        outcome: 'ok',
      });
      return [...changed.keys()];
    }, db);
  }

  /** Reads a record's current values (and its whole history with `history`), decrypted. */
  async get(recordId: string, opts: { history?: boolean; db?: Db } = {}): Promise<StoredRecord> {
    const rec = await loadRecord(this.#reader, opts.db ?? this.db, recordId, opts.history ?? false);
    return stored(rec);
  }

  /**
   * Record ids with a field of this scope whose current value (or any value, with `anyVersion`) is exactly this
   * one.
   */
  async search(
    scope: IndexScope,
    value: string,
    opts: { anyVersion?: boolean; limit?: number } = {},
  ): Promise<string[]> {
    if (!opts.anyVersion) return (await this.searchRecords(scope, value, opts.limit)).map((r) => r.id);
    const ids = await blindCandidates(this.db, this.keys, this.tenantId, scope, indexForm(scope, value));
    return ids.slice(0, opts.limit ?? 100);
  }

  /** The records (decrypted, current values) with a field of this scope whose current value is exactly this one. */
  async searchRecords(scope: IndexScope, value: string, limit = 100): Promise<StoredRecord[]> {
    const wanted = indexForm(scope, value);
    const out: StoredRecord[] = [];
    for (const id of await blindCandidates(this.db, this.keys, this.tenantId, scope, wanted)) {
      if (out.length >= limit) break;
      // The index covers every version; keep the records where the value is still current.
      const rec = await this.get(id);
      if (holdsCurrent(rec.recordType, rec.current, scope, wanted)) out.push(rec);
    }
    return out;
  }

  /** Crypto-shredding: the record key and blind index entries are deleted; the sealed versions stay unreadable. */
  async erase(actor: Actor, recordId: string): Promise<void> {
    await this.audited(async (tx, events) => {
      const row = await tx.get<{ seq: number; erased_at: string | null }>(
        'SELECT seq, erased_at FROM records WHERE id = ? AND tenant_id = ? AND staged_by IS NULL',
        [recordId, this.tenantId],
      );
      if (!row) throw new TracevaultError('ERR_NOT_FOUND');
      if (row.erased_at) throw new TracevaultError('ERR_ERASED');
      await tx.run('DELETE FROM record_keys WHERE record_seq = ?', [row.seq]);
      await tx.run('DELETE FROM record_current WHERE record_seq = ?', [row.seq]);
      await tx.run('DELETE FROM blind_index WHERE record_seq = ?', [row.seq]);
      await tx.run('UPDATE records SET erased_at = ?, erased_by = ? WHERE seq = ?', [
        this.#now().toISOString(),
        actor.id,
        row.seq,
      ]);
      events.push({
        ...actor.entry,
        action: 'erase',
        principalId: actor.id,
        recordRef: this.recordRef(recordId),
        outcome: 'ok',
      });
    });
    this.keys.forgetRecordKey(recordId);
  }

  /**
   * Records by sequence number with their whole history, a page of statements at a time (linkage
   * reads thousands). Erased and staged records are left out. With `fields`, only the changes that
   * hold one of those fields (and the first, which dates the record) are read and decrypted, and
   * the other fields are left out of the history: a linkage that compares six columns need not
   * open a record's every vaccination.
   */
  async histories(seqs: readonly number[], db: Db = this.db, fields?: ReadonlySet<string>): Promise<StoredRecord[]> {
    const out: StoredRecord[] = [];
    for (const snap of await this.snapshots(seqs, db, fields)) out.push(await this.openSnapshot(snap, fields));
    return out;
  }

  /** A record with its history from a snapshot `snapshots` read (with the same `fields`). */
  async openSnapshot([head, rows]: RecordSnapshot, fields?: ReadonlySet<string>): Promise<StoredRecord> {
    const rec = await openSnapshotRows(this.#reader, head.id, head, rows, true, fields);
    return stored(rec);
  }

  /**
   * The sealed rows `histories` opens (open-record.ts): each record's key row and change rows, read as one
   * snapshot.
   */
  async snapshots(seqs: readonly number[], db: Db = this.db, fields?: ReadonlySet<string>): Promise<RecordSnapshot[]> {
    return readSnapshots(this.#reader, seqs, db, fields);
  }
}

/** What a read returns of a loaded record (its key and version numbers stay inside the registry). */
function stored(rec: StoredRecord): StoredRecord {
  return {
    id: rec.id,
    seq: rec.seq,
    recordType: rec.recordType,
    orgId: rec.orgId,
    createdAt: rec.createdAt,
    createdBy: rec.createdBy,
    current: rec.current,
    history: rec.history,
  };
}
