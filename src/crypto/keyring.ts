/**
 * Envelope keys. KEK (outside the database) wraps per-tenant data keys; a tenant's data key wraps
 * the per-record keys; a record key seals that record's field versions. Erasing a record is deleting
 * its wrapped key. A tenant also has an index key (HMAC, never rotated by `keys rotate`: the blind
 * indexes would have to be rebuilt) from which record ids of imports and blind indexes derive.
 *
 * Every key is wrapped, and every MAC taken, with the vault's cipher suite (the KEK's: `kek.suite`,
 * crypto/cipher-suite.ts): AES-256-GCM and HMAC-SHA-256, or SM4-CTR+HMAC-SM3 and HMAC-SM3.
 *
 * Pure: no storage. The store persists the wrapped forms this module produces.
 */
import { randomBytes } from 'node:crypto';
import type { Hmac } from './hmac.ts';
import { randomBytesPooled } from './random-pool.ts';
import { TracevaultError } from '../errors.ts';
import { aad, KEY_BYTES } from './aead.ts';
import { cipherSuite, type CipherSuite, type CipherSuiteName } from './cipher-suite.ts';
import type { Kek } from './key-file.ts';
import type { IndexScope } from '../schema/field-kind.ts';

export type DataKeyPurpose = 'data' | 'index';

export interface WrappedDataKey {
  readonly tenantId: string;
  readonly purpose: DataKeyPurpose;
  readonly version: number;
  readonly kekId: string;
  readonly wrapped: Buffer;
}

export interface WrappedRecordKey {
  readonly recordId: string;
  readonly gen: number;
  readonly dekVersion: number;
  readonly wrapped: Buffer;
}

function dataKeyAad(k: Omit<WrappedDataKey, 'wrapped'>): Buffer {
  return aad('tracevault/data-key/v1', k.tenantId, k.purpose, k.version, k.kekId);
}

function recordKeyAad(recordId: string, gen: number, dekVersion: number): Buffer {
  return aad('tracevault/record-key/v1', recordId, gen, dekVersion);
}

export function newDataKey(kek: Kek, tenantId: string, purpose: DataKeyPurpose, version: number): WrappedDataKey {
  const meta = { tenantId, purpose, version, kekId: kek.id };
  return { ...meta, wrapped: cipherSuite(kek.suite).seal(kek.key, randomBytes(KEY_BYTES), dataKeyAad(meta)) };
}

/** What a worker thread receives to hold a tenant's keys (the KEK and the wrapped data keys). */
/** The same data key wrapped under another KEK (`keys rotate-kek`): ERR_KEY_MISMATCH unless `from` wrapped it. */
export function rewrapDataKey(from: Kek, to: Kek, w: WrappedDataKey): WrappedDataKey {
  if (w.kekId !== from.id || from.suite !== to.suite) throw new TracevaultError('ERR_KEY_MISMATCH');
  const suite = cipherSuite(from.suite);
  const key = suite.open(from.key, w.wrapped, dataKeyAad(w));
  const meta = { tenantId: w.tenantId, purpose: w.purpose, version: w.version, kekId: to.id };
  try {
    return { ...meta, wrapped: suite.seal(to.key, key, dataKeyAad(meta)) };
  } finally {
    key.fill(0);
  }
}

export interface TransferredKeys {
  readonly kek: { readonly key: Uint8Array; readonly id: string; readonly suite: CipherSuiteName };
  readonly tenantId: string;
  readonly wrapped: readonly WrappedDataKey[];
}

/**
 * A worker's TenantKeys from the copies it received (workerData is a copy). The KEK is needed only
 * to open the data keys: both of its copies in the worker, the one received and the one made here,
 * are zeroed after — so never pass the vault's own KEK.
 */
export function tenantKeysOf(t: TransferredKeys): TenantKeys {
  const kek = { key: Buffer.from(t.kek.key), id: t.kek.id, suite: t.kek.suite };
  try {
    return new TenantKeys(
      kek,
      t.tenantId,
      t.wrapped.map((w) => ({ ...w, wrapped: Buffer.from(w.wrapped) })),
    );
  } finally {
    kek.key.fill(0);
    t.kek.key.fill(0);
  }
}

/** Record keys kept unwrapped (TenantKeys.unwrapRecordKey): 32 bytes each. */
const RECORD_KEY_CACHE = 4096;

/** The unwrapped keys of one tenant, held in memory while the vault is open. */
export class TenantKeys {
  readonly tenantId: string;
  /** The vault's cipher suite: record keys and field versions are sealed with it. */
  readonly suite: CipherSuite;
  readonly #data = new Map<number, Buffer>();
  #current = 0;
  readonly #index: Hmac;
  /**
   * Record keys recently unwrapped, by everything their unwrapping authenticates (record, key
   * generation, data key version and the wrapped bytes): a data-key cache as in envelope encryption
   * (the AWS Encryption SDK's caching materials manager), so a record read again costs one
   * opening, not two. Bounded; an evicted or dropped key is zeroed. The record's values are still
   * decrypted and authenticated on every read.
   */
  readonly #recordKeys = new Map<string, Buffer>();

  constructor(kek: Kek, tenantId: string, wrapped: readonly WrappedDataKey[]) {
    this.tenantId = tenantId;
    this.suite = cipherSuite(kek.suite);
    let index: Buffer | undefined;
    for (const w of wrapped) {
      if (w.tenantId !== tenantId) continue;
      if (w.kekId !== kek.id) throw new TracevaultError('ERR_KEY_MISMATCH');
      const key = this.suite.open(kek.key, w.wrapped, dataKeyAad(w));
      if (w.purpose === 'index') index = key;
      else {
        this.#data.set(w.version, key);
        this.#current = Math.max(this.#current, w.version);
      }
    }
    if (!index || this.#current === 0) throw new TracevaultError('ERR_KEY_MISMATCH');
    this.#index = this.suite.mac(index);
    index.fill(0);
  }

  get currentVersion(): number {
    return this.#current;
  }

  hasVersion(version: number): boolean {
    return this.#data.has(version);
  }

  addDataKey(kek: Kek, w: WrappedDataKey): void {
    if (kek.suite !== this.suite.name) throw new TracevaultError('ERR_CIPHER_SUITE');
    this.#data.set(w.version, this.suite.open(kek.key, w.wrapped, dataKeyAad(w)));
    this.#current = Math.max(this.#current, w.version);
  }

  dropDataKey(version: number): void {
    this.#data.get(version)?.fill(0);
    this.#data.delete(version);
    for (const k of this.#recordKeys.values()) k.fill(0);
    this.#recordKeys.clear();
  }

  /** A fresh record key, and its wrapped form under the current data key. */
  newRecordKey(recordId: string, gen = 1): { key: Buffer; wrapped: WrappedRecordKey } {
    const key = Buffer.from(randomBytesPooled(KEY_BYTES));
    const v = this.#current;
    return {
      key,
      wrapped: {
        recordId,
        gen,
        dekVersion: v,
        wrapped: this.suite.seal(this.#dek(v), key, recordKeyAad(recordId, gen, v)),
      },
    };
  }

  /** The record key (a copy the caller may zero). */
  unwrapRecordKey(w: WrappedRecordKey): Buffer {
    const id = `${w.recordId}\0${w.gen}\0${w.dekVersion}\0${w.wrapped.toString('latin1')}`;
    let key = this.#recordKeys.get(id);
    if (key) {
      // Most recently used last: the first entry is the one evicted.
      this.#recordKeys.delete(id);
    } else {
      key = this.suite.open(this.#dek(w.dekVersion), w.wrapped, recordKeyAad(w.recordId, w.gen, w.dekVersion));
      if (this.#recordKeys.size >= RECORD_KEY_CACHE) {
        const [oldest, k] = this.#recordKeys.entries().next().value as [string, Buffer];
        k.fill(0);
        this.#recordKeys.delete(oldest);
      }
    }
    this.#recordKeys.set(id, key);
    return Buffer.from(key);
  }

  /** Zeroes and drops a record's cached keys (its erasure). */
  forgetRecordKey(recordId: string): void {
    for (const [id, k] of this.#recordKeys) {
      if (!id.startsWith(`${recordId}\0`)) continue;
      k.fill(0);
      this.#recordKeys.delete(id);
    }
  }

  /** The same record key wrapped under the current data key. */
  rewrapRecordKey(w: WrappedRecordKey): WrappedRecordKey {
    const key = this.unwrapRecordKey(w);
    const v = this.#current;
    return {
      recordId: w.recordId,
      gen: w.gen,
      dekVersion: v,
      wrapped: this.suite.seal(this.#dek(v), key, recordKeyAad(w.recordId, w.gen, v)),
    };
  }

  /** Blind index (the suite's keyed HMAC, SHA-256 or SM3, truncated to 128 bits) over a normalised value. */
  blindIndex(scope: IndexScope, normalised: string): Buffer {
    return this.#index.digest(`blind/${scope}\0`, normalised).subarray(0, 16);
  }

  /** Blind index of a linkage blocking key (schema/blocking.ts): same table, its own label. */
  blockIndex(key: string): Buffer {
    return this.#index.digest('blind/block\0', key).subarray(0, 16);
  }

  /** A keyed, deterministic id for content (import idempotence): HMAC over a label and the parts. */
  keyedId(label: string, content: string): Buffer {
    return this.#index.digest(`${label}\0`, content);
  }

  #dek(version: number): Buffer {
    const k = this.#data.get(version);
    if (!k) throw new TracevaultError('ERR_KEY_MISMATCH');
    return k;
  }
}
