/**
 * The ledger as stored: the entries are the rows of audit_events (leaf i is entry seq i + 1); the
 * tree over them is kept as its right edge and its c2sp tiles, so integrating new entries never
 * rehashes old ones, and proofs are read from tiles. Checkpoints are signed with a key held outside
 * the database.
 *
 * The leaf input of an entry (c2sp.org/tlog-tiles: the log defines its entries' encoding), lines
 * separated by "\n" (JSON.stringify never writes a raw newline, so the entry is the last line):
 *
 *   <seq>\n<tenant>\n<at>\nsalt <32 hex digits>\n<entry JSON>
 *
 * and its leaf hash is SHA-256(0x00 ‖ leaf input) (RFC 9162 §2.1.1). The salt is 128 random bits
 * drawn when the entry is appended (store/audit.ts), so the leaf hash is a hiding commitment: the
 * public hash tiles and proofs let no one confirm a guessed entry (who logged in, which record was
 * read), however few the candidates; only a holder of the entry, salt included, can open it.
 * Entries appended before salts existed (salt NULL) keep their leaf input of four lines, without
 * the salt line: their hashes are already in signed checkpoints. The two forms cannot be confused:
 * the fourth line is "salt …" in one and the JSON object ("{…") in the other.
 */
import { TracevaultError } from '../errors.ts';
import type { Db } from '../store/db.ts';
import { lockUntilCommit } from '../store/dialect/locks.ts';
import { signCheckpoint } from './checkpoint.ts';
import { formatReceipt } from './receipt.ts';
import {
  CompactRange,
  consistencyProof,
  EMPTY_ROOT,
  HASH_BYTES,
  inclusionProof,
  leafHashOfText,
  nodeHash,
  splitPoint,
  type Hash,
} from './merkle.ts';
import type { NoteSigner } from './signed-note.ts';
import { TILE_HEIGHT, TILE_WIDTH } from './tiles.ts';

export interface EntryRow {
  seq: number;
  tenant_id: string;
  at: string;
  /** 32 hex digits (16 random bytes); null only for entries appended before salts existed. */
  salt: string | null;
  entry: string;
  [k: string]: unknown;
}

/** The columns of audit_events that make an entry's leaf input, for `SELECT ${ENTRY_COLUMNS} FROM audit_events`. */
export const ENTRY_COLUMNS = 'seq, tenant_id, at, salt, entry';

function leafText(r: EntryRow): string {
  // A row read without its salt column would hash as an unsalted entry: a wrong leaf, not a legacy one.
  if (r.salt === undefined) throw new Error('ledger: an entry row without its salt column');
  const head = `${Number(r.seq)}\n${r.tenant_id}\n${r.at}\n`;
  return r.salt == null ? `${head}${r.entry}` : `${head}salt ${r.salt}\n${r.entry}`;
}

/** The leaf input of an entry: what its leaf hash commits to. */
export function leafInput(r: EntryRow): Buffer {
  return Buffer.from(leafText(r), 'utf8');
}

/** leafHash(leafInput(r)), in one call. */
export function entryLeafHash(r: EntryRow): Hash {
  return leafHashOfText(leafText(r));
}

function splitHashes(b: Buffer): Hash[] {
  const out: Hash[] = [];
  for (let i = 0; i + HASH_BYTES <= b.length; i += HASH_BYTES) out.push(b.subarray(i, i + HASH_BYTES));
  return out;
}

const isPerfect = (n: number) => n >= 1 && splitPoint(n + 1) === n;

/** A tile with its internal levels: levels[r][j] is the hash over 2^r tile hashes starting at j·2^r. */
type ExpandedTile = Hash[][];

function expand(hashes: readonly Hash[]): ExpandedTile {
  const levels: Hash[][] = [[...hashes]];
  for (let r = 1; r <= TILE_HEIGHT; r++) {
    const below = levels[r - 1]!,
      next: Hash[] = [];
    for (let j = 0; j + 1 < below.length && below[j] && below[j + 1]; j += 2)
      next.push(nodeHash(below[j]!, below[j + 1]!));
    levels.push(next);
  }
  return levels;
}

/** Full tiles kept expanded in memory, least recently used dropped first (about 16 KiB each). */
const TILE_CACHE = 2048;

export class Ledger {
  readonly #db: Db;
  readonly #tiles = new Map<string, ExpandedTile>();

  constructor(db: Db) {
    this.#db = db;
  }

  /** The integrated tree: its size and right edge. */
  async state(db: Db = this.#db): Promise<CompactRange> {
    const row = await db.get<{ size: number; edge: Buffer }>('SELECT size, edge FROM ledger_state WHERE id = 1');
    return row ? new CompactRange(Number(row.size), splitHashes(row.edge)) : new CompactRange();
  }

  /**
   * Integrates the entries appended since the last integration: leaf hashes into the right edge and
   * the tiles, in one transaction. Returns the new tree size. A gap in the sequence is refused.
   */
  async integrate(batch = 50_000): Promise<number> {
    for (;;) {
      const { size, added } = await this.#db.transaction(async (tx) => {
        await lockUntilCommit(tx, 'ledgerIntegrator');
        const range = await this.state(tx);
        const rows = await tx.all<EntryRow>(
          `SELECT ${ENTRY_COLUMNS} FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?`,
          [range.size, batch],
        );
        if (rows.length === 0) return { size: range.size, added: 0 };
        const touched = new Map<string, { level: number; idx: number; hashes: Hash[] }>();
        const tileOf = async (level: number, idx: number) => {
          const key = `${level}/${idx}`;
          let t = touched.get(key);
          if (!t) {
            const row = await tx.get<{ hashes: Buffer }>(
              'SELECT hashes FROM ledger_tiles WHERE level = ? AND idx = ?',
              [level, idx],
            );
            touched.set(key, (t = { level, idx, hashes: row ? splitHashes(row.hashes) : [] }));
          }
          return t;
        };
        const nodes: [number, number, Hash][] = [];
        for (const r of rows) {
          if (Number(r.seq) !== range.size + 1)
            throw new TracevaultError('ERR_STORAGE', { rule: 'ledgerGap', row: range.size });
          range.append(entryLeafHash(r), (level, index, h) => {
            if (level % TILE_HEIGHT === 0) nodes.push([level / TILE_HEIGHT, index, h]);
          });
        }
        for (const [level, index, h] of nodes) {
          const t = await tileOf(level, Math.floor(index / TILE_WIDTH));
          t.hashes[index % TILE_WIDTH] = h;
        }
        for (const t of touched.values()) {
          const bytes = Buffer.concat(t.hashes);
          await tx.run(
            'INSERT INTO ledger_tiles (level, idx, hashes) VALUES (?, ?, ?) ' +
              'ON CONFLICT (level, idx) DO UPDATE SET hashes = excluded.hashes',
            [t.level, t.idx, bytes],
          );
        }
        await tx.run(
          'INSERT INTO ledger_state (id, size, edge) VALUES (1, ?, ?) ' +
            'ON CONFLICT (id) DO UPDATE SET size = excluded.size, edge = excluded.edge',
          [range.size, Buffer.concat(range.hashes)],
        );
        return { size: range.size, added: rows.length };
      });
      if (added < batch) return size;
    }
  }

  /**
   * A tile, expanded, from the cache when it holds hash (r, pos); read again otherwise. Hashes
   * never change once written, so a cached partial tile stays right for what it holds.
   */
  async #tile(level: number, idx: number, r: number, pos: number): Promise<ExpandedTile> {
    const key = `${level}/${idx}`;
    let t = this.#tiles.get(key);
    if (t && t[r]![pos]) {
      this.#tiles.delete(key);
      this.#tiles.set(key, t);
      return t;
    }
    const row = await this.#db.get<{ hashes: Buffer }>('SELECT hashes FROM ledger_tiles WHERE level = ? AND idx = ?', [
      level,
      idx,
    ]);
    t = expand(row ? splitHashes(row.hashes) : []);
    this.#tiles.delete(key);
    this.#tiles.set(key, t);
    if (this.#tiles.size > TILE_CACHE) this.#tiles.delete(this.#tiles.keys().next().value!);
    return t;
  }

  /** The hash of leaves [lo, hi), from tiles: perfect aligned subtrees read, the rest combined. */
  async subtree(lo: number, hi: number): Promise<Hash> {
    const n = hi - lo;
    if (isPerfect(n) && lo % n === 0) {
      const height = Math.log2(n);
      const tileLevel = Math.floor(height / TILE_HEIGHT);
      const r = height - tileLevel * TILE_HEIGHT; // levels above the tile's own hashes
      const first = (lo / n) * 2 ** r; // index of its first hash at the tile level
      const pos = (first % TILE_WIDTH) / 2 ** r;
      const h = (await this.#tile(tileLevel, Math.floor(first / TILE_WIDTH), r, pos))[r]![pos];
      if (!h) throw new TracevaultError('ERR_STORAGE', { rule: 'ledgerTileMissing' });
      return h;
    }
    const k = splitPoint(n);
    return nodeHash(await this.subtree(lo, lo + k), await this.subtree(lo + k, hi));
  }

  async root(size: number): Promise<Hash> {
    return size === 0 ? EMPTY_ROOT : this.subtree(0, size);
  }

  async inclusionProof(index: number, size: number): Promise<Hash[]> {
    return resolve(
      (sub) => inclusionProof(index, size, sub),
      (lo, hi) => this.subtree(lo, hi),
    );
  }

  async consistencyProof(size1: number, size2: number): Promise<Hash[]> {
    return resolve(
      (sub) => consistencyProof(size1, size2, sub),
      (lo, hi) => this.subtree(lo, hi),
    );
  }

  /**
   * Integrates, then signs and stores a checkpoint of the new size unless one of that size exists.
   * Returns the latest checkpoint note.
   */
  async checkpoint(
    origin: string,
    signer: NoteSigner,
    now: Date = new Date(),
  ): Promise<{ size: number; note: string }> {
    const size = await this.integrate();
    const last = await this.#db.get<{ size: number; note: string }>(
      'SELECT size, note FROM ledger_checkpoints ORDER BY size DESC LIMIT 1',
    );
    if (last && Number(last.size) === size) return { size, note: last.note };
    const root = await this.root(size);
    const note = signCheckpoint({ origin, size, root }, signer);
    await this.#db.run(
      'INSERT INTO ledger_checkpoints (size, root, note, signed_at) VALUES (?, ?, ?, ?) ON CONFLICT (size) DO NOTHING',
      [size, root, note, now.toISOString()],
    );
    return { size, note };
  }
}

/**
 * A receipt (c2sp tlog-proof) for the entry at `index`, against the latest checkpoint that covers
 * it, with every cosignature kept for that checkpoint.
 */
export async function receiptFor(db: Db, ledger: Ledger, index: number): Promise<string> {
  const cp = await db.get<{ size: number; note: string }>(
    'SELECT size, note FROM ledger_checkpoints WHERE size > ? ORDER BY size DESC LIMIT 1',
    [index],
  );
  const row = await db.get<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM audit_events WHERE seq = ?`, [index + 1]);
  if (!cp || !row) throw new TracevaultError('ERR_NOT_FOUND');
  const size = Number(cp.size);
  const cosigs = await db.all<{ line: string }>(
    'SELECT line FROM ledger_cosignatures WHERE size = ? ORDER BY witness',
    [size],
  );
  return formatReceipt({
    index,
    extra: leafInput(row),
    proof: await ledger.inclusionProof(index, size),
    checkpoint: cp.note + cosigs.map((c) => `${c.line}\n`).join(''),
  });
}

/**
 * The proof builders are synchronous over a subtree function; tiles are read asynchronously. Run
 * the builder once to learn which subtrees it needs, fetch them, then run it again.
 */
async function resolve(
  build: (sub: (lo: number, hi: number) => Hash) => Hash[],
  fetch: (lo: number, hi: number) => Promise<Hash>,
): Promise<Hash[]> {
  const wanted: [number, number][] = [];
  build((lo, hi) => {
    wanted.push([lo, hi]);
    return EMPTY_ROOT;
  });
  const got = new Map<string, Hash>();
  for (const [lo, hi] of wanted) got.set(`${lo}:${hi}`, await fetch(lo, hi));
  return build((lo, hi) => got.get(`${lo}:${hi}`)!);
}
