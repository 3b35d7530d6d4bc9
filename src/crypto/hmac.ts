/**
 * HMAC-SHA-256 (RFC 2104) for the many short messages of blind indexes and record ids. The key's
 * padded blocks are computed once; each MAC is then two one-shot SHA-256 calls over
 * (K ⊕ ipad) ‖ message and (K ⊕ opad) ‖ inner digest, about a third cheaper than createHmac, which
 * sets up the key again for every message. Checked against RFC 4231's vectors (crypto.test.ts).
 */
import { createHash, hash } from 'node:crypto';

const BLOCK = 64;
const DIGEST = 32;

export class HmacSha256 {
  readonly #inner: Buffer;
  readonly #outer: Buffer;

  constructor(key: Uint8Array) {
    // RFC 2104 §2: a key longer than the block is hashed first; a shorter one is padded with zeros.
    const k = Buffer.alloc(BLOCK);
    (key.length > BLOCK ? createHash('sha256').update(key).digest() : Buffer.from(key)).copy(k);
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
    const inner = hash('sha256', buf.subarray(0, n), 'buffer');
    if (buf !== this.#inner) buf.fill(0);
    inner.copy(this.#outer, BLOCK);
    return hash('sha256', this.#outer, 'buffer');
  }
}
