/**
 * Field versions are sealed with the record's key, the versions recorded together (one change) in
 * one message of the vault's cipher suite (AES-256-GCM or SM4-CTR+HMAC-SM3, crypto/cipher-suite.ts).
 * The associated data binds the message to its place — record type, record id, change number, key
 * generation — and lists every (field, version) it holds, so a ciphertext moved to another record
 * or change, or relabelled as another field or version, fails to open.
 *
 * Stored form: u32 header length ‖ header ‖ sealed, where the header (in clear: field names and
 * version numbers, never values) is u16 count, then per entry u8 name length ‖ name ‖ u32 version ‖
 * u32 value length, all big-endian; the plaintext is the values concatenated. One message per change
 * costs one cipher set-up instead of one per field: the per-call cost of createCipheriv dominates
 * for values this small (bench/field-cipher.ts).
 */
import { TracevaultError } from '../errors.ts';
import { aad } from './aead.ts';
import type { CipherSuite } from './cipher-suite.ts';

export interface ChangePlace {
  readonly recordType: string;
  readonly recordId: string;
  readonly change: number;
  /** The generation of the record key that sealed it. */
  readonly keyGen: number;
}

export interface FieldEntry {
  readonly field: string;
  readonly version: number;
  readonly value: Uint8Array;
}

export interface FieldLabel {
  readonly field: string;
  readonly version: number;
}

function placeAad(p: ChangePlace, header: Buffer): Buffer {
  return Buffer.concat([
    aad('tracevault/change/v1', p.recordType, p.recordId, p.change, `rk${p.keyGen}`),
    Buffer.of(0),
    header,
  ]);
}

export function sealChange(
  suite: CipherSuite,
  recordKey: Uint8Array,
  place: ChangePlace,
  entries: readonly FieldEntry[],
): Buffer {
  const names = entries.map((e) => Buffer.from(e.field, 'utf8'));
  const header = Buffer.alloc(2 + names.reduce((n, b) => n + 9 + b.length, 0));
  header.writeUInt16BE(entries.length, 0);
  let p = 2;
  entries.forEach((e, i) => {
    const name = names[i]!;
    header.writeUInt8(name.length, p);
    name.copy(header, p + 1);
    header.writeUInt32BE(e.version, p + 1 + name.length);
    header.writeUInt32BE(e.value.length, p + 5 + name.length);
    p += 9 + name.length;
  });
  const sealed = suite.seal(recordKey, Buffer.concat(entries.map((e) => e.value)), placeAad(place, header));
  const len = Buffer.alloc(4);
  len.writeUInt32BE(header.length, 0);
  return Buffer.concat([len, header, sealed]);
}

function parse(stored: Buffer): { header: Buffer; sealed: Buffer; labels: (FieldLabel & { length: number })[] } {
  if (stored.length < 6) throw new TracevaultError('ERR_DECRYPT');
  const hl = stored.readUInt32BE(0);
  if (4 + hl > stored.length) throw new TracevaultError('ERR_DECRYPT');
  const header = stored.subarray(4, 4 + hl);
  const count = header.readUInt16BE(0);
  const labels: (FieldLabel & { length: number })[] = [];
  let p = 2;
  for (let i = 0; i < count; i++) {
    if (p + 1 > header.length) throw new TracevaultError('ERR_DECRYPT');
    const n = header.readUInt8(p);
    if (p + 9 + n > header.length) throw new TracevaultError('ERR_DECRYPT');
    labels.push({
      field: header.toString('utf8', p + 1, p + 1 + n),
      version: header.readUInt32BE(p + 1 + n),
      length: header.readUInt32BE(p + 5 + n),
    });
    p += 9 + n;
  }
  return { header, sealed: stored.subarray(4 + hl), labels };
}

/** The (field, version) labels of a stored change, without decrypting anything. */
export function changeLabels(stored: Buffer): FieldLabel[] {
  return parse(stored).labels.map(({ field, version }) => ({ field, version }));
}

export function openChange(
  suite: CipherSuite,
  recordKey: Uint8Array,
  place: ChangePlace,
  stored: Buffer,
): FieldEntry[] {
  const { header, sealed, labels } = parse(stored);
  const plain = suite.open(recordKey, sealed, placeAad(place, header));
  const out: FieldEntry[] = [];
  let p = 0;
  for (const l of labels) {
    if (p + l.length > plain.length) throw new TracevaultError('ERR_DECRYPT');
    out.push({ field: l.field, version: l.version, value: plain.subarray(p, p + l.length) });
    p += l.length;
  }
  if (p !== plain.length) throw new TracevaultError('ERR_DECRYPT');
  return out;
}

/**
 * A record's current versions, sealed in one message with the record key: a read opens this one
 * message instead of every change that holds a current value. Its associated data names the record
 * and the last change it reflects, under a label of its own, so it cannot pass for a change.
 */
export function sealCurrent(
  suite: CipherSuite,
  recordKey: Uint8Array,
  place: ChangePlace,
  plaintext: Uint8Array,
): Buffer {
  return suite.seal(recordKey, plaintext, currentAad(place));
}

export function openCurrent(suite: CipherSuite, recordKey: Uint8Array, place: ChangePlace, sealed: Uint8Array): Buffer {
  return suite.open(recordKey, sealed, currentAad(place));
}

function currentAad(p: ChangePlace): Buffer {
  return aad('tracevault/current/v1', p.recordType, p.recordId, p.change, `rk${p.keyGen}`);
}
