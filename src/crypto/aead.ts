/**
 * AES-256-GCM with associated data (NIST SP 800-38D), the only cipher of the vault.
 *
 * Sealed form: 0x01 ‖ IV (12 bytes, random) ‖ ciphertext ‖ tag (16 bytes). Random 96-bit IVs keep
 * the collision probability under 2^-32 up to 2^32 messages per key (SP 800-38D §8.3); every key
 * here encrypts far fewer (a record key seals one record's versions).
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';
import { randomBytesPooled } from './random-pool.ts';
import { TracevaultError } from '../errors.ts';

const FORMAT = 0x01;
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

export function seal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Buffer {
  const iv = randomBytesPooled(IV_BYTES);
  const c = createCipheriv('aes-256-gcm', key, iv);
  c.setAAD(aad);
  const out = Buffer.allocUnsafe(1 + IV_BYTES + plaintext.length + TAG_BYTES);
  out[0] = FORMAT;
  iv.copy(out, 1);
  const body = c.update(plaintext);
  body.copy(out, 1 + IV_BYTES);
  c.final(); // GCM is a stream mode: final() emits nothing more
  c.getAuthTag().copy(out, 1 + IV_BYTES + body.length);
  return out;
}

/** Opens a sealed value; any change to it, its key or its associated data fails with ERR_DECRYPT. */
export function open(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Buffer {
  if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== FORMAT) throw new TracevaultError('ERR_DECRYPT');
  const iv = sealed.subarray(1, 1 + IV_BYTES);
  const tag = sealed.subarray(sealed.length - TAG_BYTES);
  try {
    const d = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    d.setAAD(aad);
    d.setAuthTag(tag);
    const body = d.update(sealed.subarray(1 + IV_BYTES, sealed.length - TAG_BYTES));
    // final() checks the tag; GCM being a stream mode it returns nothing more (no second copy).
    const rest = d.final();
    return rest.length === 0 ? body : Buffer.concat([body, rest]);
  } catch (e) {
    throw new TracevaultError('ERR_DECRYPT', {}, { cause: e });
  }
}

/** Associated data: labelled, NUL-separated parts (no part may contain NUL: ids and names only). */
export function aad(label: string, ...parts: (string | number)[]): Buffer {
  return Buffer.from([label, ...parts.map(String)].join('\0'), 'utf8');
}

/** A JSON value sealed as UTF-8 (`seal`): what the services keep of a report, a request, a note. */
export function sealJson(key: Uint8Array, value: unknown, aad: Uint8Array): Buffer {
  return seal(key, Buffer.from(JSON.stringify(value), 'utf8'), aad);
}

/** The value `sealJson` sealed; the caller names its type (it was written by this code, under this key). */
export function openJson<T>(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array): T {
  return JSON.parse(open(key, sealed, aad).toString('utf8')) as T;
}
