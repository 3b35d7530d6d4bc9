/**
 * The GM suite's primitives against the standards' own examples (test/vectors/sm.json: GB/T 32905-2016
 * for SM3, GB/T 32907-2016 for SM4), then its constructions — HMAC-SM3, SM4-CTR, the encrypt-then-MAC
 * seal — recomputed independently from the formulas in crypto/sm4-ctr-hmac-sm3.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createCipheriv, createHmac, hash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { vectorPath } from '../../test/helpers/vectors.ts';
import { GM_SUITE, AES_SUITE } from './cipher-suite.ts';
import { Hmac } from './hmac.ts';
import { aad } from './aead.ts';

interface SmVectors {
  sm3: { name: string; messageAscii: string; digest: string }[];
  sm4: { name: string; key: string; plaintext: string; iterations: number; ciphertext: string }[];
}
const V = JSON.parse(readFileSync(vectorPath('sm.json'), 'utf8')) as SmVectors;
const hex = (s: string) => Buffer.from(s, 'hex');

test('SM3: GB/T 32905-2016 examples 1 ("abc") and 2 ("abcd" × 16), through node:crypto and the GM suite', () => {
  assert.equal(V.sm3.length, 2);
  for (const v of V.sm3) {
    const m = Buffer.from(v.messageAscii, 'latin1');
    assert.equal(hash('sm3', m, 'hex'), v.digest, v.name);
    assert.equal(GM_SUITE.hash(m).toString('hex'), v.digest, v.name);
  }
});

test('SM4: GB/T 32907-2016 example 1 (one encryption) and example 2 (1,000,000 encryptions)', () => {
  // Example 2 costs about a second: one SM4 block per call, each depending on the one before.
  assert.equal(V.sm4.length, 2);
  for (const v of V.sm4) {
    const e = createCipheriv('sm4-ecb', hex(v.key), null).setAutoPadding(false);
    let block = hex(v.plaintext);
    for (let i = 0; i < v.iterations; i++) block = e.update(block);
    assert.equal(block.toString('hex'), v.ciphertext, v.name);
  }
});

test('SM4-CTR: the keystream is SM4 of the 128-bit counter block, incremented big-endian', () => {
  const key = hex(V.sm4[0]!.key);
  const iv = hex('000102030405060708090a0b0c0dfffe');
  const ecb = createCipheriv('sm4-ecb', key, null).setAutoPadding(false);
  const next = hex('000102030405060708090a0b0c0dffff');
  const carry = hex('000102030405060708090a0b0c0e0000');
  const keystream = Buffer.concat([ecb.update(iv), ecb.update(next), ecb.update(carry)]);
  const ctr = createCipheriv('sm4-ctr', key, iv).update(Buffer.alloc(48));
  assert.deepEqual(ctr, keystream);
});

test('HMAC-SM3: the Hmac class equals OpenSSL createHmac("sm3") for any key and message', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 150 }), fc.uint8Array({ maxLength: 300 }), (key, msg) => {
      const want = createHmac('sm3', key).update(msg).digest();
      assert.deepEqual(new Hmac('sm3', key).digest(msg), want);
      assert.deepEqual(GM_SUITE.mac(key).digest(msg), want);
    }),
    { numRuns: 300 },
  );
});

test('GM seal: SM4-CTR then HMAC-SM3 over 0x02 ‖ u64be(|A|) ‖ A ‖ IV ‖ C, subkeys by HKDF-Expand-SM3', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ maxLength: 80 }), (pt, ad) => {
      const key = randomBytes(32);
      const sealed = GM_SUITE.seal(key, pt, ad);
      assert.equal(sealed.length, 1 + 16 + pt.length + 16);
      assert.equal(sealed[0], 0x02);
      const iv = sealed.subarray(1, 17);
      // RFC 5869 §2.3 with L = HashLen: OKM = HMAC(PRK, info ‖ 0x01); K1 its first half, K2 its second.
      const okm = createHmac('sm3', key).update('tracevault/gm/v1/sm4-ctr+hmac-sm3\x01').digest();
      const [enc, mac] = [okm.subarray(0, 16), okm.subarray(16)];
      const c = createCipheriv('sm4-ctr', enc, iv).update(pt);
      assert.deepEqual(sealed.subarray(17, 17 + pt.length), c);
      const len = Buffer.alloc(8);
      len.writeBigUInt64BE(BigInt(ad.length));
      const t = createHmac('sm3', mac).update(Buffer.of(2)).update(len).update(ad).update(iv).update(c).digest();
      assert.deepEqual(sealed.subarray(17 + pt.length), t.subarray(0, 16));
      assert.deepEqual(new Uint8Array(GM_SUITE.open(key, sealed, ad)), pt);
    }),
    { numRuns: 200 },
  );
});

test('GM seal: associated data cannot move into the ciphertext; a value of one suite fails in the other', () => {
  const key = randomBytes(32);
  // Same bytes, split differently between A and P: the length prefix keeps the tags apart.
  const s = GM_SUITE.seal(key, Buffer.from('bc'), Buffer.from('a'));
  assert.throws(() => GM_SUITE.open(key, s, Buffer.from('ab')), { code: 'ERR_DECRYPT' });
  assert.throws(() => AES_SUITE.open(key, s, Buffer.from('a')), { code: 'ERR_DECRYPT' });
  const a = AES_SUITE.seal(key, Buffer.from('x'), aad('t', 1));
  assert.throws(() => GM_SUITE.open(key, a, aad('t', 1)), { code: 'ERR_DECRYPT' });
  // Two seals of one value differ (random counter blocks) and both open.
  const one = GM_SUITE.seal(key, Buffer.from('13812345678'), aad('t', 1));
  const two = GM_SUITE.seal(key, Buffer.from('13812345678'), aad('t', 1));
  assert.notDeepEqual(one, two);
  assert.equal(GM_SUITE.open(key, two, aad('t', 1)).toString(), '13812345678');
  // A key of the wrong length is refused, not stretched.
  assert.throws(() => GM_SUITE.seal(randomBytes(16), Buffer.from('x'), aad('t', 1)), { code: 'ERR_DECRYPT' });
});
