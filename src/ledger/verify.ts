/**
 * `ledger verify`: rebuilds the tree from the entries alone and checks it against what was stored
 * and signed. It names the first bad index:
 *   - a missing entry (a gap in the sequence) or a truncated log (fewer entries than a checkpoint);
 *   - an entry whose leaf hash (of its leaf input with its salt: log.ts) differs from the one
 *     stored in the level-0 tiles when it was integrated (changed, or moved by a reorder);
 *   - a checkpoint whose signature fails, or whose root the rebuilt tree does not reproduce (then
 *     the first bad index is at or after the last checkpoint that does match).
 */
import type { Db } from '../store/db.ts';
import { openCheckpoint } from './checkpoint.ts';
import { CompactRange, HASH_BYTES } from './merkle.ts';
import { ENTRY_COLUMNS, entryLeafHash, type EntryRow } from './log.ts';
import { openNote, type NoteVerifier } from './signed-note.ts';
import { TILE_WIDTH } from './tiles.ts';

export interface LedgerReport {
  readonly ok: boolean;
  readonly entries: number;
  readonly checkpoints: number;
  readonly firstBadIndex?: number;
  readonly problem?:
    | 'missing entry'
    | 'entry changed or moved'
    | 'log truncated'
    | 'checkpoint signature'
    | 'checkpoint root'
    | 'cosignature';
  /** Cosignatures that verified, of those kept. */
  readonly cosignatures?: { readonly verified: number; readonly kept: number };
}

export async function verifyLedger(
  db: Db,
  log: NoteVerifier,
  onProgress?: (entries: number) => void,
  witnesses: readonly NoteVerifier[] = [],
): Promise<LedgerReport> {
  const cps = (
    await db.all<{ size: number; note: string; root: Buffer }>(
      'SELECT size, note, root FROM ledger_checkpoints ORDER BY size',
    )
  ).map((c) => ({ ...c, size: Number(c.size) }));
  type Finding = { index: number; problem: NonNullable<LedgerReport['problem']> };
  // Exact findings name an index; a checkpoint that fails only bounds it ("at or after").
  let exact: Finding | undefined, bound: Finding | undefined;
  const flag = (index: number, problem: Finding['problem']) => {
    const isBound = problem === 'checkpoint root' || problem === 'checkpoint signature' || problem === 'cosignature';
    if (isBound) {
      if (!bound || index < bound.index) bound = { index, problem };
    } else if (!exact || index < exact.index) exact = { index, problem };
  };
  // Signatures first: a checkpoint the log's key did not sign proves nothing.
  const signed = new Map<number, Buffer>();
  for (const c of cps) {
    try {
      const { checkpoint } = openCheckpoint(c.note, log);
      if (checkpoint.size !== c.size) throw new Error('size');
      signed.set(c.size, checkpoint.root);
    } catch {
      flag(c.size, 'checkpoint signature');
    }
  }
  // Every cosignature kept must be a valid one, by a configured witness, on its checkpoint.
  const cosigs = await db.all<{ size: number; witness: string; line: string }>(
    'SELECT size, witness, line FROM ledger_cosignatures ORDER BY size',
  );
  let cosigned = 0;
  for (const c of cosigs) {
    const cp = cps.find((x) => x.size === Number(c.size));
    const w = witnesses.filter((k) => k.name === c.witness);
    if (!cp || w.length === 0) continue;
    try {
      if (openNote(`${cp.note}${c.line}\n`, w).verified.length > 0) cosigned++;
    } catch {
      flag(Number(c.size), 'cosignature');
    }
  }
  const range = new CompactRange();
  let lastGood = 0,
    tile: Buffer | undefined,
    tileIdx = -1;
  const pending = [...signed.keys()].sort((a, b) => a - b);
  const checkAt = () => {
    while (pending.length > 0 && pending[0] === range.size) {
      const size = pending.shift()!;
      if (range.root().equals(signed.get(size)!)) lastGood = size;
      else flag(lastGood, 'checkpoint root');
    }
  };
  checkAt();
  for (let after = 0; ; ) {
    const rows = await db.all<EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM audit_events WHERE seq > ? ORDER BY seq LIMIT 10000`,
      [after],
    );
    for (const r of rows) {
      const seq = Number(r.seq);
      if (seq !== range.size + 1) {
        flag(range.size, 'missing entry');
        // Keep going with the entries as they are: checkpoints after the gap will not match.
      }
      const index = range.size;
      const h = entryLeafHash(r);
      const t = Math.floor(index / TILE_WIDTH);
      if (t !== tileIdx) {
        tile = (await db.get<{ hashes: Buffer }>('SELECT hashes FROM ledger_tiles WHERE level = 0 AND idx = ?', [t]))
          ?.hashes;
        tileIdx = t;
      }
      const stored = tile?.subarray((index % TILE_WIDTH) * HASH_BYTES, ((index % TILE_WIDTH) + 1) * HASH_BYTES);
      if (stored && stored.length === HASH_BYTES && !stored.equals(h)) flag(index, 'entry changed or moved');
      range.append(h);
      checkAt();
    }
    if (rows.length === 0) break;
    after = Number(rows[rows.length - 1]!.seq);
    onProgress?.(range.size);
  }
  if (pending.length > 0) flag(range.size, 'log truncated');
  const bad = exact ?? bound;
  const cosignatures = witnesses.length > 0 ? { cosignatures: { verified: cosigned, kept: cosigs.length } } : {};
  return bad
    ? {
        ok: false,
        entries: range.size,
        checkpoints: cps.length,
        firstBadIndex: bad.index,
        problem: bad.problem,
        ...cosignatures,
      }
    : { ok: true, entries: range.size, checkpoints: cps.length, ...cosignatures };
}
