/**
 * Several servers on one PostgreSQL (issue 23 item 4, ADR 0027): real `tracevault serve` processes
 * on one schema of the local PostgreSQL.
 *
 * 1. The reveal path (`GET /v1/records/{id}?purpose=treatment&reveal=motherPhone`, each read a
 *    guarded, fingerprinted disclosure with its ledger entry) with 1, 2 and 3 servers, a closed
 *    loop of clients going round robin over them: throughput and p50 / p99. The baseline is the
 *    one-server run. Servers, PostgreSQL and this load generator all share the machine's cores.
 * 2. How long a disabled principal keeps working: each server has it in its authentication cache;
 *    from the DELETE's answer to the first 401 of each server (polled without pause).
 * 3. The checkpointer's failover: the leader killed with SIGKILL, the time until a checkpoint of a
 *    larger size is stored, signed by another server.
 *
 * `node --import tsx bench/multi-instance.ts [--families N] [--seconds S] [--clients C]`
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import pg from 'pg';
import { initVault } from '../src/store/vault.ts';
import { loadCity } from '../src/sim/load.ts';
import { call, startInstance, type Instance } from '../test/helpers/instances.ts';
import { machine, median } from './common.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const FAMILIES = arg('families', 1000);
const SECONDS = arg('seconds', 15);
const CLIENTS = arg('clients', 24);
const PG_URL = process.env.TRACEVAULT_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const JUSTIFICATION = encodeURIComponent('follow-up of a vaccination appointment');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const quantile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

const dir = mkdtempSync(join(tmpdir(), 'tv-bench-multi-'));
const schema = `tv_bench_${randomBytes(6).toString('hex')}`;
const servers: Instance[] = [];
const db = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
try {
  console.log(`machine: ${machine()}`);
  const { vault, admin } = await initVault(dir, { database: { kind: 'postgres', url: PG_URL, schema } });
  const t0 = performance.now();
  const city = await loadCity(vault, admin, { seed: 'bench-multi', families: FAMILIES, hospitals: 1 });
  console.log(`loaded ${FAMILIES} families in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const orgId = city.hospitals[0]!.orgId;
  const readers: string[] = [];
  for (let i = 0; i < CLIENTS; i++)
    readers.push((await vault.createPrincipal(admin, { displayName: `r${i}`, roles: ['clinician'], orgId })).token);
  const leavers: { id: string; token: string }[] = [];
  for (let i = 0; i < 5; i++)
    leavers.push(await vault.createPrincipal(admin, { displayName: `l${i}`, roles: ['clinician'], orgId }));
  const dpo = await vault.createPrincipal(admin, { displayName: 'dpo', roles: ['dpo'], orgId });
  const ids = (await vault.db.all<{ id: string }>('SELECT id FROM records')).map((r) => r.id);
  await vault.close();
  const adminToken = readFileSync(join(dir, 'admin.token'), 'utf8').trim();
  await db.connect();
  for (let i = 0; i < 3; i++) servers.push(await startInstance(dir));

  // The guard's limits out of the way (a benchmark reads far more than anyone's day), counting kept.
  const cur = await call(servers[0]!.url, 'GET', '/v1/guard/settings', dpo.token);
  const big = { headroom: 1_000_000, justifyAfter: 999_999, velocityPerMinute: 100_000, offHoursPerHour: 1_000_000 };
  const put = await call(servers[0]!.url, 'PUT', '/v1/guard/settings', dpo.token, {
    expectedVersion: cur.json.version,
    settings: { ...cur.json.settings, ...big },
  });
  if (put.status !== 200) throw new Error(`guard settings: ${put.status} ${JSON.stringify(put.json)}`);
  await sleep(1500);

  // 1. The reveal path with 1, 2 and 3 servers.
  const rows: string[] = [];
  let baseline = 0;
  for (const k of [1, 2, 3, 1]) {
    const bases = servers.slice(0, k).map((s) => s.url);
    const times: number[] = [];
    let errors = 0;
    let next = 0;
    const run = async (client: number, until: number, record: boolean) => {
      while (performance.now() < until) {
        const base = bases[next++ % bases.length]!;
        const id = ids[Math.floor(Math.random() * ids.length)]!;
        const t = performance.now();
        const r = await call(
          base,
          'GET',
          `/v1/records/${id}?purpose=treatment&reveal=motherPhone&justification=${JUSTIFICATION}`,
          readers[client],
        );
        if (!record) continue;
        if (r.status === 200) times.push(performance.now() - t);
        else errors++;
      }
    };
    await Promise.all(readers.map((_, c) => run(c, performance.now() + 5000, false)));
    const start = performance.now();
    await Promise.all(readers.map((_, c) => run(c, start + SECONDS * 1000, true)));
    const secs = (performance.now() - start) / 1000;
    const sorted = times.sort((a, b) => a - b);
    const rate = times.length / secs;
    if (!baseline) baseline = rate;
    const share = `${((100 * rate) / baseline).toFixed(0)}%`;
    rows.push(
      `| ${k} | ${rate.toFixed(0)} | ${share} | ${quantile(sorted, 0.5).toFixed(1)} | ` +
        `${quantile(sorted, 0.99).toFixed(1)} | ${errors} |`,
    );
    console.log(rows.at(-1));
  }
  console.log(`\nreveal path, ${CLIENTS} clients round robin, ${SECONDS} s each (the last row repeats the first):`);
  console.log(
    '| servers | reveals/s | of 1 server | p50 ms | p99 ms | errors |\n| ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const r of rows) console.log(r);

  // 2. A disabled principal: from the DELETE's answer to each server's first 401.
  const worked: number[] = [];
  for (const l of leavers) {
    for (const s of servers) await call(s.url, 'GET', '/v1/me', l.token);
    const off = await call(servers[0]!.url, 'DELETE', `/v1/principals/${l.id}`, adminToken);
    if (off.status !== 200) throw new Error(`disable: ${off.status}`);
    const t = performance.now();
    const each = await Promise.all(
      servers.map(async (s) => {
        while ((await call(s.url, 'GET', '/v1/me', l.token)).status === 200);
        return performance.now() - t;
      }),
    );
    worked.push(Math.max(...each));
  }
  console.log(
    `\ndisabled principal keeps working (5 principals, 3 servers, the slowest server each): ` +
      `median ${median(worked).toFixed(1)} ms, max ${Math.max(...worked).toFixed(1)} ms`,
  );

  // 3. The checkpointer's failover, three times (the killed server restarted each time).
  const failovers: number[] = [];
  const last = async () => Number((await db.query('SELECT MAX(size) AS n FROM ledger_checkpoints')).rows[0]?.n ?? 0);
  for (let round = 0; round < 3; round++) {
    let leader: Instance | undefined;
    for (let i = 0; i < 50 && !leader; i++) {
      leader = servers.find((s) => /signs checkpoints/.test(s.output()));
      if (!leader) await sleep(100);
    }
    if (!leader) throw new Error('no checkpoint leader');
    await call(servers.find((s) => s !== leader)!.url, 'GET', '/v1/me', readers[0]);
    await sleep(1500);
    const before = await last();
    await leader.kill();
    const t = performance.now();
    const survivor = servers.find((s) => s !== leader)!;
    let took = Infinity;
    while (performance.now() - t < 15_000) {
      await call(survivor.url, 'GET', `/v1/records/${ids[round]}?purpose=treatment`, readers[0]);
      if ((await last()) > before) {
        took = performance.now() - t;
        break;
      }
      await sleep(20);
    }
    failovers.push(took);
    servers.splice(servers.indexOf(leader), 1, await startInstance(dir));
  }
  console.log(
    `checkpointer failover (leader killed → next checkpoint stored, incl. one request's entry): ` +
      `${failovers.map((ms) => ms.toFixed(0)).join(', ')} ms`,
  );
} finally {
  for (const s of servers) await s.kill();
  await db.end().catch(() => undefined);
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await c.end();
  rmSync(dir, { recursive: true, force: true });
}
