/**
 * Trace speed, end to end through the vault (SQLite): a city of N births (default 50,000), a
 * records clerk per hospital exporting all its births (fingerprinted, approved by a DPO), then
 * leaks of 29, 2,000 and 20,000 rows copied from those files traced with Access.trace (blocking
 * through the blind index, histories decrypted, evidence, window, report, ledger entry). Memory is
 * the process's peak RSS. Baseline in the same run: linking the 29-row leak with fuse.js (fuzzy
 * search over every record's current values), its time and its recall.
 *
 *   node --max-old-space-size=8192 --import tsx bench/trace-speed.ts [--families N]
 */
import { mkdirSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import Fuse from 'fuse.js';
import { initVault, openVault } from '../src/store/vault.ts';
import { loadCity } from '../src/sim/load.ts';
import { Access } from '../src/access/access.ts';
import { createPrincipal, createOrganisation } from '../src/access/directory.ts';
import { tableOf } from '../src/trace/leak-file.ts';
import { BENCH_DIR, machine, median } from './common.ts';

const i = process.argv.indexOf('--families');
const FAMILIES = i > 0 ? Number(process.argv[i + 1]) : 50_000;
const dir = join(BENCH_DIR, `trace-speed-${FAMILIES}`);
console.log(`machine: ${machine()}`);

if (!existsSync(join(dir, 'ready'))) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const t0 = Date.now();
  const { vault, admin } = await initVault(dir, { database: { kind: 'sqlite', file: 'vault.db' } });
  await loadCity(vault, admin, { seed: 'trace-speed', families: FAMILIES, hospitals: 20 });
  await vault.close();
  mkdirSync(join(dir, 'ready'));
  console.log(`vault of ${FAMILIES} births built in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}

const vault = await openVault(dir);
const admin = await vault.authenticate((await import('../src/store/vault.ts')).readAdminToken(dir));
const access = await new Access(vault).start();
const orgs = await vault.db.all<{ id: string }>("SELECT id FROM organisations WHERE kind = 'hospital' ORDER BY id");
const dpo = await createPrincipal(vault, admin, { displayName: 'bench dpo', roles: ['dpo'], orgId: admin.orgId });
const regulator = await createOrganisation(vault, admin, { name: 'bench regulator', kind: 'regulator' });
const inv = await createPrincipal(vault, admin, { displayName: 'bench investigator', roles: ['investigator'], orgId: regulator });
const ctxOf = async (token: string) => ({ principal: await access.authenticate(token), requestId: 'bench' });
const fields = ['babyName', 'motherName', 'motherResidentId', 'birthTime', 'address', 'hospital'];
const files: string[][] = [];
let header: string[] = [];
let t0 = Date.now();
for (const org of orgs) {
  const clerk = await createPrincipal(vault, admin, { displayName: 'bench clerk', roles: ['records_clerk'], orgId: org.id });
  const c = await ctxOf(clerk.token);
  const req = await access.requestExport(c, { purpose: 'birth_registration', fields, format: 'csv' });
  await access.decideExport(await ctxOf(dpo.token), req.id, true);
  const f = await access.exportFile(c, req.id);
  const lines = Buffer.from(f.body).toString('utf8').replace(/^\uFEFF/, '').trim().split('\r\n').map((l) => l.split(','));
  header = lines[0]!;
  files.push(...lines.slice(1));
}
console.log(`${orgs.length} exports, ${files.length} rows disclosed, in ${((Date.now() - t0) / 1000).toFixed(0)} s`);

const ctx = await ctxOf(inv.token);
for (const size of [29, 2000, 20_000]) {
  const times: number[] = [];
  let accusedOk = 0;
  for (let k = 0; k < (size > 2000 ? 1 : 3); k++) {
    // Rows from one hospital's file (the first rows of one export), as copied.
    const start = (k * 7919) % Math.max(1, files.length - size);
    const rows = files.slice(start, start + size).map((cells, j) => ({ line: j + 2, cells }));
    const table = tableOf('csv', header, rows);
    t0 = performance.now();
    const r = await access.trace(ctx, table);
    times.push(performance.now() - t0);
    if (r.accused) accusedOk++;
  }
  console.log(`leak of ${size} rows: median ${(median(times) / 1000).toFixed(2)} s end to end (${times.length} runs; accused in ${accusedOk}); peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}

// Baseline: fuse.js over every record's current values, for the 29-row leak.
t0 = performance.now();
const all: { id: string; motherName: string; birthTime: string; motherResidentId: string }[] = [];
for (let after = 0; ;) {
  const seqs = (await vault.db.all<{ seq: number }>('SELECT seq FROM records WHERE seq > ? ORDER BY seq LIMIT 5000', [after])).map((r) => Number(r.seq));
  if (seqs.length === 0) break;
  for (const r of await vault.registry.histories(seqs)) {
    const v = (f: string) => String(r.current.get(f)?.value ?? '');
    all.push({ id: r.id, motherName: v('motherName'), birthTime: v('birthTime').slice(0, 16), motherResidentId: v('motherResidentId') });
  }
  after = seqs[seqs.length - 1]!;
}
const loadMs = performance.now() - t0;
const fuse = new Fuse(all, { keys: ['motherName', 'birthTime', 'motherResidentId'], includeScore: true, threshold: 0.3 });
const leak = files.slice(0, 29);
const col = (n: string) => header.indexOf(n);
t0 = performance.now();
let found = 0;
for (const row of leak) {
  const hit = fuse.search({ $and: [{ motherName: row[col('motherName')]! }, { motherResidentId: row[col('motherResidentId')]! }] }, { limit: 1 })[0];
  if (hit && hit.item.motherResidentId === row[col('motherResidentId')]) found++;
}
const fuseMs = performance.now() - t0;
const ours = performance.now();
const r = await access.trace(ctx, tableOf('csv', header, leak.map((cells, j) => ({ line: j + 2, cells }))));
const oursMs = performance.now() - ours;
console.log(`baseline fuse.js: 29 rows linked ${found}/29 in ${(fuseMs / 1000).toFixed(2)} s after decrypting all ${all.length} records (${(loadMs / 1000).toFixed(1)} s); ours: ${r.rows.linked}/29 in ${(oursMs / 1000).toFixed(2)} s end to end (ratio ${(((fuseMs + loadMs) / oursMs)).toFixed(1)}× faster than decrypt + fuse.js)`);
await vault.close();
