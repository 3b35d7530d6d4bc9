/**
 * The full read path over HTTP — authenticate, guard, policy, decrypt, disclosure, ledger commit,
 * response — for a single-record reveal, against a bare baseline (fastify + better-sqlite3
 * reading the same record in clear, same JSON shape), both measured with autocannon in this run.
 *
 *   node --import tsx bench/read-path.ts [--records N | --vault DIR] [--seconds S] [--rounds R]
 *
 * Figures, per round and their medians over R rounds (default 3), the baseline and the full path
 * measured in turn in each: maximum throughput of each (64 connections), the ratio (target at least
 * 40%, aim 50%), p99 latency of the full path at half its maximum of that round (8 connections;
 * target under 10 ms; also as the server itself measures it, which leaves out the load generator
 * and the kernel on the same two cores), each server's CPU time per request at its maximum (its
 * whole process: what a request costs, which the neighbours on a shared machine change less than
 * they change a throughput), and the server's resident memory after the runs (target
 * under 300 MB with one million records: `--vault .bench-tmp/trace-speed-1000000` serves the vault of
 * bench/trace-speed.ts --families 1000000).
 * The reader is a clinician revealing the mother's phone of its 25 patients, in
 * random order (so the guard sees a normal day: no scan, under the velocity limit of 30 new
 * records a minute), with a justification (the night rule asks for one after 22:00 in Beijing).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { initVault, openVault } from '../src/store/vault.ts';
import { loadCity } from '../src/sim/load.ts';
import { Ledger } from '../src/ledger/log.ts';
import { BENCH_DIR, machine, median } from './common.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const RECORDS = arg('records', 20_000);
const SECONDS = arg('seconds', 10);
const ROUNDS = arg('rounds', 3);
// --vault DIR: an existing vault with a records clerk (bench/trace-speed.ts builds one of a million
// births), served as it is. Otherwise the city is loaded once and every run serves a fresh copy of
// it: each run adds some 100,000 disclosures with their audit events (~1 KB a read), and a vault
// served again and again grew to gigabytes, so that a run measured the runs before it.
const vaultArg = process.argv.indexOf('--vault');
const loaded = join(BENCH_DIR, `read-path-${RECORDS}`);
const dir = vaultArg > 0 ? process.argv[vaultArg + 1]! : `${loaded}-run`;
const baselineDb = join(dir, 'baseline.db');

async function setup(): Promise<{ token: string; ids: string[]; records: number }> {
  if (vaultArg < 0 && !existsSync(join(loaded, 'vault.json'))) {
    rmSync(loaded, { recursive: true, force: true });
    mkdirSync(loaded, { recursive: true });
    const { vault, admin } = await initVault(loaded);
    const t = Date.now();
    let last = 0;
    await loadCity(vault, admin, { seed: 'read-path', families: RECORDS }, (d, n) => {
      if (d - last < 50_000 && d !== n) return;
      last = d;
      process.stderr.write(`  loading ${d}/${n} (${((Date.now() - t) / 1000).toFixed(0)} s)\n`);
    });
    // The server meets a vault whose ledger is integrated, as one that has been running would be.
    await new Ledger(vault.db).integrate();
    await vault.close();
  }
  if (vaultArg < 0) {
    rmSync(dir, { recursive: true, force: true });
    cpSync(loaded, dir, { recursive: true });
  }
  const vault = await openVault(dir);
  try {
    const org = (await vault.db.get<{ org_id: string }>(
      "SELECT org_id FROM principals WHERE roles = 'records_clerk' ORDER BY id LIMIT 1",
    ))!.org_id;
    const ids = (
      await vault.db.all<{ id: string }>('SELECT id FROM records WHERE org_id = ? ORDER BY seq DESC LIMIT 25', [org])
    ).map((r) => r.id);
    const records = Number((await vault.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM records'))!.n);
    const { token } = await vault.createPrincipal(null, {
      displayName: 'bench clinician',
      roles: ['clinician'],
      orgId: org,
      relationships: ids.map((value) => ({ kind: 'patient' as const, value })),
    });
    if (!existsSync(baselineDb)) {
      // The baseline holds the same records in clear, as the full path would answer them.
      const db = new Database(baselineDb);
      db.exec('CREATE TABLE clear_records (id TEXT PRIMARY KEY, json TEXT NOT NULL)');
      const ins = db.prepare('INSERT INTO clear_records (id, json) VALUES (?, ?)');
      for (const id of ids) {
        const r = await vault.registry.get(id);
        ins.run(
          id,
          JSON.stringify({
            id,
            recordType: r.recordType,
            organizationId: r.orgId,
            createdAt: r.createdAt,
            fields: Object.fromEntries([...r.current].map(([k, v]) => [k, v.value])),
          }),
        );
      }
      db.close();
    }
    return { token, ids, records };
  } finally {
    await vault.close();
  }
}

interface ServerStats {
  rss: number;
  heapUsed: number;
  p50: number;
  p99: number;
  cpuMicros: number;
}

async function start(
  mode: 'tracevault' | 'baseline',
  path: string,
): Promise<{ url: string; child: ChildProcessWithoutNullStreams; stats: () => Promise<ServerStats> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('./read-server.ts', import.meta.url).pathname, mode, path],
    { stdio: 'pipe' },
  );
  child.stderr.pipe(process.stderr);
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const url = String((await lines.next()).value);
  return {
    url,
    child,
    stats: async () => {
      child.stdin.write('\n');
      return JSON.parse(String((await lines.next()).value)) as ServerStats;
    },
  };
}

function load(
  url: string,
  ids: readonly string[],
  token: string,
  opts: { connections: number; rate?: number },
): Promise<autocannon.Result> {
  return autocannon({
    url,
    connections: opts.connections,
    duration: SECONDS,
    overallRate: opts.rate,
    headers: { authorization: `Bearer ${token}`, 'x-justification': 'ward%20round%20follow-up%20calls' },
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          path: `/v1/records/${ids[Math.floor(Math.random() * ids.length)]}?purpose=treatment&reveal=motherPhone`,
        }),
      },
    ],
  });
}

const { token, ids, records } = await setup();
console.log(`machine: ${machine()}`);
console.log(
  `records in the vault: ${records.toLocaleString('en')}; ${ROUNDS} rounds of ${SECONDS} s runs, ` +
    'the baseline and the full path in turn; 64 connections for the maximum\n',
);
// Both servers up at once (the idle one costs nothing), measured in turn, round after round: the
// machines are shared, and a ratio of runs minutes apart measures the neighbours as much as the code.
const base = await start('baseline', baselineDb);
const tv = await start('tracevault', dir);
await load(base.url, ids, token, { connections: 64 }); // warm-up
await load(tv.url, ids, token, { connections: 64 });
// Each server's CPU time (its whole process) per request of the maximum runs: steadier than the
// throughputs on a shared machine, whose neighbours slow both servers but not their work per request.
const cpu: { b: number; full: number }[] = [];
const rounds: { b: autocannon.Result; full: autocannon.Result; half: autocannon.Result; server: ServerStats }[] = [];
for (let k = 0; k < ROUNDS; k++) {
  const b0 = await base.stats();
  const b = await load(base.url, ids, token, { connections: 64 });
  const b1 = await base.stats();
  const tv0 = await tv.stats();
  const full = await load(tv.url, ids, token, { connections: 64 });
  // The server's request times from here on are the half-load run's.
  const tv1 = await tv.stats();
  cpu.push({
    b: (b1.cpuMicros - b0.cpuMicros) / b.requests.total,
    full: (tv1.cpuMicros - tv0.cpuMicros) / full.requests.total,
  });
  // Eight connections: autocannon paces each connection on its own timer, and many connections at a
  // modest rate arrive in bursts that measure the burst, not the server.
  const half = await load(tv.url, ids, token, { connections: 8, rate: Math.round(full.requests.average / 2) });
  const server = await tv.stats();
  for (const [name, r] of [
    ['baseline', b],
    ['full path', full],
    ['half', half],
  ] as const) {
    if (r.non2xx > 0 || r.errors > 0) console.log(`  ${name}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  }
  rounds.push({ b, full, half, server });
}
const mem = await tv.stats();
base.child.kill();
tv.child.kill();
const ratios = rounds.map((r) => r.full.requests.average / r.b.requests.average);
console.log(
  '| round | baseline requests/s | full path requests/s | full / baseline | ' +
    "p50 / p99 ms at half the full path's maximum | the same, in the server |",
);
console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
rounds.forEach((r, k) =>
  console.log(
    `| ${k + 1} | ${r.b.requests.average.toFixed(0)} | ${r.full.requests.average.toFixed(0)} | ` +
      `${(ratios[k]! * 100).toFixed(1)}% | ` +
      `${r.half.latency.p50} / ${r.half.latency.p99} (${r.half.requests.average.toFixed(0)}/s) | ` +
      `${r.server.p50.toFixed(1)} / ${r.server.p99.toFixed(1)} |`,
  ),
);
const ratio = median(ratios);
const p99 = median(rounds.map((r) => r.half.latency.p99));
console.log(
  `\nfull path / baseline, median of ${ROUNDS} rounds: ${(ratio * 100).toFixed(1)}% (target ≥ 40%, aim 50%): ` +
    `${ratio >= 0.4 ? 'met' : 'NOT met'}`,
);
console.log(
  `p99 at half the maximum, median of ${ROUNDS} rounds: ${p99} ms (target < 10 ms): ` +
    `${p99 < 10 ? 'met' : 'NOT met'}; ` +
    `in the server itself ${median(rounds.map((r) => r.server.p99)).toFixed(1)} ms ` +
    '(the rest is the load generator and the kernel, on the same cores)',
);
console.log(
  `server CPU per request at the maximum, median of ${ROUNDS} rounds: ` +
    `baseline ${median(cpu.map((c) => c.b)).toFixed(0)} µs, ` +
    `full path ${median(cpu.map((c) => c.full)).toFixed(0)} µs ` +
    `(baseline / full path ${(median(cpu.map((c) => c.b / c.full)) * 100).toFixed(1)}%)`,
);
console.log(
  `server resident memory after the runs: ${(mem.rss / 2 ** 20).toFixed(0)} MB ` +
    `(JS heap ${(mem.heapUsed / 2 ** 20).toFixed(0)} MB) ` +
    `with ${records.toLocaleString('en')} records (target < 300 MB at 1,000,000)`,
);
process.exit(0);
