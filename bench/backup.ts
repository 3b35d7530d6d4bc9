/**
 * Backup and restore of a vault of N synthetic births (issue 23 item 4; default 100,000,
 * BENCH_ROWS to change; BENCH_DBS=sqlite,postgres). The vault is made with the import bench's
 * generator (common.ts birthsCsv) and importer, with a signed checkpoint; then `backupVault` and
 * `restoreVault` (what `tracevault backup` and `restore` run) are timed, and the file's size and
 * the vault's on-disk size reported. One JSON line per database at the end.
 */
import { mkdirSync, rmSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { initVault } from '../src/store/vault.ts';
import { importFile } from '../src/ingest/import.ts';
import { backupVault } from '../src/store/backup.ts';
import { restoreVault } from '../src/store/restore.ts';
import { ensureLedgerKey, loadLedgerSigner } from '../src/ledger/log-key.ts';
import { Ledger } from '../src/ledger/log.ts';
import { BENCH_DIR, birthsCsv, machine } from './common.ts';

const PG = 'postgres://postgres@127.0.0.1:5432/test';
const n = Number(process.env.BENCH_ROWS ?? 100_000);
const dbs = (process.env.BENCH_DBS ?? 'sqlite,postgres').split(',');
const file = await birthsCsv(n);
console.log(`machine: ${machine()}`);
console.log(`backup and restore of a vault of ${n.toLocaleString('en')} synthetic births`);

const dirSize = (d: string): number =>
  readdirSync(d, { withFileTypes: true }).reduce(
    (s, e) => s + (e.isDirectory() ? dirSize(join(d, e.name)) : statSync(join(d, e.name)).size),
    0,
  );

for (const kind of dbs) {
  const root = join(BENCH_DIR, `backup-${kind}`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const schema = `tv_bench_${randomBytes(4).toString('hex')}`;
  const target = `${schema}_r`;
  try {
    const database = kind === 'postgres' ? { kind: 'postgres' as const, url: PG, schema } : undefined;
    const dir = join(root, 'vault');
    const { vault, admin } = await initVault(dir, { database, env: {} });
    let t = performance.now();
    const r = await importFile(vault, admin, file, { schema: 'birth', threads: 0 });
    const importMs = performance.now() - t;
    ensureLedgerKey(dir);
    const ledger = new Ledger(vault.db);
    const signer = loadLedgerSigner(dir);
    await ledger.checkpoint(signer.name, signer);
    const rows = Number((await vault.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM record_changes'))!.n);
    await vault.close();
    const out = join(root, 'vault.tvbackup');
    t = performance.now();
    const b = await backupVault(dir, out);
    const backupMs = performance.now() - t;
    t = performance.now();
    await restoreVault(out, join(root, 'restored'), {
      database: kind === 'postgres' ? { url: PG, schema: target } : undefined,
    });
    const restoreMs = performance.now() - t;
    const line = {
      db: kind,
      births: r.created,
      recordChanges: rows,
      ledgerEntries: b.header.entries,
      importS: +(importMs / 1000).toFixed(1),
      backupS: +(backupMs / 1000).toFixed(1),
      restoreS: +(restoreMs / 1000).toFixed(1),
      backupMB: +(b.bytes / 2 ** 20).toFixed(1),
      vaultDirMB: kind === 'sqlite' ? +(dirSize(dir) / 2 ** 20).toFixed(1) : null,
    };
    console.log(
      `${kind.padEnd(9)} import ${line.importS} s; backup ${line.backupS} s (${line.backupMB} MB file); ` +
        `restore ${line.restoreS} s`,
    );
    console.log(JSON.stringify(line));
  } finally {
    rmSync(root, { recursive: true, force: true });
    if (kind === 'postgres') {
      const c = new pg.Client({ connectionString: PG });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.query(`DROP SCHEMA IF EXISTS ${target} CASCADE`);
      await c.end();
    }
  }
}
