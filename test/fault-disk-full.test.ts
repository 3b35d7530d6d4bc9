/**
 * Issue 23, item 2 (ADR 0028): a full disk. A SQLite vault on a size-limited tmpfs, served by a
 * real `tracevault serve`; a filler file takes the rest of the space. Reads and writes fail closed
 * with `507 ERR_STORE_FULL` (a read writes its ledger entry, so it fails too: no value without its
 * entry), never a 500 and never a crash; once the filler is gone, the same requests succeed, and the
 * ledger verifies. The counts are printed. (Root only: it mounts a tmpfs, and unmounts it always.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, cli, ledgerCounts, loadedVault, spawnServer, type Served } from './helpers/fault-server.ts';

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

test('a full disk: SQLite reads and writes fail closed (507 ERR_STORE_FULL), then work again', async (t) => {
  if (process.getuid?.() !== 0) return t.skip('mounting a tmpfs needs root');
  const mount = mkdtempSync(join(tmpdir(), 'tv-fault-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mount]);
  let server: Served | undefined;
  try {
    const dir = join(mount, 'vault');
    const v = await loadedVault(dir, { kind: 'sqlite', file: 'vault.db' }, 40);
    server = await spawnServer(dir);
    const base = server.url;
    // Patients in random order: in their order of collection, the guard would see a scan.
    const any = () => v.patients[Math.floor(Math.random() * v.patients.length)]!;
    const reveal = (_n: number) =>
      call(base, 'GET', `/v1/records/${any()}?purpose=treatment&reveal=motherPhone`, v.clinician);
    const masked = (_n: number) => call(base, 'GET', `/v1/records/${any()}`, v.clinician);
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
    for (let n = 0; n < 10; n++) assert.equal(tally(before, await reveal(n)).status, 200);

    const filler = join(mount, 'filler');
    const filled = fill(filler);
    // Until a write needs a new page of the file system (the WAL may reuse its frames for a while),
    // then every one after it: each answer either a 200 (it was written whole) or a 507.
    let refused = 0;
    const bad: string[] = [];
    for (let n = 0; n < 400 && refused < 20; n++) {
      const r = tally(full, n % 3 === 0 ? await masked(n) : await reveal(n));
      if (r.status === 507 && r.json.code === 'ERR_STORE_FULL') refused++;
      else if (r.status !== 200) bad.push(`${r.status} ${r.text}`);
    }
    const health = await call(base, 'GET', '/healthz');
    rmSync(filler);
    for (let n = 0; n < 10; n++) tally(after, await reveal(n));
    const alive = server.child.exitCode === null && server.child.signalCode === null;
    await server.stop();
    server = undefined;

    const counts = await ledgerCounts(dir, received);
    const summary =
      `filler ${(filled / 2 ** 20).toFixed(1)} MiB; answers before ${JSON.stringify(before)}, disk full ` +
      `${JSON.stringify(full)}, space back ${JSON.stringify(after)}; 200s with a disclosure ${received.length}, ` +
      `disclosures ${counts.disclosures}, ledger entries ${counts.entries}; 200s missing their disclosure or ` +
      `entry ${counts.lost.length}; disclosures without an entry ${counts.unledgered.length}`;
    console.log(`# sqlite disk full: ${summary}`);
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
    execFileSync('umount', ['-l', mount]);
    rmSync(mount, { recursive: true, force: true });
  }
});
