/**
 * Random bytes from the operating system's CSPRNG (crypto.randomBytes), drawn 64 KiB at a time:
 * one call per IV costs more than the encryption it serves. Each byte is handed out once.
 */
import { randomBytes } from 'node:crypto';

const POOL_BYTES = 64 * 1024;
let pool = Buffer.alloc(0);
let offset = 0;

export function randomBytesPooled(n: number): Buffer {
  if (n > POOL_BYTES) return randomBytes(n);
  if (offset + n > pool.length) {
    pool = randomBytes(POOL_BYTES);
    offset = 0;
  }
  const out = pool.subarray(offset, offset + n);
  offset += n;
  return out;
}
