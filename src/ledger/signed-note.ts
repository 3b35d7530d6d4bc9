/**
 * Signed notes, c2sp.org/signed-note, with Ed25519 (signature type 0x01).
 *
 *   note       = text (valid UTF-8, no control characters but newline, ending in "\n")
 *                "\n"
 *                one line per signature: "— " name " " base64(key id ‖ signature) "\n"
 *   key id     = SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key)[:4], big-endian
 *   verifier   = name "+" hex(key id) "+" base64(0x01 ‖ public key)
 *   signer key = "PRIVATE+KEY+" name "+" hex(key id) "+" base64(0x01 ‖ seed)
 *
 * Signatures by unknown keys are ignored; a note is accepted only with at least one valid
 * signature by a known key, and refused if any known key's signature is invalid.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { TracevaultError } from '../errors.ts';

export const ED25519 = 0x01;
const MAX_SIGNATURES = 100;
// RFC 8410 DER prefixes that wrap a raw Ed25519 seed (PKCS #8) or public key (SPKI).
export const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
export const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export interface NoteVerifier {
  readonly name: string;
  readonly keyId: number;
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

export interface NoteSigner {
  readonly name: string;
  readonly keyId: number;
  sign(message: Uint8Array): Buffer;
}

/** Key names: non-empty, no Unicode space, no '+'. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name) && /^[\P{Cc}]+$/u.test(name);
}

export function keyId(name: string, keyData: Uint8Array): number {
  return createHash('sha256').update(name, 'utf8').update(Buffer.of(0x0a)).update(keyData).digest().readUInt32BE(0);
}

export const hex8 = (n: number) => n.toString(16).padStart(8, '0');

/** Splits at the first `parts - 1` '+' signs: the last part, base64, may contain '+' itself. */
export function splitKey(text: string, parts: number): string[] {
  const out: string[] = [];
  let rest = text;
  for (let i = 0; i < parts - 1; i++) {
    const at = rest.indexOf('+');
    if (at < 0) throw new TracevaultError('ERR_BAD_KEY');
    out.push(rest.slice(0, at));
    rest = rest.slice(at + 1);
  }
  out.push(rest);
  return out;
}

export function parseVerifierKey(vkey: string): NoteVerifier {
  const [name, hash, b64] = splitKey(vkey.trim(), 3) as [string, string, string];
  const data = Buffer.from(b64, 'base64');
  if (
    !isValidKeyName(name) ||
    !/^[0-9a-f]{8}$/.test(hash) ||
    data.length !== 33 ||
    data[0] !== ED25519 ||
    data.toString('base64') !== b64
  ) {
    throw new TracevaultError('ERR_BAD_KEY');
  }
  const id = keyId(name, data);
  if (hex8(id) !== hash) throw new TracevaultError('ERR_BAD_KEY');
  const pub = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, data.subarray(1)]), format: 'der', type: 'spki' });
  return { name, keyId: id, verify: (m, s) => s.length === 64 && verify(null, m, pub, s) };
}

export function parseSignerKey(skey: string): NoteSigner & { verifierKey: string } {
  const [p1, p2, name, hash, b64] = splitKey(skey.trim(), 5) as [string, string, string, string, string];
  const data = Buffer.from(b64, 'base64');
  if (p1 !== 'PRIVATE' || p2 !== 'KEY' || !isValidKeyName(name) || data.length !== 33 || data[0] !== ED25519)
    throw new TracevaultError('ERR_BAD_KEY');
  const priv = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, data.subarray(1)]), format: 'der', type: 'pkcs8' });
  const pubRaw = createPublicKey(priv).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
  const pubData = Buffer.concat([Buffer.of(ED25519), pubRaw]);
  const id = keyId(name, pubData);
  if (hex8(id) !== hash) throw new TracevaultError('ERR_BAD_KEY');
  return {
    name,
    keyId: id,
    sign: (m) => sign(null, m, priv),
    verifierKey: `${name}+${hex8(id)}+${pubData.toString('base64')}`,
  };
}

/**
 * The signed-note encoding of an Ed25519 key pair from its 32-byte seed; `alg` is the signature
 * type byte (0x01 for notes, 0x04 for cosignature/v1 witnesses).
 */
export function noteKeyFromSeed(
  name: string,
  seed: Uint8Array,
  alg = ED25519,
): { signerKey: string; verifierKey: string } {
  if (!isValidKeyName(name) || seed.length !== 32) throw new TracevaultError('ERR_BAD_KEY');
  const priv = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
  const pub = createPublicKey(priv).export({ format: 'der', type: 'spki' }).subarray(SPKI_PREFIX.length);
  const pubData = Buffer.concat([Buffer.of(alg), pub]);
  const hash = hex8(keyId(name, pubData));
  return {
    signerKey: `PRIVATE+KEY+${name}+${hash}+${Buffer.concat([Buffer.of(alg), seed]).toString('base64')}`,
    verifierKey: `${name}+${hash}+${pubData.toString('base64')}`,
  };
}

/** A new Ed25519 key pair in signed-note encoding. The signer key is a secret: keep it out of the database. */
export function generateNoteKey(name: string, alg = ED25519): { signerKey: string; verifierKey: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  return noteKeyFromSeed(name, privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(PKCS8_PREFIX.length), alg);
}

/** The text must end in a newline and hold no control character but newline (nor a decoding error). */
function checkText(text: string): void {
  if (!text.endsWith('\n')) throw new TracevaultError('ERR_MALFORMED_NOTE');
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x0a) || c === 0xfffd) throw new TracevaultError('ERR_MALFORMED_NOTE');
  }
}

/** Signs a note's text; returns the whole note. */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  checkText(text);
  const msg = Buffer.from(text, 'utf8');
  const lines = signers.map((s) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(s.keyId, 0);
    return `— ${s.name} ${Buffer.concat([head, s.sign(msg)]).toString('base64')}\n`;
  });
  return `${text}\n${lines.join('')}`;
}

export interface OpenedNote {
  readonly text: string;
  /** The known keys whose signatures verified. */
  readonly verified: readonly { name: string; keyId: number }[];
  /** Signature lines by keys not among the verifiers (not checked). */
  readonly unknown: readonly { name: string; keyId: number; signature: Buffer }[];
}

/** Parses and verifies a note. Malformed: ERR_MALFORMED_NOTE; no valid known signature: ERR_UNVERIFIED_NOTE. */
export function openNote(note: string | Uint8Array, verifiers: readonly NoteVerifier[]): OpenedNote {
  let s: string;
  try {
    s = typeof note === 'string' ? note : new TextDecoder('utf-8', { fatal: true }).decode(note);
  } catch {
    throw new TracevaultError('ERR_MALFORMED_NOTE');
  }
  const split = s.lastIndexOf('\n\n');
  if (split < 0) throw new TracevaultError('ERR_MALFORMED_NOTE');
  const text = s.slice(0, split + 1);
  checkText(text);
  const sigs = s.slice(split + 2);
  if (sigs === '' || !sigs.endsWith('\n')) throw new TracevaultError('ERR_MALFORMED_NOTE');
  const lines = sigs.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) throw new TracevaultError('ERR_MALFORMED_NOTE');
  const msg = Buffer.from(text, 'utf8');
  const verified: { name: string; keyId: number }[] = [];
  const unknown: { name: string; keyId: number; signature: Buffer }[] = [];
  for (const line of lines) {
    const m = /^— (\S+) ([A-Za-z0-9+/]+={0,2})$/u.exec(line);
    if (!m || !isValidKeyName(m[1]!)) throw new TracevaultError('ERR_MALFORMED_NOTE');
    const bytes = Buffer.from(m[2]!, 'base64');
    if (bytes.length < 5 || bytes.toString('base64') !== m[2]) throw new TracevaultError('ERR_MALFORMED_NOTE');
    const name = m[1]!,
      id = bytes.readUInt32BE(0),
      sig = bytes.subarray(4);
    const v = verifiers.find((k) => k.name === name && k.keyId === id);
    if (!v) {
      unknown.push({ name, keyId: id, signature: sig });
      continue;
    }
    if (!v.verify(msg, sig)) throw new TracevaultError('ERR_UNVERIFIED_NOTE');
    if (!verified.some((x) => x.name === name && x.keyId === id)) verified.push({ name, keyId: id });
  }
  if (verified.length === 0) throw new TracevaultError('ERR_UNVERIFIED_NOTE');
  return { text, verified, unknown };
}
