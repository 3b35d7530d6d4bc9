/**
 * The ledger (issue 3), against merkletreejs configured for RFC 6962 hashing (leaves pre-hashed with
 * 0x00, a concatenator prefixing 0x01: the same roots, checked below), in the same run:
 *   1. durable appends per second (SQLite, synchronous=FULL), k appends per commit (group commit);
 *   2. tree integration rate: our compact range in memory, our integration into tiles in SQLite,
 *      and merkletreejs building a tree;
 *   3. inclusion and consistency proof time at 10 million entries, read from tiles;
 *   4. full verification (`ledger verify`) of a 1-million-entry log.
 * Sizes: BENCH_PROOF_SIZE (default 10,000,000), BENCH_VERIFY_SIZE (default 1,000,000).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { MerkleTree } from 'merkletreejs';
import { initVault } from '../src/store/vault.ts';
import { openDb } from '../src/store/dialect/open-db.ts';
import { migrate } from '../src/store/migrations.ts';
import { Ledger } from '../src/ledger/log.ts';
import { CompactRange, leafHash, verifyConsistency, verifyInclusion, type Hash } from '../src/ledger/merkle.ts';
import { noteKeyFromSeed, parseSignerKey, parseVerifierKey } from '../src/ledger/signed-note.ts';
import { verifyLedger } from '../src/ledger/verify.ts';
import { TILE_HEIGHT, TILE_WIDTH } from '../src/ledger/tiles.ts';
import { BENCH_DIR, machine, median } from './common.ts';

const PROOF_SIZE = Number(process.env.BENCH_PROOF_SIZE ?? 10_000_000);
const VERIFY_SIZE = Number(process.env.BENCH_VERIFY_SIZE ?? 1_000_000);
const dir = join(BENCH_DIR, 'ledger');
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const sha = (b: Buffer) => createHash('sha256').update(b).digest();
const mtOptions = { concatenator: (bs: Buffer[]) => Buffer.concat([Buffer.of(1), ...bs]) };
const fmt = (n: number) => Math.round(n).toLocaleString('en');
console.log(`machine: ${machine()}`);

// 1. Durable appends.
{
  const { vault } = await initVault(join(dir, 'appends'));
  for (const k of [1, 100, 1000]) {
    const total = k === 1 ? 2000 : 50_000;
    const t = performance.now();
    for (let i = 0; i < total; i += k) {
      await vault.registry.audited(async (_tx, events) => {
        for (let j = 0; j < k; j++)
          events.push({
            action: 'read',
            principalId: 'p_bench',
            recordRef: `ref${i + j}`,
            fields: ['motherPhone'],
            outcome: 'ok',
          });
      });
    }
    const s = (performance.now() - t) / 1000;
    console.log(`durable appends, ${String(k).padStart(4)} per commit: ${fmt(total / s)}/s`);
  }
  // One entry per transaction, as requests append them, 500 at a time concurrently: group commit.
  {
    const total = 50_000,
      concurrent = 500;
    const t = performance.now();
    for (let i = 0; i < total; i += concurrent) {
      await Promise.all(
        Array.from({ length: concurrent }, (_, j) =>
          vault.registry.audited(async (_tx, events) => {
            events.push({
              action: 'read',
              principalId: 'p_bench',
              recordRef: `c${i + j}`,
              fields: ['motherPhone'],
              outcome: 'ok',
            });
          }),
        ),
      );
    }
    console.log(
      `durable appends, 1 per transaction, ${concurrent} concurrent (group commit): ` +
        `${fmt(total / ((performance.now() - t) / 1000))}/s`,
    );
  }
  // 2b. Integration of what was appended into tiles.
  const ledger = new Ledger(vault.db);
  const t = performance.now();
  const size = await ledger.integrate();
  console.log(
    `integration into tiles (SQLite): ${fmt(size / ((performance.now() - t) / 1000))} entries/s (${fmt(size)} entries)`,
  );
  await vault.close();
}

// 2. Integration in memory vs merkletreejs.
{
  const n = 1_000_000;
  const leaves: Hash[] = [];
  for (let i = 0; i < n; i++) leaves.push(leafHash(Buffer.from(`entry ${i}`)));
  let t = performance.now();
  const range = new CompactRange();
  for (const l of leaves) range.append(l);
  const ours = n / ((performance.now() - t) / 1000);
  t = performance.now();
  const mt = new MerkleTree(leaves, sha, mtOptions);
  const theirs = n / ((performance.now() - t) / 1000);
  if (!mt.getRoot().equals(range.root())) throw new Error('merkletreejs root differs: not configured as RFC 6962');
  console.log(
    `integration in memory, ${fmt(n)} leaves: ours ${fmt(ours)}/s, ` +
      `merkletreejs ${fmt(theirs)}/s (${(ours / theirs).toFixed(1)}x); same root`,
  );
  // merkletreejs proofs at 1M (it holds the whole tree in memory).
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const idx = (i * 7919) % n;
    const s = performance.now();
    mt.getProof(leaves[idx]!, idx);
    times.push(performance.now() - s);
  }
  console.log(`merkletreejs inclusion proof at ${fmt(n)}: median ${median(times).toFixed(3)} ms`);
}

// 3. Proofs from tiles at PROOF_SIZE entries (tiles built directly from synthetic leaves).
{
  const db = await openDb({ kind: 'sqlite', file: join(dir, 'proofs.db') });
  await migrate(db);
  const t0 = performance.now();
  const range = new CompactRange();
  const open = new Map<string, Hash[]>();
  let pending: [number, number, Buffer][] = [];
  const flush = async () => {
    const rows = pending;
    pending = [];
    await db.transaction((tx) =>
      tx.insertMany(
        'INSERT INTO ledger_tiles (level, idx, hashes) VALUES',
        rows,
        'ON CONFLICT (level, idx) DO UPDATE SET hashes = excluded.hashes',
      ),
    );
  };
  const leafOf = (i: number) => leafHash(Buffer.from(`synthetic entry ${i}`));
  for (let i = 0; i < PROOF_SIZE; i++) {
    range.append(leafOf(i), (level, index, h) => {
      if (level % TILE_HEIGHT !== 0) return;
      const key = `${level / TILE_HEIGHT}/${Math.floor(index / TILE_WIDTH)}`;
      let tile = open.get(key);
      if (!tile) open.set(key, (tile = []));
      tile[index % TILE_WIDTH] = h;
      if (tile.length === TILE_WIDTH) {
        pending.push([level / TILE_HEIGHT, Math.floor(index / TILE_WIDTH), Buffer.concat(tile)]);
        open.delete(key);
      }
    });
    if (pending.length >= 2000) await flush();
  }
  for (const [key, tile] of open) {
    const [level, idx] = key.split('/').map(Number) as [number, number];
    pending.push([level, idx, Buffer.concat(tile)]);
  }
  await flush();
  console.log(`built tiles for ${fmt(PROOF_SIZE)} entries in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const root = range.root();
  const measure = async (fresh: boolean) => {
    const inc: number[] = [],
      con: number[] = [];
    let ledger = new Ledger(db);
    for (let i = 0; i < 200; i++) {
      if (fresh) ledger = new Ledger(db);
      const idx = Math.floor((((i * 2654435761) % 4294967296) / 4294967296) * PROOF_SIZE);
      let s = performance.now();
      const p = await ledger.inclusionProof(idx, PROOF_SIZE);
      inc.push(performance.now() - s);
      if (!verifyInclusion(idx, PROOF_SIZE, leafOf(idx), p, root)) throw new Error('inclusion');
      const m = 1 + Math.floor(idx / 2);
      s = performance.now();
      const c = await ledger.consistencyProof(m, PROOF_SIZE);
      con.push(performance.now() - s);
      if (i === 0 && !verifyConsistency(m, PROOF_SIZE, await ledger.root(m), root, c)) throw new Error('consistency');
    }
    return { inc: median(inc), con: median(con) };
  };
  const cold = await measure(true),
    warm = await measure(false);
  console.log(
    `proofs at ${fmt(PROOF_SIZE)} entries from tiles: ` +
      `inclusion median ${cold.inc.toFixed(3)} ms cold, ${warm.inc.toFixed(3)} ms warm; ` +
      `consistency ${cold.con.toFixed(3)} ms cold, ${warm.con.toFixed(3)} ms warm`,
  );
  await db.close();
}

// 4. Full verification of a VERIFY_SIZE-entry log.
{
  const { vault } = await initVault(join(dir, 'verify'));
  const base = Number((await vault.db.get<{ n: number }>('SELECT MAX(seq) AS n FROM audit_events'))!.n);
  const at = new Date().toISOString();
  for (let s = base + 1; s <= VERIFY_SIZE; s += 20_000) {
    const rows: (string | number)[][] = [];
    for (let i = s; i < Math.min(s + 20_000, VERIFY_SIZE + 1); i++) {
      rows.push([
        i,
        'default',
        at,
        'p_bench',
        'read',
        `ref${i}`,
        JSON.stringify({
          action: 'read',
          principalId: 'p_bench',
          recordRef: `ref${i}`,
          fields: ['motherPhone'],
          outcome: 'ok',
        }),
      ]);
    }
    await vault.db.transaction((tx) =>
      tx.insertMany(
        'INSERT INTO audit_events (seq, tenant_id, at, principal_id, action, record_ref, entry) VALUES',
        rows,
      ),
    );
  }
  const ledger = new Ledger(vault.db);
  let t = performance.now();
  await ledger.integrate();
  const integrate = (performance.now() - t) / 1000;
  const key = noteKeyFromSeed('bench/ledger', Buffer.alloc(32, 1));
  await ledger.checkpoint('bench/ledger', parseSignerKey(key.signerKey));
  t = performance.now();
  const r = await verifyLedger(vault.db, parseVerifierKey(key.verifierKey));
  const verify = (performance.now() - t) / 1000;
  if (!r.ok) throw new Error('verify');
  console.log(
    `integration of ${fmt(VERIFY_SIZE)} entries into tiles: ` +
      `${integrate.toFixed(1)} s (${fmt(VERIFY_SIZE / integrate)} entries/s)`,
  );
  console.log(`full verification of ${fmt(r.entries)} entries (rebuild, tiles, checkpoint): ${verify.toFixed(1)} s`);
  await vault.close();
}
rmSync(dir, { recursive: true, force: true });
