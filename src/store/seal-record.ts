/**
 * Sealing a record for storage, with no database: a fresh record key wrapped under the tenant's
 * data key, each change's field versions sealed in one message (crypto/field-cipher.ts), its
 * current versions sealed in one more (what a read opens), and the blind-index digests of its
 * searchable values. Pure CPU, so an import can run it on another thread
 * (ingest/import-worker.ts); the registry inserts the result.
 */
import { TracevaultError } from '../errors.ts';
import { openCurrent, sealChange, sealCurrent, type ChangePlace, type FieldEntry } from '../crypto/field-cipher.ts';
import type { TenantKeys, WrappedRecordKey } from '../crypto/keyring.ts';
import type { CipherSuite } from '../crypto/cipher-suite.ts';
import { base32 } from '../crypto/ids.ts';
import { encodeValue, KINDS, type FieldValue, type IndexScope } from '../schema/field-kind.ts';
import { fieldDef, type RecordType } from '../schema/record-type.ts';
import { normaliseMobile } from '../schema/mobile.ts';
import { blockKeys, recordMaterial } from '../schema/blocking.ts';
import type { FieldVersion } from './types.ts';

export interface SealedChange {
  readonly change: number;
  readonly validFrom: string;
  readonly recordedAt: string;
  readonly recordedBy: string;
  readonly keyGen: number;
  readonly sealed: Buffer;
  /** Field names only, for the audit event. */
  readonly fields: readonly string[];
}

/** A record ready to insert: everything but its sequence number. */
export interface PreparedRecord {
  readonly id: string;
  readonly orgId: string | null;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly key: WrappedRecordKey;
  readonly changes: readonly SealedChange[];
  /** The current versions, sealed (sealCurrent) as of the last change. */
  readonly current: Buffer;
  /** The distinct blind-index digests, packed (DIGEST_BYTES each). */
  readonly digests: Buffer;
}

/** The length of a blind-index digest (crypto/keyring.ts: HMAC-SHA-256 truncated to 128 bits). */
export const DIGEST_BYTES = 16;

/** The digests of a packed run (PreparedRecord.digests), as views. */
export function* eachDigest(packed: Buffer): Generator<Buffer> {
  for (let at = 0; at < packed.length; at += DIGEST_BYTES) yield packed.subarray(at, at + DIGEST_BYTES);
}

export interface ChangeInput {
  readonly values: ReadonlyMap<string, FieldValue>;
  readonly validFrom: string;
  readonly recordedAt: string;
  readonly recordedBy: string;
}

/** The normalised form a blind index hashes: phones as bare digits, ids upper case, names NFC. */
export function indexForm(scope: IndexScope, value: string): string {
  if (scope === 'phone') return normaliseMobile(value);
  if (scope === 'residentId' || scope === 'plate') return value.trim().toUpperCase();
  return value.normalize('NFC').trim();
}

/** The id an import gives to a row's content: a keyed hash, so the same content always gets the same id. */
export function contentId(keys: TenantKeys, type: RecordType, values: ReadonlyMap<string, FieldValue>): string {
  // Canonical form: the schema's fields in its order, each as NUL, name, NUL, value (JSON for lists).
  let canonical = type.name;
  for (const def of type.fields) {
    const v = values.get(def.name);
    if (v !== undefined) canonical += `\0${def.name}\0${typeof v === 'string' ? v : JSON.stringify(v)}`;
  }
  return `r_${base32(keys.keyedId(`record-id/${keys.tenantId}`, canonical).subarray(0, 16))}`;
}

/**
 * Seals one change: each field's next version (`versions` counts per field and is advanced), all
 * in one message; adds the blind-index digests of its searchable values to `digests`.
 */
export function sealOneChange(
  keys: TenantKeys,
  type: RecordType,
  recordId: string,
  recordKey: Buffer,
  keyGen: number,
  change: number,
  input: ChangeInput,
  versions: Map<string, number>,
  digests: Buffer[],
): SealedChange {
  const entries: FieldEntry[] = [];
  for (const [field, value] of input.values) {
    const def = fieldDef(type, field);
    if (!def) throw new TracevaultError('ERR_UNKNOWN_FIELD', { field: field.slice(0, 64) });
    const version = (versions.get(field) ?? 0) + 1;
    versions.set(field, version);
    entries.push({ field, version, value: encodeValue(def.kind, value) });
    const scope = KINDS[def.kind].index;
    if (scope && typeof value === 'string') digests.push(keys.blindIndex(scope, indexForm(scope, value)));
  }
  const sealed = sealChange(keys.suite, recordKey, { recordType: type.name, recordId, change, keyGen }, entries);
  return {
    change,
    validFrom: input.validFrom,
    recordedAt: input.recordedAt,
    recordedBy: input.recordedBy,
    keyGen,
    sealed,
    fields: [...input.values.keys()],
  };
}

/** Adds the blind-index digests of the linkage blocking keys of a record state (schema/blocking.ts). */
export function addBlockDigests(keys: TenantKeys, state: ReadonlyMap<string, unknown>, digests: Buffer[]): void {
  for (const k of blockKeys(recordMaterial(state))) digests.push(keys.blockIndex(k));
}

/**
 * The distinct digests, copied into one buffer: each HMAC's 32-byte result would otherwise stay
 * allocated under its 16-byte view until the batch is written (an import holds thousands), and the
 * registry stores an import's staged digests as this one value.
 */
function packUnique(digests: readonly Buffer[]): Buffer {
  const seen = new Set<string>();
  const packed = Buffer.allocUnsafeSlow(digests.length * DIGEST_BYTES);
  let at = 0;
  for (const d of digests) {
    const id = d.toString('latin1');
    if (seen.has(id)) continue;
    seen.add(id);
    at += d.copy(packed, at);
  }
  return packed.subarray(0, at);
}

/**
 * The current versions of a record's fields, sealed as of change `place.change`. Plaintext: JSON
 * { s: [[validFrom, recordedAt, recordedBy], …], f: [[field, version, stamp, value], …] }, each
 * field's stamp an index into `s` (the fields of one change share one; validTo is null for a
 * current version). The first form, still read, was one [field, version, validFrom, recordedAt,
 * recordedBy, value] per field: twice the bytes to decrypt and parse.
 */
export function sealCurrentVersions(
  suite: CipherSuite,
  recordKey: Uint8Array,
  place: ChangePlace,
  current: Iterable<FieldVersion>,
): Buffer {
  const stamps: [string, string, string][] = [];
  const f: [string, number, number, FieldValue][] = [];
  for (const v of current) {
    // A record has a few distinct stamps (its changes): a scan finds one.
    let i = stamps.findIndex(([from, at, by]) => from === v.validFrom && at === v.recordedAt && by === v.recordedBy);
    if (i < 0) i = stamps.push([v.validFrom, v.recordedAt, v.recordedBy]) - 1;
    f.push([v.field, v.version, i, v.value]);
  }
  return sealCurrent(suite, recordKey, place, Buffer.from(JSON.stringify({ s: stamps, f }), 'utf8'));
}

type CurrentPlain =
  | { s: [string, string, string][]; f: [string, number, number, FieldValue][] }
  | [string, number, string, string, string, FieldValue][];

export function openCurrentVersions(
  suite: CipherSuite,
  recordKey: Uint8Array,
  place: ChangePlace,
  sealed: Uint8Array,
): Map<string, FieldVersion> {
  const plain = openCurrent(suite, recordKey, place, sealed);
  try {
    const p = JSON.parse(plain.toString('utf8')) as CurrentPlain;
    const out = new Map<string, FieldVersion>();
    if (Array.isArray(p)) {
      for (const [field, version, validFrom, recordedAt, recordedBy, value] of p)
        out.set(field, { field, version, validFrom, validTo: null, recordedAt, recordedBy, value });
    } else {
      for (const [field, version, i, value] of p.f) {
        const [validFrom, recordedAt, recordedBy] = p.s[i]!;
        out.set(field, { field, version, validFrom, validTo: null, recordedAt, recordedBy, value });
      }
    }
    return out;
  } finally {
    plain.fill(0);
  }
}

/** The current versions after a change whose fields got the versions in `versions` (sealOneChange). */
export function applyChange(
  current: Map<string, FieldVersion>,
  change: ChangeInput,
  versions: ReadonlyMap<string, number>,
): void {
  for (const [field, value] of change.values) {
    current.set(field, {
      field,
      version: versions.get(field)!,
      validFrom: change.validFrom,
      validTo: null,
      recordedAt: change.recordedAt,
      recordedBy: change.recordedBy,
      value,
    });
  }
}

/** A new record: a fresh key, then its changes in order (the first one holds the first values). */
export function prepareRecord(
  keys: TenantKeys,
  type: RecordType,
  id: string,
  orgId: string | null,
  changes: readonly ChangeInput[],
): PreparedRecord {
  const { key, wrapped } = keys.newRecordKey(id);
  const versions = new Map<string, number>();
  const digests: Buffer[] = [];
  try {
    const state = new Map<string, FieldValue>();
    const current = new Map<string, FieldVersion>();
    const sealed = changes.map((c, i) => {
      const s = sealOneChange(keys, type, id, key, wrapped.gen, i + 1, c, versions, digests);
      for (const [f, v] of c.values) state.set(f, v);
      applyChange(current, c, versions);
      addBlockDigests(keys, state, digests);
      return s;
    });
    const place = { recordType: type.name, recordId: id, change: changes.length, keyGen: wrapped.gen };
    return {
      id,
      orgId,
      createdAt: changes[0]!.recordedAt,
      createdBy: changes[0]!.recordedBy,
      key: wrapped,
      changes: sealed,
      current: sealCurrentVersions(keys.suite, key, place, current.values()),
      digests: packUnique(digests),
    };
  } finally {
    key.fill(0);
  }
}
