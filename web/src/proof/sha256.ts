/**
 * SHA-256 (FIPS 180-4) through WebCrypto's `crypto.subtle.digest`, as browsers and Node.js both
 * have it. Browsers expose `crypto.subtle` only in a secure context (https, or http on localhost):
 * elsewhere `hasWebCrypto()` is false and nothing can be verified, which the page says rather than
 * pretend.
 */
import { concat } from './bytes.ts';

export function hasWebCrypto(): boolean {
  return typeof globalThis.crypto?.subtle?.digest === 'function';
}

export async function sha256(...parts: readonly Uint8Array[]): Promise<Uint8Array> {
  const input = parts.length === 1 ? parts[0]! : concat(...parts);
  return new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', input as Uint8Array<ArrayBuffer>));
}
