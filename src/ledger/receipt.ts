/**
 * Receipts, c2sp.org/tlog-proof@v1: an offline-verifiable proof that an entry is in the log, as
 * seen by its witnesses. This is what a parent downloads for an entry about their child's record.
 *
 *   c2sp.org/tlog-proof@v1
 *   extra <base64 of the entry's leaf input>      (identifiers only: no personal value)
 *   index <index>
 *   <inclusion proof, one base64 hash a line>
 *   <empty line>
 *   <the checkpoint, verbatim, with the log's signature and the witnesses' cosignatures>
 *
 * The extra data is not trusted by itself: its leaf hash must be proven included.
 */
import { TracevaultError } from '../errors.ts';
import { parseCheckpoint } from './checkpoint.ts';
import { HASH_BYTES, leafHash, verifyInclusion } from './merkle.ts';
import { openNote, type NoteVerifier } from './signed-note.ts';

const HEADER = 'c2sp.org/tlog-proof@v1';

export interface Receipt {
  readonly index: number;
  readonly proof: readonly Buffer[];
  readonly checkpoint: string;
  readonly extra?: Buffer;
}

export function formatReceipt(r: Receipt): string {
  return [
    HEADER,
    ...(r.extra ? [`extra ${r.extra.toString('base64')}`] : []),
    `index ${r.index}`,
    ...r.proof.map((h) => h.toString('base64')),
    '',
    r.checkpoint,
  ].join('\n');
}

export function parseReceipt(text: string): Receipt {
  const split = text.indexOf('\n\n');
  if (split < 0) throw new TracevaultError('ERR_BAD_REQUEST');
  const lines = text.slice(0, split).split('\n');
  if (lines.shift() !== HEADER) throw new TracevaultError('ERR_BAD_REQUEST');
  let extra: Buffer | undefined;
  if (lines[0]?.startsWith('extra ')) extra = Buffer.from(lines.shift()!.slice(6), 'base64');
  const m = /^index (0|[1-9][0-9]*)$/.exec(lines.shift() ?? '');
  if (!m || !Number.isSafeInteger(Number(m[1]))) throw new TracevaultError('ERR_BAD_REQUEST');
  const proof = lines.map((l) => Buffer.from(l, 'base64'));
  if (proof.some((p, i) => p.length !== HASH_BYTES || p.toString('base64') !== lines[i]))
    throw new TracevaultError('ERR_BAD_REQUEST');
  return { index: Number(m[1]), proof, checkpoint: text.slice(split + 2), ...(extra ? { extra } : {}) };
}

export interface ReceiptCheck {
  readonly valid: boolean;
  readonly index: number;
  readonly size?: number;
  /** Witnesses whose cosignatures verified. */
  readonly witnesses: readonly string[];
  /** The entry (the receipt's extra data), when it is proven included. */
  readonly entry?: string;
}

/**
 * Verifies a receipt offline: the log's signature on the checkpoint, at least `quorum` witness
 * cosignatures, and the inclusion of the entry (the receipt's extra data, or `leafInput`).
 */
export function verifyReceipt(
  text: string,
  log: NoteVerifier,
  witnesses: readonly NoteVerifier[] = [],
  opts: { quorum?: number; leafInput?: Uint8Array } = {},
): ReceiptCheck {
  const r = parseReceipt(text);
  const input = opts.leafInput ?? r.extra;
  const fail: ReceiptCheck = { valid: false, index: r.index, witnesses: [] };
  if (!input) return fail;
  let opened;
  try {
    opened = openNote(r.checkpoint, [log, ...witnesses]);
  } catch {
    return fail;
  }
  if (!opened.verified.some((v) => v.name === log.name && v.keyId === log.keyId)) return fail;
  const cp = parseCheckpoint(opened.text);
  if (cp.origin !== log.name) return fail;
  const seen = opened.verified
    .filter((v) => witnesses.some((w) => w.name === v.name && w.keyId === v.keyId))
    .map((v) => v.name);
  const included = verifyInclusion(r.index, cp.size, leafHash(input), r.proof, cp.root);
  const valid = included && seen.length >= (opts.quorum ?? 0);
  return {
    valid,
    index: r.index,
    size: cp.size,
    witnesses: seen,
    ...(included ? { entry: Buffer.from(input).toString('utf8') } : {}),
  };
}
