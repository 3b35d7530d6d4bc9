/** Opaque identifiers and bearer tokens. */
import { hash, randomBytes, timingSafeEqual } from 'node:crypto';
import { randomBytesPooled } from './random-pool.ts';

const B32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 §6 base32, lower case, no padding. */
export function base32(bytes: Uint8Array): string {
  let out = '',
    bits = 0,
    acc = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += B32[(acc >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += B32[(acc << (5 - bits)) & 31];
  return out;
}

/** A random 128-bit id with a type prefix, e.g. "p_…" for a principal. */
export function newId(prefix: string): string {
  return `${prefix}_${base32(randomBytesPooled(16))}`;
}

/**
 * A 128-bit id with a type prefix whose first 48 bits are the time in milliseconds, the other 80
 * random: ids made within a few milliseconds of each other share a prefix, so a busy table's index
 * takes them on a few pages instead of one random page each (fewer pages written per commit).
 * The time it shows is when the id was made, which the row it names records anyway.
 */
export function newTimeOrderedId(prefix: string, now = Date.now()): string {
  const b = Buffer.allocUnsafe(16);
  b.writeUIntBE(now, 0, 6);
  randomBytesPooled(10).copy(b, 6);
  return `${prefix}_${base32(b)}`;
}

/** Ids are opaque: letters, digits and '_' only, bounded length. */
export function isWellFormedId(id: string): boolean {
  return /^[a-z][a-z0-9_]{2,63}$/.test(id);
}

/** A bearer token: 256 random bits. Shown once, stored only as its SHA-256 (it is high-entropy). */
export function newToken(): string {
  return `tv_${randomBytes(32).toString('base64url')}`;
}

export function tokenHash(token: string): Buffer {
  // One-shot: every request hashes its bearer token (the cache of principals is keyed by it).
  return hash('sha256', Buffer.from(token, 'utf8'), 'buffer');
}

export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
