/**
 * Issue 23, item 2 (ADR 0028): a full disk. A SQLite vault, or a PostgreSQL cluster of the test's
 * own, on a size-limited tmpfs, served by a real `tracevault serve`; a filler file takes the rest
 * of the space. Reads and writes fail closed with `507 ERR_STORE_FULL` (a read writes its ledger
 * entry, so it fails too: no value without its entry), never a 500 and never a crash; once the
 * filler is gone, the same requests succeed, and the ledger verifies. The counts are printed.
 * (Root only: it mounts a tmpfs, and unmounts it always.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, cli, ledgerCounts, loadedVault, spawnServer, type Served } from './helpers/fault-server.ts';
import { ownPostgres, type OwnPostgres } from './helpers/own-postgres.ts';
import type { DatabaseConfig } from '../src/store/db.ts';

/** Writes zeros to `file` until the file system is full; returns the bytes written. */
function fill(file: string): number {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024);
  let bytes = 0;
  try {
    for (;;) bytes += writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  }
  // The last few bytes too: nothing is left for the vault.
  try {
    for (;;) bytes += writeSync(fd, Buffer.alloc(512));
  } catch {
    // Full.
  }
  closeSync(fd);
  return bytes;
}

interface Scenario {
  readonly name: 'sqlite' | 'postgres';
  /** tmpfs size. */
  readonly size: string;
  /** Codes a full disk may answer with besides 507 ERR_STORE_FULL. */
  readonly alsoRefused: readonly string[];
}

const SCENARIOS: readonly Scenario[] = [
  { name: 'sqlite', size: '24m', alsoRefused: [] },
  // PostgreSQL's cluster (1 MiB WAL segments) on the tmpfs, the vault's own files beside it. A WAL
  // that cannot grow is a PANIC and a crash restart: 503 ERR_STORE_UNAVAILABLE meanwhile.
  { name: 'postgres', size: '96m', alsoRefused: ['503 ERR_STORE_UNAVAILABLE'] },
];

for (const sc of SCENARIOS)
  test(`a full disk: ${sc.name} reads and writes fail closed (507 ERR_STORE_FULL), then work again`, async (t) => {
    if (process.getuid?.() !== 0) return t.skip('mounting a tmpfs needs root');
    const mount = mkdtempSync(join(tmpdir(), 'tv-fault-disk-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sc.size}`, 'tmpfs', mount]);
    let server: Served | undefined;
    let pg: OwnPostgres | undefined;
    const outside = mkdtempSync(join(tmpdir(), 'tv-fault-disk-vault-'));
    try {
      let dir: string;
      let database: DatabaseConfig;
      if (sc.name === 'sqlite') {
        dir = join(mount, 'vault');
        database = { kind: 'sqlite', file: 'vault.db' };
      } else {
        pg = await ownPostgres({ under: join(mount, 'pg'), initdb: ['--wal-segsize=1'] });
        dir = join(outside, 'vault');
        database = { kind: 'postgres', url: pg.url, schema: 'vault' };
      }
      const v = await loadedVault(dir, database, 40);
      server = await spawnServer(dir);
      const base = server.url;
      // Patients in random order: in their order of collection, the guard would see a scan.
      const any = () => v.patients[Math.floor(Math.random() * v.patients.length)]!;
      const reveal = () => call(base, 'GET', `/v1/records/${any()}?purpose=treatment&reveal=motherPhone`, v.clinician);
      const masked = () => call(base, 'GET', `/v1/records/${any()}`, v.clinician);
      const received: string[] = [];
      const tally = (into: Record<string, number>, r: Awaited<ReturnType<typeof reveal>>) => {
        const key = r.status === 200 ? '200' : `${r.status} ${r.json.code as string}`;
        into[key] = (into[key] ?? 0) + 1;
        if (r.status === 200 && r.json.disclosureId) received.push(r.json.disclosureId as string);
        return r;
      };
      const before: Record<string, number> = {},
        full: Record<string, number> = {},
        after: Record<string, number> = {};
      for (let n = 0; n < 10; n++) assert.equal(tally(before, await reveal()).status, 200);

      const filler = join(mount, 'filler');
      const filled = fill(filler);
      // Until a write needs a new page of the file system (a WAL may reuse its space for a while),
      // then every one after it: each answer either a 200 (it was written whole) or a refusal.
      let refused = 0;
      const bad: string[] = [];
      for (let n = 0; n < 400 && refused < 20; n++) {
        const r = tally(full, n % 3 === 0 ? await masked() : await reveal());
        const key = `${r.status} ${r.json.code as string}`;
        if (key === '507 ERR_STORE_FULL' || sc.alsoRefused.includes(key)) refused++;
        else if (r.status !== 200) bad.push(`${r.status} ${r.text}`);
        if (r.status !== 200) await new Promise((res) => setTimeout(res, 20));
      }
      const health = await call(base, 'GET', '/healthz');
      rmSync(filler);
      // PostgreSQL ends itself if it cannot recover on a full disk: its operator starts it again.
      const restarted = pg !== undefined && !pg.running();
      if (restarted) pg!.start();
      // Space back: the first 200 within 30 s (PostgreSQL may be recovering), then ten in a row.
      const back = performance.now();
      const probe: Record<string, number> = {};
      for (let i = 0; i < 300 && tally(probe, await reveal()).status !== 200; i++)
        await new Promise((r) => setTimeout(r, 100));
      const backMs = performance.now() - back;
      for (let n = 0; n < 10; n++) tally(after, await reveal());
      const alive = server.child.exitCode === null && server.child.signalCode === null;
      await server.stop();
      server = undefined;

      const counts = await ledgerCounts(dir, received);
      const summary =
        `filler ${(filled / 2 ** 20).toFixed(1)} MiB; answers before ${JSON.stringify(before)}, disk full ` +
        `${JSON.stringify(full)}, space back ${JSON.stringify(after)} (serving again after ` +
        `${backMs.toFixed(0)} ms${restarted ? ', PostgreSQL started again by hand' : ''}); 200s with a ` +
        `disclosure ${received.length}, disclosures ${counts.disclosures}, ledger entries ${counts.entries}; ` +
        `200s missing their disclosure or entry ${counts.lost.length}; disclosures without an entry ` +
        `${counts.unledgered.length}`;
      console.log(`# ${sc.name} disk full: ${summary}`);
      assert.ok(alive, 'the server survived the full disk');
      assert.deepEqual(bad, [], summary);
      assert.ok(refused > 0, summary);
      assert.equal(health.status, 200);
      assert.equal(after['200'], 10, summary);
      assert.deepEqual(counts.lost, [], summary);
      assert.deepEqual(counts.unledgered, [], summary);
      const verify = cli(['ledger', 'verify', '--data', dir]);
      assert.equal(verify.status, 0, verify.stdout + verify.stderr);
    } finally {
      await server?.kill9();
      pg?.cleanup();
      execFileSync('umount', ['-l', mount]);
      rmSync(mount, { recursive: true, force: true });
      rmSync(outside, { recursive: true, force: true });
    }
  });
