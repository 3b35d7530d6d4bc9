/**
 * Verifier keys of signed notes, c2sp.org/signed-note, as the log and its witnesses publish them:
 *
 *   <name>+<hex key id>+<base64(type ‖ 32-byte Ed25519 public key)>
 *   key id = SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4], big-endian
 *
 * Type 0x01 is an Ed25519 note signature (the log's checkpoints); type 0x04 a cosignature/v1
 * (c2sp.org/tlog-cosignature: the witnesses'). A key whose id does not match its name and bytes is
 * refused, as the server's src/ledger/signed-note.ts refuses it.
 */
import { fromBase64, hex8, readUint32BE, utf8 } from './bytes.ts';
import { sha256 } from './sha256.ts';

export const ED25519 = 0x01;
export const COSIGNATURE_V1 = 0x04;

export interface NoteKey {
  readonly name: string;
  readonly keyId: number;
  /** 0x01 (the log's note signatures) or 0x04 (a witness's cosignatures). */
  readonly type: typeof ED25519 | typeof COSIGNATURE_V1;
  readonly publicKey: Uint8Array;
}

/** c2sp.org/signed-note: key names are non-empty, without Unicode spaces, '+' or control characters. */
export function isValidKeyName(name: string): boolean {
  return name.length > 0 && !/[\s+]/u.test(name) && /^[\P{Cc}]+$/u.test(name);
}

export async function keyId(name: string, keyData: Uint8Array): Promise<number> {
  return readUint32BE(await sha256(utf8(name), Uint8Array.of(0x0a), keyData));
}

/** Parses a verifier key of the expected type; undefined if it is malformed or its key id is wrong. */
export async function parseNoteKey(text: string, type: NoteKey['type']): Promise<NoteKey | undefined> {
  // The name and the id end at the first two '+'; base64 may hold '+' itself.
  const trimmed = text.trim();
  const first = trimmed.indexOf('+');
  const second = first < 0 ? -1 : trimmed.indexOf('+', first + 1);
  if (second < 0) return undefined;
  const name = trimmed.slice(0, first),
    id = trimmed.slice(first + 1, second);
  const data = fromBase64(trimmed.slice(second + 1));
  if (!isValidKeyName(name) || !/^[0-9a-f]{8}$/.test(id) || data?.length !== 33 || data[0] !== type) return undefined;
  const computed = await keyId(name, data);
  if (hex8(computed) !== id) return undefined;
  return { name, keyId: computed, type, publicKey: data.slice(1) };
}
