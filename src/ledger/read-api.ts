/**
 * The ledger's read-only HTTP paths, independent of any HTTP framework (the server mounts them):
 *
 *   GET checkpoint                       the latest checkpoint with its cosignatures (c2sp tlog-tiles)
 *   GET tile/<L>/<N>[.p/<W>]             a hash tile: W (or 256) hashes of 32 bytes
 *   GET tile/entries/<N>[.p/<W>]         an entry bundle: each entry as u16 length ‖ leaf input
 *   GET proof/inclusion?index=I&size=S   { index, size, proof: [base64…] }
 *   GET proof/consistency?old=M&size=N   { size1, size2, proof: [base64…] }
 *
 * Only what the latest checkpoint covers is served, so tiles, entries and checkpoint agree.
 *
 * The public gets the checkpoint, hash tiles and proofs: with salted leaves (log.ts) they show how
 * many entries there are and that the log only grows, never what an entry says. Entry bundles are
 * served only when the caller says the reader may audit (`entries: true`; service/ledger.ts decides):
 * c2sp tlog-tiles leaves their access to the log, and this log's entries name staff and what they did.
 */
import type { Db } from '../store/db.ts';
import { HASH_BYTES } from './merkle.ts';
import { ENTRY_COLUMNS, leafInput, type EntryRow, type Ledger } from './log.ts';
import { parseTilePath, TILE_WIDTH } from './tiles.ts';
import { cosignedCheckpoint } from './witness-client.ts';

export interface ReadResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer | string;
  readonly cacheControl: string;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Entry bundles go to authorised readers only: no shared cache may keep them (RFC 9111 §5.2.2.7). */
const IMMUTABLE_PRIVATE = 'private, max-age=31536000, immutable';
const notFound = (): ReadResponse => ({
  status: 404,
  contentType: 'text/plain; charset=utf-8',
  body: 'not found\n',
  cacheControl: 'no-store',
});
const badRequest = (): ReadResponse => ({
  status: 400,
  contentType: 'text/plain; charset=utf-8',
  body: 'bad request\n',
  cacheControl: 'no-store',
});
const json = (v: unknown): ReadResponse => ({
  status: 200,
  contentType: 'application/json',
  body: JSON.stringify(v),
  cacheControl: 'no-cache',
});

function count(v: string | null): number | undefined {
  return v !== null && /^(0|[1-9][0-9]{0,15})$/.test(v) && Number.isSafeInteger(Number(v)) ? Number(v) : undefined;
}

export interface ReadOptions {
  /** Whether entry bundles are served (default false: they are answered as not found). */
  readonly entries?: boolean;
}

export async function ledgerRead(
  db: Db,
  ledger: Ledger,
  path: string,
  query: URLSearchParams,
  opts: ReadOptions = {},
): Promise<ReadResponse> {
  const latest = await db.get<{ size: number }>('SELECT size FROM ledger_checkpoints ORDER BY size DESC LIMIT 1');
  const size = Number(latest?.size ?? 0);
  if (path === 'checkpoint') {
    const note = latest ? await cosignedCheckpoint(db, size) : undefined;
    return note
      ? { status: 200, contentType: 'text/plain; charset=utf-8', body: note, cacheControl: 'no-cache' }
      : notFound();
  }
  if (path === 'proof/inclusion' || path === 'proof/consistency') {
    const inclusion = path === 'proof/inclusion';
    const a = count(query.get(inclusion ? 'index' : 'old')),
      s = count(query.get('size'));
    if (a === undefined || s === undefined) return badRequest();
    if (s > size || (inclusion ? a >= s : a < 1 || a > s)) return notFound();
    const proof = (inclusion ? await ledger.inclusionProof(a, s) : await ledger.consistencyProof(a, s)).map((h) =>
      h.toString('base64'),
    );
    return json(inclusion ? { index: a, size: s, proof } : { size1: a, size2: s, proof });
  }
  const tile = parseTilePath(path);
  if (!tile || (tile.entries && opts.entries !== true)) return notFound();
  // How many hashes (or entries) of this tile the checkpointed tree has.
  const levelSize = Math.floor(size / TILE_WIDTH ** tile.level);
  const available = Math.min(TILE_WIDTH, levelSize - tile.index * TILE_WIDTH);
  if (available < tile.width) return notFound();
  if (tile.entries) {
    const first = tile.index * TILE_WIDTH;
    const rows = await db.all<EntryRow>(
      `SELECT ${ENTRY_COLUMNS} FROM audit_events WHERE seq > ? AND seq <= ? ORDER BY seq`,
      [first, first + tile.width],
    );
    if (rows.length !== tile.width) return notFound();
    const parts: Buffer[] = [];
    for (const r of rows) {
      const data = leafInput(r);
      const len = Buffer.alloc(2);
      len.writeUInt16BE(data.length, 0);
      parts.push(len, data);
    }
    return {
      status: 200,
      contentType: 'application/octet-stream',
      body: Buffer.concat(parts),
      cacheControl: IMMUTABLE_PRIVATE,
    };
  }
  const row = await db.get<{ hashes: Buffer }>('SELECT hashes FROM ledger_tiles WHERE level = ? AND idx = ?', [
    tile.level,
    tile.index,
  ]);
  if (!row || row.hashes.length < tile.width * HASH_BYTES) return notFound();
  return {
    status: 200,
    contentType: 'application/octet-stream',
    body: row.hashes.subarray(0, tile.width * HASH_BYTES),
    cacheControl: IMMUTABLE,
  };
}
