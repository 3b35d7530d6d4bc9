/**
 * Checkpoints, c2sp.org/tlog-checkpoint: the body of a signed note,
 *
 *   <origin>\n  <tree size, decimal>\n  <root hash, base64>\n  [extension lines]
 *
 * The log's signing key name is its origin.
 */
import { TracevaultError } from '../errors.ts';
import { HASH_BYTES } from './merkle.ts';
import { openNote, signNote, type NoteSigner, type NoteVerifier } from './signed-note.ts';

export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Buffer;
  readonly extensions?: readonly string[];
}

export function formatCheckpoint(c: Checkpoint): string {
  if (
    !c.origin ||
    /[\n\r]/.test(c.origin) ||
    !Number.isSafeInteger(c.size) ||
    c.size < 0 ||
    c.root.length !== HASH_BYTES
  ) {
    throw new TracevaultError('ERR_MALFORMED_NOTE');
  }
  return [c.origin, String(c.size), c.root.toString('base64'), ...(c.extensions ?? [])].join('\n') + '\n';
}

export function parseCheckpoint(text: string): Checkpoint {
  const lines = text.split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '') throw new TracevaultError('ERR_MALFORMED_NOTE');
  const [origin, size, root, ...rest] = lines.slice(0, -1) as [string, string, string, ...string[]];
  const rootBytes = Buffer.from(root, 'base64');
  // Decimal without leading zeros (tlog-checkpoint); base64 that round-trips to a 32-byte hash.
  if (
    !origin ||
    !/^(0|[1-9][0-9]*)$/.test(size) ||
    !Number.isSafeInteger(Number(size)) ||
    rootBytes.length !== HASH_BYTES ||
    rootBytes.toString('base64') !== root
  ) {
    throw new TracevaultError('ERR_MALFORMED_NOTE');
  }
  return { origin, size: Number(size), root: rootBytes, extensions: rest };
}

export function signCheckpoint(c: Checkpoint, signer: NoteSigner): string {
  if (signer.name !== c.origin) throw new TracevaultError('ERR_BAD_KEY');
  return signNote(formatCheckpoint(c), [signer]);
}

/** Opens a signed checkpoint: a valid signature by the log's key (named as its origin) is required. */
export function openCheckpoint(
  note: string,
  log: NoteVerifier,
  others: readonly NoteVerifier[] = [],
): { checkpoint: Checkpoint; verified: readonly string[] } {
  const opened = openNote(note, [log, ...others]);
  const checkpoint = parseCheckpoint(opened.text);
  if (checkpoint.origin !== log.name || !opened.verified.some((v) => v.name === log.name && v.keyId === log.keyId)) {
    throw new TracevaultError('ERR_UNVERIFIED_NOTE');
  }
  return { checkpoint, verified: opened.verified.map((v) => v.name) };
}
