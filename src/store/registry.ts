/**
 * The registry: records of a schema, each field kept as sealed versions with a validity interval
 * [validFrom, validTo) — validTo is the next version's validFrom — and when and by whom each was
 * recorded. Nothing is overwritten: a change is a new version. The versions recorded together are
 * one row of record_changes (each still sealed on its own, see crypto/field-cipher.ts). Equality
 * search goes through blind indexes; erasure deletes the record's key.
 */
import { TracevaultError } from '../errors.ts';
import {
  addBlockDigests,
  applyChange,
  contentId,
  DIGEST_BYTES,
  eachDigest,
  indexForm,
  openCurrentVersions,
  prepareRecord,
  sealCurrentVersions,
  sealOneChange,
  type PreparedRecord,
} from './seal-record.ts';
import { fieldMask } from './field-mask.ts';
import type { TenantKeys } from '../crypto/keyring.ts';
import { base32, newId } from '../crypto/ids.ts';
import { KINDS, type FieldValue, type IndexScope } from '../schema/field-kind.ts';
import { fieldDef, recordType, type RecordType } from '../schema/record-type.ts';
import {
  openHistory,
  wrappedKeyOf,
  type ChangeRow,
  type KeyRow,
  type RecordSnapshot,
  type SealedRow,
} from './open-record.ts';
import type { AuditEvent, AuditSink } from './audit.ts';
import type { Db, Param } from './db.ts';
import type { FieldVersion } from './types.ts';
import { indexStagedSql, reserveRecordSeqs } from './dialect/sql.ts';

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

/** Rows to insert, gathered for a whole batch. */
interface Pending {
  readonly changes: Param[][];
  readonly index: Param[][];
}

export class Registry {
  readonly db: Db;
  readonly keys: TenantKeys;
  readonly tenantId: string;
  readonly #audit: AuditSink;
  readonly #now: () => Date;
  readonly #reloadKeys?: () => Promise<void>;
  readonly #refs = new Map<string, string>();

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
    const at = this.#now().toISOString();
    let n = 0,
      after = 0;
    for (;;) {
      const page = await tx.all<{ seq: number; id: string }>(
        'SELECT seq, id FROM records WHERE staged_by = ? AND seq > ? ORDER BY seq LIMIT 10000',
        [stagedBy, after],
      );
      if (page.length === 0) break;
      await this.#audit.append(
        tx,
        this.tenantId,
        at,
        page.map((r) => ({
          action: 'collect',
          principalId: actor.id,
          recordRef: this.recordRef(r.id),
          outcome: 'ok',
          detail: { import: stagedBy },
        })),
      );
      const last = Number(page[page.length - 1]!.seq);
      await this.#indexStaged(tx, stagedBy, after, last);
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
  async #indexStaged(tx: Db, stagedBy: string, after: number, last: number): Promise<void> {
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
  async discardStaged(stagedBy: string): Promise<void> {
    await this.db.transaction(async (tx) => {
      const sub = 'SELECT seq FROM records WHERE staged_by = ?';
      await tx.run(`DELETE FROM blind_index WHERE record_seq IN (${sub})`, [stagedBy]);
      await tx.run(`DELETE FROM staged_digests WHERE record_seq IN (${sub})`, [stagedBy]);
      await tx.run(`DELETE FROM record_changes WHERE record_seq IN (${sub})`, [stagedBy]);
      await tx.run(`DELETE FROM record_current WHERE record_seq IN (${sub})`, [stagedBy]);
      await tx.run(`DELETE FROM record_keys WHERE record_seq IN (${sub})`, [stagedBy]);
      await tx.run('DELETE FROM records WHERE staged_by = ?', [stagedBy]);
    });
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
        this.tenantId,
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
        const ref = this.recordRef(item.id);
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
    await this.#insert(tx, { changes, index });
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
  async update(
    actor: Actor,
    recordId: string,
    values: ReadonlyMap<string, FieldValue>,
    opts: { validFrom?: string; recordedAt?: string } = {},
    db: Db = this.db,
  ): Promise<string[]> {
    return this.audited(async (tx, events) => {
      const rec = await this.#load(tx, recordId, false);
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
        key,
        { recordType: type.name, recordId, change: c.change, keyGen: c.keyGen },
        current.values(),
      );
      key.fill(0);
      addBlockDigests(this.keys, new Map([...current].map(([f, v]) => [f, v.value] as const)), digests);
      await this.#insert(tx, {
        changes: [
          [rec.seq, c.change, c.validFrom, c.recordedAt, c.recordedBy, c.keyGen, c.sealed, fieldMask(c.fields)],
        ],
        index: digests.map((d) => [d, rec.seq]),
      });
      await tx.run(
        'INSERT INTO record_current (record_seq, change, key_gen, sealed) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT (record_seq) DO UPDATE ' +
          'SET change = excluded.change, key_gen = excluded.key_gen, sealed = excluded.sealed',
        [rec.seq, c.change, c.keyGen, sealedCurrent],
      );
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
    const rec = await this.#load(opts.db ?? this.db, recordId, opts.history ?? false);
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
    return (await this.#candidates(scope, indexForm(scope, value))).slice(0, opts.limit ?? 100);
  }

  /** The records (decrypted, current values) with a field of this scope whose current value is exactly this one. */
  async searchRecords(scope: IndexScope, value: string, limit = 100): Promise<StoredRecord[]> {
    const wanted = indexForm(scope, value);
    const out: StoredRecord[] = [];
    for (const id of await this.#candidates(scope, wanted)) {
      if (out.length >= limit) break;
      // The index covers every version; keep the records where the value is still current.
      const rec = await this.get(id);
      const type = recordType(rec.recordType);
      const hit = [...rec.current.values()].some(
        (v) =>
          KINDS[fieldDef(type, v.field)!.kind].index === scope &&
          typeof v.value === 'string' &&
          indexForm(scope, v.value) === wanted,
      );
      if (hit) out.push(rec);
    }
    return out;
  }

  /** Record ids whose blind index holds this normalised value (in any version). */
  async #candidates(scope: IndexScope, wanted: string): Promise<string[]> {
    const rows = await this.db.all<{ id: string }>(
      `SELECT r.id FROM blind_index b JOIN records r ON r.seq = b.record_seq
       WHERE b.digest = ? AND r.tenant_id = ? AND r.erased_at IS NULL AND r.staged_by IS NULL
       ORDER BY r.seq LIMIT 1000`,
      [this.keys.blindIndex(scope, wanted), this.tenantId],
    );
    return rows.map((r) => r.id);
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

  async #insert(tx: Db, p: Pending): Promise<void> {
    await tx.insertMany(
      'INSERT INTO record_changes ' +
        '(record_seq, change, valid_from, recorded_at, recorded_by, key_gen, sealed, fields) VALUES',
      p.changes,
    );
    await tx.insertMany('INSERT INTO blind_index (digest, record_seq) VALUES', p.index, 'ON CONFLICT DO NOTHING');
  }

  /**
   * Loads a record with one statement (one snapshot: the record key and the versions it sealed
   * always match, even while `keys rotate` re-encrypts) and decrypts what is needed.
   */
  async #load(db: Db, recordId: string, withHistory: boolean) {
    if (!withHistory) {
      // The current versions in one message, when the record has them under its current key.
      const row = await db.get<ChangeRow>(
        `${SELECT_CURRENT} WHERE r.id = ? AND r.tenant_id = ? AND r.staged_by IS NULL`,
        [recordId, this.tenantId],
      );
      if (row && Number(row.key_gen) === Number(row.gen)) return this.#decodeCurrent(recordId, row);
    }
    const rows = await db.all<ChangeRow>(
      `${SELECT_CHANGES} WHERE r.id = ? AND r.tenant_id = ? AND r.staged_by IS NULL ORDER BY c.change`,
      [recordId, this.tenantId],
    );
    if (rows.length === 0) {
      const erased = await db.get(
        'SELECT 1 AS x FROM records WHERE id = ? AND tenant_id = ? AND erased_at IS NOT NULL',
        [recordId, this.tenantId],
      );
      throw new TracevaultError(erased ? 'ERR_ERASED' : 'ERR_NOT_FOUND');
    }
    return this.#decode(recordId, rows[0]!, rows, withHistory);
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
    const rec = await this.#decode(head.id, head, rows, true, fields);
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

  /**
   * The sealed rows `histories` opens (open-record.ts): each record's key row and change rows, read as one
   * snapshot.
   */
  async snapshots(seqs: readonly number[], db: Db = this.db, fields?: ReadonlySet<string>): Promise<RecordSnapshot[]> {
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
        .filter((h) => h.tenant_id === this.tenantId)
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

  /** Decrypts a record's sealed current versions (a row of SELECT_CURRENT). */
  async #decodeCurrent(recordId: string, row: ChangeRow) {
    const type = recordType(row.record_type);
    const wrapped = wrappedKeyOf(recordId, row);
    if (!this.keys.hasVersion(wrapped.dekVersion)) await this.#reloadKeys?.();
    const key = this.keys.unwrapRecordKey(wrapped);
    const lastChange = Number(row.change);
    let current: Map<string, FieldVersion>;
    try {
      current = openCurrentVersions(
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

  /** Decrypts one record's change rows (all of one snapshot). */
  async #decode(
    recordId: string,
    first: KeyRow,
    rows: readonly SealedRow[],
    withHistory: boolean,
    only?: ReadonlySet<string>,
  ) {
    // Another process may have rotated the data key since this one loaded its keys.
    if (!this.keys.hasVersion(Number(first.dek_version))) await this.#reloadKeys?.();
    return openHistory(this.keys, recordId, first, rows, withHistory, only);
  }
}
