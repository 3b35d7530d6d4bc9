/**
 * Field versions are sealed one by one with the record's key; the associated data binds each
 * ciphertext to its place — record type, record id, field, version and key generation — so a
 * ciphertext copied to another record, field or version fails to open.
 *
 * The versions recorded together (one change) are stored side by side in one sealed bundle:
 * entries of [u8 name length][name][u32 version][u32 length][sealed value], big-endian. Field names
 * and version numbers in the bundle are in clear (names, not values) and are checked again by the
 * associated data when each value is opened.
 */
import { TracevaultError } from '../errors.ts';
import { aad, open, seal } from './aead.ts';

export interface FieldPlace {
  readonly recordType: string;
  readonly recordId: string;
  readonly field: string;
  readonly version: number;
  /** The generation of the record key that sealed it. */
  readonly keyGen: number;
}

function placeAad(p: FieldPlace): Buffer {
  return aad('tracevault/field/v1', p.recordType, p.recordId, p.field, p.version, `rk${p.keyGen}`);
}

export function sealField(recordKey: Uint8Array, place: FieldPlace, plaintext: Uint8Array): Buffer {
  return seal(recordKey, plaintext, placeAad(place));
}

export function openField(recordKey: Uint8Array, place: FieldPlace, sealed: Uint8Array): Buffer {
  return open(recordKey, sealed, placeAad(place));
}

export interface BundleEntry {
  readonly field: string;
  readonly version: number;
  readonly sealed: Buffer;
}

export function encodeBundle(entries: readonly BundleEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const name = Buffer.from(e.field, 'utf8');
    const head = Buffer.alloc(1 + name.length + 8);
    head.writeUInt8(name.length, 0);
    name.copy(head, 1);
    head.writeUInt32BE(e.version, 1 + name.length);
    head.writeUInt32BE(e.sealed.length, 5 + name.length);
    parts.push(head, e.sealed);
  }
  return Buffer.concat(parts);
}

export function decodeBundle(bundle: Buffer): BundleEntry[] {
  const out: BundleEntry[] = [];
  let p = 0;
  while (p < bundle.length) {
    const n = bundle.readUInt8(p);
    if (p + 1 + n + 8 > bundle.length) throw new TracevaultError('ERR_DECRYPT');
    const field = bundle.toString('utf8', p + 1, p + 1 + n);
    const version = bundle.readUInt32BE(p + 1 + n);
    const len = bundle.readUInt32BE(p + 5 + n);
    const start = p + 9 + n;
    if (start + len > bundle.length) throw new TracevaultError('ERR_DECRYPT');
    out.push({ field, version, sealed: bundle.subarray(start, start + len) });
    p = start + len;
  }
  return out;
}
