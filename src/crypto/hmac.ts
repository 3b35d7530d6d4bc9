/**
 * HMAC (RFC 2104; GB/T 15852.2-2012 MAC algorithm 2 is the same construction) for the many short
 * messages of blind indexes and record ids, over SHA-256 or SM3 (both 64-byte blocks, 32-byte
 * digests). The key's padded blocks are computed once; each MAC is then two one-shot hash calls over
 * (K ⊕ ipad) ‖ message and (K ⊕ opad) ‖ inner digest, about a third cheaper than createHmac, which
 * sets up the key again for every message. Checked against RFC 4231's vectors and OpenSSL's HMAC-SM3
 * (crypto.test.ts, sm-vectors.test.ts).
 */
import { createHash, hash } from 'node:crypto';

const BLOCK = 64;
const DIGEST = 32;

/** The hash functions HMAC runs over here: both have a 64-byte block and a 32-byte digest. */
export type MacHash = 'sha256' | 'sm3';

export class Hmac {
  readonly algorithm: MacHash;
  readonly #inner: Buffer;
  readonly #outer: Buffer;

  constructor(algorithm: MacHash, key: Uint8Array) {
    this.algorithm = algorithm;
    // RFC 2104 §2: a key longer than the block is hashed first; a shorter one is padded with zeros.
    const k = Buffer.alloc(BLOCK);
    (key.length > BLOCK ? createHash(algorithm).update(key).digest() : Buffer.from(key)).copy(k);
    this.#inner = Buffer.alloc(BLOCK + 1024);
    this.#outer = Buffer.alloc(BLOCK + DIGEST);
    for (let i = 0; i < BLOCK; i++) {
      this.#inner[i] = k[i]! ^ 0x36;
      this.#outer[i] = k[i]! ^ 0x5c;
    }
    k.fill(0);
  }

  /** The MAC of the UTF-8 message (parts concatenated). */
  digest(...parts: readonly (string | Uint8Array)[]): Buffer {
    let buf = this.#inner,
      n = BLOCK;
    for (const p of parts) {
      const len = typeof p === 'string' ? Buffer.byteLength(p, 'utf8') : p.length;
      if (n + len > buf.length) {
        const bigger = Buffer.alloc(Math.max(2 * buf.length, n + len));
        buf.copy(bigger, 0, 0, n);
        if (buf !== this.#inner) buf.fill(0);
        buf = bigger;
      }
      n += typeof p === 'string' ? buf.write(p, n, 'utf8') : Buffer.from(p.buffer, p.byteOffset, p.length).copy(buf, n);
    }
    const inner = hash(this.algorithm, buf.subarray(0, n), 'buffer');
    if (buf !== this.#inner) buf.fill(0);
    inner.copy(this.#outer, BLOCK);
    return hash(this.algorithm, this.#outer, 'buffer');
  }

  /** Zeroes the padded key blocks: the MAC is unusable after. */
  destroy(): void {
    this.#inner.fill(0);
    this.#outer.fill(0);
  }
}

/** HMAC-SHA-256: the AES suite's MAC (crypto/cipher-suite.ts). */
export class HmacSha256 extends Hmac {
  constructor(key: Uint8Array) {
    super('sha256', key);
  }
}
