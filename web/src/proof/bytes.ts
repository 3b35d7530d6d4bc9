/**
 * Bytes for the proof checks, with what a browser and Node.js both have (TextEncoder, atob, btoa):
 * no Buffer. Base64 is read strictly, as the server writes it (RFC 4648 §4, padded): a string that
 * does not encode back to itself is refused, so one text has one meaning.
 */

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Standard base64 with padding, or undefined if `text` is not its canonical form. */
export function fromBase64(text: string): Uint8Array | undefined {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return undefined;
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return toBase64(out) === text ? out : undefined;
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Equal bytes, looking at every byte whatever the first difference (no early exit). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export function readUint32BE(bytes: Uint8Array, at = 0): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

export function readUint64BE(bytes: Uint8Array, at = 0): bigint {
  return (BigInt(readUint32BE(bytes, at)) << 32n) | BigInt(readUint32BE(bytes, at + 4));
}

export const hex8 = (n: number): string => n.toString(16).padStart(8, '0');
