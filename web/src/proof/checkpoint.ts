/**
 * Checkpoints, c2sp.org/tlog-checkpoint: the text of a signed note,
 *
 *   <origin>\n  <tree size, decimal>\n  <root hash, base64>\n  [extension lines]
 *
 * verified against the keys pinned in the page: the log's signature (its key's name is the
 * origin) and at least `quorum` witnesses' cosignatures.
 */
import { fromBase64 } from './bytes.ts';
import { HASH_BYTES } from './merkle.ts';
import { cosignatureTime, openNote, parseNote } from './signed-note.ts';
import type { NoteKey } from './note-key.ts';

export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Uint8Array;
}

export function parseCheckpoint(text: string): Checkpoint | undefined {
  const lines = text.split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '') return undefined;
  const [origin, size, root] = lines as [string, string, string];
  const rootBytes = fromBase64(root);
  // Decimal without leading zeros; base64 that round-trips to a 32-byte hash.
  if (!origin || !/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(Number(size))) return undefined;
  if (rootBytes?.length !== HASH_BYTES) return undefined;
  return { origin, size: Number(size), root: rootBytes };
}

/** The keys a page trusts: the log's, its witnesses', and how many of these must have cosigned. */
export interface PinnedKeys {
  readonly log: NoteKey;
  readonly witnesses: readonly NoteKey[];
  readonly quorum: number;
}

export type CheckpointResult =
  | {
      readonly ok: true;
      readonly checkpoint: Checkpoint;
      /** The witnesses whose cosignatures verified, with the time each states (seconds). */
      readonly witnesses: readonly { name: string; time: number }[];
    }
  | { readonly ok: false; readonly reason: 'malformed' | 'signature' | 'origin' | 'witnesses' };

/**
 * Verifies a signed checkpoint: well-formed, signed by the log's key, whose name is its origin, and
 * cosigned by at least `quorum` of the pinned witnesses. An invalid signature by any pinned key
 * fails it, whoever else signed.
 */
export function verifyCheckpoint(note: string, keys: PinnedKeys): CheckpointResult {
  const parsed = parseNote(note);
  if (!parsed) return { ok: false, reason: 'malformed' };
  const opened = openNote(note, [keys.log, ...keys.witnesses]);
  if (!opened) return { ok: false, reason: 'signature' };
  const checkpoint = parseCheckpoint(opened.text);
  if (!checkpoint) return { ok: false, reason: 'malformed' };
  if (!opened.verified.includes(keys.log)) return { ok: false, reason: 'signature' };
  if (checkpoint.origin !== keys.log.name) return { ok: false, reason: 'origin' };
  const witnesses = keys.witnesses
    .filter((w) => opened.verified.includes(w))
    .map((w) => {
      const sig = parsed.signatures.find((s) => s.name === w.name && s.keyId === w.keyId)!;
      return { name: w.name, time: Number(cosignatureTime(sig.signature) ?? 0n) };
    });
  if (witnesses.length < keys.quorum) return { ok: false, reason: 'witnesses' };
  return { ok: true, checkpoint, witnesses };
}
