/**
 * Signed notes, c2sp.org/signed-note, opened in the browser:
 *
 *   note = text (UTF-8, no control character but newline, ending in "\n")
 *          "\n"
 *          one line per signature: "— " name " " base64(key id ‖ signature) "\n"
 *
 * Ed25519 signatures (type 0x01) are over the text; a witness's cosignature/v1 (type 0x04,
 * c2sp.org/tlog-cosignature) is a big-endian u64 timestamp followed by an Ed25519 signature over
 * "cosignature/v1\ntime <timestamp>\n" ‖ text. Ed25519 is @noble/curves' (audited), with RFC 8032's
 * strict decoding (`zip215: false`) as Go's crypto/ed25519 and OpenSSL verify, so that this page
 * accepts exactly the signatures the server's verifier accepts.
 *
 * A signature line by a key not given is skipped; one by a given key that does not verify fails the
 * whole note, as the specification asks of verifiers.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { fromBase64, readUint32BE, readUint64BE, utf8 } from './bytes.ts';
import { COSIGNATURE_V1, isValidKeyName, type NoteKey } from './note-key.ts';

const MAX_SIGNATURES = 100;

export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  /** The signature bytes after the key id. */
  readonly signature: Uint8Array;
}

export interface ParsedNote {
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

/** The text and signature lines of a note; undefined if it is not a well-formed signed note. */
export function parseNote(note: string): ParsedNote | undefined {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) return undefined;
  const text = note.slice(0, split + 1);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x0a) || c === 0xfffd) return undefined;
  }
  const block = note.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) return undefined;
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > MAX_SIGNATURES) return undefined;
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    const m = /^— (\S+) ([A-Za-z0-9+/]+={0,2})$/u.exec(line);
    const bytes = m ? fromBase64(m[2]!) : undefined;
    if (!m || !isValidKeyName(m[1]!) || !bytes || bytes.length < 5) return undefined;
    signatures.push({ name: m[1]!, keyId: readUint32BE(bytes), signature: bytes.slice(4) });
  }
  return { text, signatures };
}

const verifyEd25519 = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean => {
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
};

/** The time a cosignature states (seconds since the epoch), if it is a well-formed cosignature/v1. */
export function cosignatureTime(signature: Uint8Array): bigint | undefined {
  return signature.length === 72 ? readUint64BE(signature) : undefined;
}

/** Whether `sig` is a valid signature of `key` on the note's text. */
export function verifySignature(text: string, key: NoteKey, sig: NoteSignature): boolean {
  if (sig.name !== key.name || sig.keyId !== key.keyId) return false;
  if (key.type !== COSIGNATURE_V1)
    return sig.signature.length === 64 && verifyEd25519(sig.signature, utf8(text), key.publicKey);
  const time = cosignatureTime(sig.signature);
  // tlog-cosignature: the timestamp is a u64 of which the top bit is never set.
  if (time === undefined || time >= 2n ** 63n) return false;
  const message = utf8(`cosignature/v1\ntime ${time}\n${text}`);
  return verifyEd25519(sig.signature.subarray(8), message, key.publicKey);
}

export interface OpenedNote {
  readonly text: string;
  /** The given keys whose signatures verified, each once. */
  readonly verified: readonly NoteKey[];
}

/**
 * Opens a note with the keys given: undefined if it is malformed or any given key's signature on it
 * is invalid; otherwise the text and the keys that signed it (possibly none: the caller decides
 * whose signatures it needs).
 */
export function openNote(note: string, keys: readonly NoteKey[]): OpenedNote | undefined {
  const parsed = parseNote(note);
  if (!parsed) return undefined;
  const verified: NoteKey[] = [];
  for (const sig of parsed.signatures) {
    const key = keys.find((k) => k.name === sig.name && k.keyId === sig.keyId);
    if (!key) continue;
    if (!verifySignature(parsed.text, key, sig)) return undefined;
    if (!verified.includes(key)) verified.push(key);
  }
  return { text: parsed.text, verified };
}
