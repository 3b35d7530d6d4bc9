/**
 * SM4 in counter mode, then HMAC-SM3 over the associated data and the ciphertext: the GM suite's
 * authenticated encryption (crypto/cipher-suite.ts; docs/adr/0021-gm-cipher-suite.md).
 *
 * The construction is the encrypt-then-MAC mechanism of GB/T 36624-2018 (ISO/IEC 19772:2009, MOD;
 * ISO/IEC 19772:2009 mechanism 5): encrypt with a block-cipher mode under key K1 from a starting
 * variable S, then MAC the starting variable and the ciphertext under an independent key K2; the
 * output is S ‖ C ‖ T, and decryption checks T before anything is decrypted. Here:
 *   - the block cipher is SM4 (GB/T 32907-2016), the mode CTR (GB/T 17964, ISO/IEC 10116), S a random
 *     128-bit initial counter block;
 *   - the MAC is HMAC-SM3 (GB/T 15852.2-2012 MAC algorithm 2 with SM3, GB/T 32905-2016), its tag
 *     truncated to 128 bits (GB/T 15852.2 allows truncation; as AEAD_AES_128_CBC_HMAC_SHA_256 in
 *     draft-mcgrew-aead-aes-cbc-hmac-sha2 §2.7); associated data A is bound in as in RFC 7366 and
 *     that draft, length-prefixed so that no (A, C) pair can be read as another:
 *       T = HMAC-SM3(K2, 0x02 ‖ u64be(|A|) ‖ A ‖ S ‖ C)[:16]
 *   - K1 and K2 are the two halves of one HKDF-Expand (RFC 5869 §2.3) with SM3 of the 256-bit key
 *     K (RFC 5869 §3.3: K is already uniformly random, so Extract is skipped), as TLS splits its
 *     key block: K1 ‖ K2 = HKDF-Expand-SM3(K, "tracevault/gm/v1/sm4-ctr+hmac-sm3", 32)
 *                       = HMAC-SM3(K, "tracevault/gm/v1/sm4-ctr+hmac-sm3" ‖ 0x01)
 *     K1 is SM4's 128-bit key; K2, 128 bits, keys the MAC (the scheme's strength is SM4's 128 bits
 *     either way, and one HMAC per message instead of two).
 *
 * Sealed form: 0x02 ‖ S (16 bytes) ‖ C ‖ T (16 bytes). The first byte differs from AES-GCM's 0x01
 * (crypto/aead.ts), so a value of one suite is refused by the other before any key is used.
 *
 * Random 128-bit counter blocks: two seals under one key overlap only if their counter ranges meet.
 * With q messages of at most b blocks each, that probability is below q²·b / 2^128; the values here
 * are a few blocks (a change's fields) and a record key seals a few dozen messages, a derived key
 * (justifications, reports) at most millions: q = 2^32, b = 2^16 still gives 2^80 / 2^128 = 2^-48.
 */
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';
import { TracevaultError } from '../errors.ts';
import { randomBytesPooled } from './random-pool.ts';

export const GM_FORMAT = 0x02;
const IV_BYTES = 16;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KEYS_INFO = Buffer.from('tracevault/gm/v1/sm4-ctr+hmac-sm3\x01', 'latin1');
const FORMAT_BYTE = Buffer.of(GM_FORMAT);

/** K1 ‖ K2 (16 bytes each, views of one buffer the caller zeroes). OpenSSL's HMAC (one call) cleanses its state. */
function subkeys(key: Uint8Array): { both: Buffer; enc: Buffer; mac: Buffer } {
  if (key.length !== KEY_BYTES) throw new TracevaultError('ERR_DECRYPT');
  const both = createHmac('sm3', key).update(KEYS_INFO).digest();
  return { both, enc: both.subarray(0, 16), mac: both.subarray(16, 32) };
}

function tag(macKey: Buffer, aad: Uint8Array, ivAndCiphertext: Uint8Array): Buffer {
  const len = Buffer.alloc(8);
  len.writeBigUInt64BE(BigInt(aad.length), 0);
  return createHmac('sm3', macKey)
    .update(FORMAT_BYTE)
    .update(len)
    .update(aad)
    .update(ivAndCiphertext)
    .digest()
    .subarray(0, TAG_BYTES);
}

export function sealGm(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Buffer {
  const { both, enc, mac } = subkeys(key);
  try {
    const iv = randomBytesPooled(IV_BYTES);
    const out = Buffer.allocUnsafe(1 + IV_BYTES + plaintext.length + TAG_BYTES);
    out[0] = GM_FORMAT;
    iv.copy(out, 1);
    const c = createCipheriv('sm4-ctr', enc, iv);
    const body = c.update(plaintext);
    body.copy(out, 1 + IV_BYTES);
    c.final(); // CTR is a stream mode: final() emits nothing more
    tag(mac, aad, out.subarray(1, 1 + IV_BYTES + body.length)).copy(out, 1 + IV_BYTES + body.length);
    return out;
  } finally {
    both.fill(0);
  }
}

/** Opens a sealed value; any change to it, its key or its associated data fails with ERR_DECRYPT. */
export function openGm(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Buffer {
  if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== GM_FORMAT) throw new TracevaultError('ERR_DECRYPT');
  const { both, enc, mac } = subkeys(key);
  try {
    const body = sealed.subarray(1, sealed.length - TAG_BYTES);
    // Encrypt-then-MAC: the tag is checked, in constant time, before anything is decrypted.
    if (!timingSafeEqual(tag(mac, aad, body), sealed.subarray(sealed.length - TAG_BYTES))) {
      throw new TracevaultError('ERR_DECRYPT');
    }
    const d = createDecipheriv('sm4-ctr', enc, body.subarray(0, IV_BYTES));
    const plain = d.update(body.subarray(IV_BYTES));
    d.final();
    return plain;
  } finally {
    both.fill(0);
  }
}
