/**
 * The cipher suite of a vault, chosen once at `tracevault init --cipher-suite` and recorded in the
 * vault (store/vault.ts): every sealed value, wrapped key, blind index and content id of the vault
 * is made with it (docs/adr/0021-gm-cipher-suite.md).
 *
 * - `aes`: AES-256-GCM (NIST SP 800-38D, crypto/aead.ts) and HMAC-SHA-256. The default, and what
 *   every vault made before the choice existed uses, byte for byte.
 * - `gm`: the Chinese commercial algorithms (GM/T, national standards GB/T 32905 SM3 and GB/T 32907
 *   SM4): SM4-CTR with HMAC-SM3, encrypt-then-MAC (crypto/sm4-ctr-hmac-sm3.ts), and HMAC-SM3.
 *
 * The ledger's own hashes (SHA-256 Merkle tree, Ed25519 signed notes) are not the suite's: they
 * follow the C2SP formats that witnesses and verifiers outside the vault read.
 */
import { hash } from 'node:crypto';
import { TracevaultError } from '../errors.ts';
import { open, seal } from './aead.ts';
import { Hmac, type MacHash } from './hmac.ts';
import { openGm, sealGm } from './sm4-ctr-hmac-sm3.ts';

export const CIPHER_SUITES = ['aes', 'gm'] as const;
export type CipherSuiteName = (typeof CIPHER_SUITES)[number];

export interface CipherSuite {
  readonly name: CipherSuiteName;
  /** The hash of the suite's MACs and key names: SHA-256 (`aes`) or SM3 (`gm`). */
  readonly macHash: MacHash;
  /** Authenticated encryption with associated data under a 256-bit key. */
  seal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Buffer;
  /** The plaintext `seal` sealed; any change to it, its key or its associated data: ERR_DECRYPT. */
  open(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Buffer;
  /** A JSON value sealed as UTF-8. */
  sealJson(key: Uint8Array, value: unknown, aad: Uint8Array): Buffer;
  /** The value `sealJson` sealed; the caller names its type (it was written by this code, under this key). */
  openJson<T>(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array): T;
  /** A keyed MAC for many short messages (blind indexes, content ids, derived keys): 32-byte digests. */
  mac(key: Uint8Array): Hmac;
  /** The suite's hash (32 bytes): names a key without revealing it (crypto/key-file.ts). */
  hash(data: Uint8Array): Buffer;
}

function suiteOf(
  name: CipherSuiteName,
  macHash: MacHash,
  sealFn: CipherSuite['seal'],
  openFn: CipherSuite['open'],
): CipherSuite {
  return Object.freeze({
    name,
    macHash,
    seal: sealFn,
    open: openFn,
    sealJson: (key: Uint8Array, value: unknown, aad: Uint8Array) =>
      sealFn(key, Buffer.from(JSON.stringify(value), 'utf8'), aad),
    openJson: <T>(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array) =>
      JSON.parse(openFn(key, sealed, aad).toString('utf8')) as T,
    mac: (key: Uint8Array) => new Hmac(macHash, key),
    hash: (data: Uint8Array) => hash(macHash, data, 'buffer'),
  });
}

export const AES_SUITE: CipherSuite = suiteOf('aes', 'sha256', seal, open);
export const GM_SUITE: CipherSuite = suiteOf('gm', 'sm3', sealGm, openGm);

export function isCipherSuiteName(name: unknown): name is CipherSuiteName {
  return (CIPHER_SUITES as readonly unknown[]).includes(name);
}

/** The suite of that name; an unknown name is refused (ERR_CIPHER_SUITE), never defaulted. */
export function cipherSuite(name: string): CipherSuite {
  if (name === 'aes') return AES_SUITE;
  if (name === 'gm') return GM_SUITE;
  throw new TracevaultError('ERR_CIPHER_SUITE');
}
