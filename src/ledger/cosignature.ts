/**
 * Cosignatures, c2sp.org/tlog-cosignature (cosignature/v1, Ed25519): a witness's statement that,
 * as of a time, the consistent checkpoint with the largest size it has seen for a log is this one.
 *
 *   key id    = SHA-256(name ‖ "\n" ‖ 0x04 ‖ public key)[:4]
 *   signature = u64 timestamp (big-endian) ‖ Ed25519 signature over
 *               "cosignature/v1\n" "time " <timestamp, decimal> "\n" <checkpoint body>
 *
 * A cosigner verifier fits the signed-note verifier interface, so a cosigned checkpoint is opened
 * with openNote like any other note.
 */
import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { TracevaultError } from '../errors.ts';
import {
  generateNoteKey,
  hex8,
  isValidKeyName,
  keyId,
  noteKeyFromSeed,
  PKCS8_PREFIX,
  splitKey,
  SPKI_PREFIX,
  type NoteVerifier,
} from './signed-note.ts';

export const COSIGNATURE_V1 = 0x04;

function message(timestamp: bigint, body: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from(`cosignature/v1\ntime ${timestamp}\n`, 'utf8'), body]);
}

export interface Cosigner {
  readonly name: string;
  readonly keyId: number;
  readonly verifierKey: string;
  /** The signature line for a checkpoint body, at `timestamp` (seconds since the epoch). */
  cosign(body: string, timestamp: number): string;
}

export function cosignerKeyFromSeed(name: string, seed: Uint8Array): { signerKey: string; verifierKey: string } {
  return noteKeyFromSeed(name, seed, COSIGNATURE_V1);
}

export function generateCosignerKey(name: string): { signerKey: string; verifierKey: string } {
  return generateNoteKey(name, COSIGNATURE_V1);
}

export function parseCosignerKey(skey: string): Cosigner {
  const [p1, p2, name, hash, b64] = splitKey(skey.trim(), 5) as [string, string, string, string, string];
  const data = Buffer.from(b64, 'base64');
  if (p1 !== 'PRIVATE' || p2 !== 'KEY' || !isValidKeyName(name) || data.length !== 33 || data[0] !== COSIGNATURE_V1)
    throw new TracevaultError('ERR_BAD_KEY');
  const keys = cosignerKeyFromSeed(name, data.subarray(1));
  if (!keys.verifierKey.includes(`+${hash}+`)) throw new TracevaultError('ERR_BAD_KEY');
  const priv = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, data.subarray(1)]), format: 'der', type: 'pkcs8' });
  const id = parseInt(hash, 16);
  return {
    name,
    keyId: id,
    verifierKey: keys.verifierKey,
    cosign(body, timestamp) {
      if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RangeError('timestamp');
      const ts = BigInt(timestamp);
      const head = Buffer.alloc(12);
      head.writeUInt32BE(id, 0);
      head.writeBigUInt64BE(ts, 4);
      const sig = sign(null, message(ts, Buffer.from(body, 'utf8')), priv);
      return `— ${name} ${Buffer.concat([head, sig]).toString('base64')}\n`;
    },
  };
}

/** A verifier of a witness's cosignatures; `timestampOf` reads the time a verified cosignature states. */
export function parseCosignerVerifier(vkey: string): NoteVerifier & { timestampOf(signature: Uint8Array): number } {
  const [name, hash, b64] = splitKey(vkey.trim(), 3) as [string, string, string];
  const data = Buffer.from(b64, 'base64');
  if (!isValidKeyName(name) || data.length !== 33 || data[0] !== COSIGNATURE_V1 || hex8(keyId(name, data)) !== hash)
    throw new TracevaultError('ERR_BAD_KEY');
  const pub = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, data.subarray(1)]), format: 'der', type: 'spki' });
  return {
    name,
    keyId: keyId(name, data),
    verify(msg, sig) {
      if (sig.length !== 72) return false;
      const ts = Buffer.from(sig.buffer, sig.byteOffset, 8).readBigUInt64BE(0);
      if (ts > 2n ** 63n - 1n) return false;
      return verify(null, message(ts, msg), pub, sig.subarray(8));
    },
    timestampOf: (sig) => Number(Buffer.from(sig.buffer, sig.byteOffset, 8).readBigUInt64BE(0)),
  };
}
