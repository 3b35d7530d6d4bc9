/**
 * Field versions are sealed with the record's key; the associated data binds the ciphertext to its
 * place — record type, record id, field, version and key id — so a ciphertext copied to another
 * row, field or version fails to open.
 */
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
