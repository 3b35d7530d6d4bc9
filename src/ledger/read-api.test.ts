import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initVault } from '../store/vault.ts';
import { loadCity } from '../sim/load.ts';
import { ENTRY_COLUMNS, Ledger, leafInput, type EntryRow } from './log.ts';
import { ledgerRead } from './read-api.ts';
import { leafHash, verifyConsistency, verifyInclusion } from './merkle.ts';
import { noteKeyFromSeed, parseSignerKey, parseVerifierKey } from './signed-note.ts';
import { openCheckpoint } from './checkpoint.ts';
import { tilePath, entriesPath } from './tiles.ts';

test('read-only HTTP paths: checkpoint, hash tiles, entry bundles, proofs — over real HTTP', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tv-read-'));
  const { vault, admin } = await initVault(join(dir, 'vault'));
  const ledger = new Ledger(vault.db);
  const key = noteKeyFromSeed('t/ledger', Buffer.alloc(32, 8));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    // An auditor's reader (service/ledger.ts authorises it): entry bundles are served.
    void ledgerRead(vault.db, ledger, url.pathname.replace(/^\//, ''), url.searchParams, { entries: true }).then(
      (r) => {
        res.writeHead(r.status, { 'content-type': r.contentType, 'cache-control': r.cacheControl });
        res.end(r.body);
      },
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const get = async (p: string) => {
    const r = await fetch(base + p);
    return {
      status: r.status,
      type: r.headers.get('content-type'),
      cache: r.headers.get('cache-control'),
      bytes: Buffer.from(await r.arrayBuffer()),
    };
  };
  try {
    assert.equal((await get('checkpoint')).status, 404);
    await loadCity(vault, admin, { seed: 'read', families: 40 });
    await ledger.checkpoint('t/ledger', parseSignerKey(key.signerKey));
    const cp = openCheckpoint(
      (await get('checkpoint')).bytes.toString('utf8'),
      parseVerifierKey(key.verifierKey),
    ).checkpoint;
    assert.ok(cp.size > 256);
    // The first full tile of leaf hashes, and the partial one at the edge.
    const full = await get(tilePath(0, 0));
    assert.equal(full.bytes.length, 256 * 32);
    assert.equal(full.cache, 'public, max-age=31536000, immutable');
    const rows = await vault.db.all<EntryRow>(`SELECT ${ENTRY_COLUMNS} FROM audit_events ORDER BY seq LIMIT 256`);
    assert.deepEqual(full.bytes.subarray(32, 64), leafHash(leafInput(rows[1]!)));
    const w = cp.size % 256;
    assert.equal((await get(tilePath(0, 1, w))).bytes.length, w * 32);
    assert.equal((await get(tilePath(0, 1, w + 1))).status, 404);
    assert.equal((await get(tilePath(0, 9))).status, 404);
    // An entry bundle: u16 length ‖ leaf input, 256 of them.
    const bundle = (await get(entriesPath(0))).bytes;
    const first = bundle.subarray(2, 2 + bundle.readUInt16BE(0));
    assert.deepEqual(first, leafInput(rows[0]!));
    assert.match(first.toString('utf8'), /^1\ndefault\n[^\n]+\nsalt [0-9a-f]{32}\n\{/);
    assert.equal((await get(entriesPath(0))).cache, 'private, max-age=31536000, immutable');
    // The public reader: hashes and proofs, never an entry bundle.
    const pub = await ledgerRead(vault.db, ledger, entriesPath(0), new URLSearchParams());
    assert.equal(pub.status, 404);
    assert.equal((await ledgerRead(vault.db, ledger, tilePath(0, 0), new URLSearchParams())).status, 200);
    // Proofs.
    const inc = JSON.parse((await get(`proof/inclusion?index=3&size=${cp.size}`)).bytes.toString());
    assert.ok(
      verifyInclusion(
        3,
        cp.size,
        leafHash(leafInput(rows[3]!)),
        inc.proof.map((p: string) => Buffer.from(p, 'base64')),
        cp.root,
      ),
    );
    const con = JSON.parse((await get(`proof/consistency?old=10&size=${cp.size}`)).bytes.toString());
    assert.ok(
      verifyConsistency(
        10,
        cp.size,
        await ledger.root(10),
        cp.root,
        con.proof.map((p: string) => Buffer.from(p, 'base64')),
      ),
    );
    assert.equal((await get(`proof/inclusion?index=${cp.size}&size=${cp.size}`)).status, 404);
    assert.equal((await get('proof/inclusion?index=x&size=1')).status, 400);
    assert.equal((await get('tile/0/../../etc/passwd')).status, 404);
  } finally {
    await new Promise((r) => server.close(r));
    await vault.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
