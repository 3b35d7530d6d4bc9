/**
 * How long a large trace holds up the server's other requests (issue 20, finding 8). A SQLite
 * vault of N births (default 10,000; built once under .bench-tmp/) is served over HTTP, and a leak of
 * R rows (default 400,000; the city's families again and again, later copies with other last digits
 * of phone and id number, so that rows block, are compared and mostly do not link) is traced twice:
 *
 *   - baseline, as before trace jobs: the file read and traced on the server's own thread
 *     (readLeakFile, then services.traces.run — linking on its worker thread from 20,000 rows);
 *     left out with --no-baseline;
 *   - job: POST /v1/traces (202 at once), then GET /v1/traces/{id} every 250 ms until done.
 *
 * First, as the control, the same watch for --idle S seconds (default 20) with no trace at all: on
 * a machine shared with other work, what the server's loop suffers from that work alone.
 *
 * During each, the server's event loop is watched (perf_hooks.monitorEventLoopDelay, 1 ms
 * resolution: its longest stall and p99) and /healthz is asked every 10 ms (its slowest answer;
 * during the baseline its requests wait with everything else). Then the time, and the memory the
 * process holds after the trace (RSS and heap after a full GC when run with --expose-gc).
 *
 *   node --expose-gc --max-old-space-size=8192 --import tsx bench/trace-stall.ts [--families N] [--rows R]
 *     [--idle S] [--no-baseline]
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { initVault, openVault } from '../src/store/vault.ts';
import { loadCity } from '../src/sim/load.ts';
import { generateCity } from '../src/synth/city.ts';
import { snapshot } from '../src/synth/snapshot.ts';
import { Services } from '../src/service/services.ts';
import { Ledger } from '../src/ledger/log.ts';
import { buildServer } from '../src/server/app.ts';
import { readLeakFile, type LeakTable } from '../src/trace/leak-file.ts';
import type { RequestContext } from '../src/service/context.ts';
import { BENCH_DIR, machine } from './common.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const FAMILIES = arg('families', 10_000);
const ROWS = arg('rows', 400_000);
const IDLE = arg('idle', 20);
const BASELINE = !process.argv.includes('--no-baseline');
const CITY = { seed: 'trace-stall', families: FAMILIES, hospitals: 10 } as const;
const COLUMNS = ['motherName', 'motherPhone', 'motherResidentId', 'birthTime', 'babyName', 'address'] as const;
const dir = join(BENCH_DIR, `trace-stall-${FAMILIES}`);
const say = (s: string) => process.stdout.write(`${s}\n`);
const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MB`;
const gc = (globalThis as { gc?: () => void }).gc;

function writeLeak(path: string): number {
  const fams = [...generateCity(CITY).families()].map((f) => snapshot(f));
  const out = [COLUMNS.join(',')];
  for (let i = 0; i < ROWS; i++) {
    const s = fams[i % fams.length]!;
    const copy = Math.floor(i / fams.length);
    const cells = COLUMNS.map((c) => String(s[c] ?? '').replaceAll(',', ' '));
    if (copy > 0) {
      const tail = String(copy % 10_000).padStart(4, '0');
      cells[1] = cells[1]!.slice(0, -4) + tail;
      cells[2] = cells[2]!.slice(0, -5) + tail + cells[2]!.slice(-1);
    }
    out.push(cells.join(','));
  }
  const text = out.join('\n') + '\n';
  writeFileSync(path, text);
  return Buffer.byteLength(text);
}

async function build(): Promise<void> {
  if (existsSync(join(dir, 'ready'))) return;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const t0 = performance.now();
  const { vault, admin } = await initVault(dir, { database: { kind: 'sqlite', file: 'vault.db' } });
  await loadCity(vault, admin, CITY);
  await vault.close();
  writeFileSync(join(dir, 'ready'), '');
  say(`built a city of ${FAMILIES.toLocaleString('en')} births in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

interface Watch {
  stop(): {
    loopMax: number;
    loopP99: number;
    healthMax: number;
    healthN: number;
    peakRss: number;
    stalls: string;
  };
}

/** The job's phase as its last GET said, to place the stalls. */
let phaseNow = '-';

/** Watches the event loop, and asks /healthz every 10 ms (each answer's time, from asking). */
function watch(base: string): Watch {
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const times: number[] = [];
  let on = true,
    peakRss = 0;
  // Where the longest stalls fell: a 5 ms timer's lateness over 10 ms, with the time and the job's phase.
  const t0 = performance.now();
  const stalls: { at: number; ms: number; phase: string }[] = [];
  let last = t0;
  const tick = setInterval(() => {
    const now = performance.now();
    if (now - last - 5 > 10) stalls.push({ at: (now - t0) / 1000, ms: now - last - 5, phase: phaseNow });
    last = now;
  }, 5);
  void (async () => {
    while (on) {
      const t = performance.now();
      await (await fetch(`${base}/healthz`)).text();
      times.push(performance.now() - t);
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  return {
    stop() {
      on = false;
      loop.disable();
      clearInterval(tick);
      const top = stalls.sort((a, b) => b.ms - a.ms).slice(0, 6);
      return {
        loopMax: loop.max / 1e6,
        loopP99: loop.percentile(99) / 1e6,
        healthMax: Math.max(0, ...times),
        healthN: times.length,
        peakRss,
        stalls: top.map((x) => `${x.ms.toFixed(0)} ms at ${x.at.toFixed(1)} s (${x.phase})`).join(', ') || 'none',
      };
    },
  };
}

function held(): string {
  gc?.();
  const m = process.memoryUsage();
  return `RSS ${mb(m.rss)}, heap ${mb(m.heapUsed)}`;
}

interface Run {
  readonly how: string;
  readonly secs: number;
  readonly stall: ReturnType<Watch['stop']>;
}

/**
 * The upload, sent as a client elsewhere would send it: from a process of its own (sending 20-60 MiB
 * from this process would hold the loop watched here), `Prefer: respond-async` so that the job's
 * phases, not the POST's wait, place the stalls. The token goes in the child's environment.
 */
async function postFromAnotherProcess(url: string, token: string, leak: Buffer) {
  const file = join(mkdtempSync(join(tmpdir(), 'tv-stall-')), 'leak.csv');
  writeFileSync(file, leak);
  const script =
    'const [url,file]=process.argv.slice(1);fetch(url,{method:"POST",headers:{authorization:"Bearer "+' +
    'process.env.TV_TOKEN,"content-type":"text/csv",prefer:"respond-async"},body:require("fs").readFileSync(file)})' +
    '.then(async r=>process.stdout.write(JSON.stringify({status:r.status,body:await r.text()})))';
  const out = await new Promise<string>((done, fail) =>
    execFile(process.execPath, ['-e', script, url, file], { env: { ...process.env, TV_TOKEN: token } }, (e, o) => {
      if (e) fail(new Error(`the upload's process failed: ${e.message}`));
      else done(o);
    }),
  );
  rmSync(dirname(file), { recursive: true, force: true });
  return JSON.parse(out) as { status: number; body: string };
}

/** The job: over HTTP, off the request path. */
async function asJob(base: string, token: string, leak: Buffer): Promise<Run> {
  const w = watch(base);
  const t0 = performance.now();
  const { status: posted, body } = await postFromAnotherProcess(`${base}/v1/traces`, token, leak);
  const job = JSON.parse(body) as { id: string };
  say(`job: POST answered ${posted} in ${(performance.now() - t0).toFixed(0)} ms`);
  let status = '';
  while (status !== 'done' && status !== 'failed') {
    await new Promise((r) => setTimeout(r, 250));
    const s = await fetch(`${base}/v1/traces/${job.id}`, { headers: { authorization: `Bearer ${token}` } });
    const view = (await s.json()) as { status: string; progress?: { phase?: string } };
    status = view.status;
    phaseNow = view.progress?.phase ?? status;
  }
  const secs = (performance.now() - t0) / 1000;
  phaseNow = '-';
  say(`job: ${status} in ${secs.toFixed(1)} s`);
  return { how: 'job', secs, stall: w.stop() };
}

/** The control: nothing traced, the server only watched. */
async function idle(base: string): Promise<Run> {
  const w = watch(base);
  await new Promise((r) => setTimeout(r, IDLE * 1000));
  say(`idle: ${IDLE} s with no trace`);
  return { how: 'idle (no trace: the control)', secs: IDLE, stall: w.stop() };
}

/** The baseline: as before jobs, read and traced on the server's thread. */
async function inRequest(base: string, services: Services, ctx: RequestContext, leakPath: string): Promise<Run> {
  const w = watch(base);
  const t0 = performance.now();
  const report = await services.traces.run(ctx, await readLeakFile(leakPath));
  const secs = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 50)); // the /healthz asked during the stall is answered
  say(`baseline: ${report.rows.total} rows in ${secs.toFixed(1)} s on the server's thread`);
  return { how: 'baseline (on the request path)', secs, stall: w.stop() };
}

async function main(): Promise<void> {
  say(`machine: ${machine()}`);
  await build();
  const leakPath = join(dir, `leak-${ROWS}.csv`);
  const bytes = writeLeak(leakPath);
  say(`leak: ${ROWS.toLocaleString('en')} rows, ${(bytes / 2 ** 20).toFixed(1)} MiB`);
  const vault = await openVault(dir);
  const services = await Services.open(vault, { ledger: new Ledger(vault.db) });
  const app = await buildServer(services, {});
  await app.listen({ port: 0, host: '127.0.0.1' });
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const inv = await vault.createPrincipal(null, { displayName: 'bench investigator', roles: ['investigator'] });
  const ctx = { principal: (await vault.principal(inv.id))!, requestId: 'bench' };
  // Warm-up (and the blind index's first use in a vault from before migration 9): not measured.
  await services.traces.run(ctx, await readSmall());
  say(`before: ${held()}`);
  const out: string[] = [];
  for (const run of [
    () => idle(base),
    () => asJob(base, inv.token, readFileSync(leakPath)),
    ...(BASELINE ? [() => inRequest(base, services, ctx, leakPath)] : []),
  ]) {
    const r = await run();
    // What the process holds once the trace is over: the job's process ends within seconds of its report.
    await new Promise((res) => setTimeout(res, 6000));
    const after = held();
    const s = r.stall;
    say(
      `  event loop max ${s.loopMax.toFixed(1)} ms, p99 ${s.loopP99.toFixed(1)} ms; /healthz max ` +
        `${s.healthMax.toFixed(1)} ms over ${s.healthN} requests; peak RSS ${mb(s.peakRss)}; after: ${after}`,
    );
    say(`  stalls over 10 ms, longest first: ${s.stalls}`);
    out.push(
      `| ${r.how} | ${r.secs.toFixed(1)} s | ${s.loopMax.toFixed(0)} ms | ${s.loopP99.toFixed(0)} ms | ` +
        `${s.healthMax.toFixed(0)} ms (${s.healthN}) | ${mb(s.peakRss)} | ${after} |`,
    );
  }
  await app.close();
  await vault.close();
  say('\n| how | time | event loop max | p99 | /healthz max (requests) | peak RSS | held after |');
  say('| --- | --- | --- | --- | --- | --- | --- |');
  for (const r of out) say(r);
}

/** A few rows of the city, for the warm-up trace. */
async function readSmall(): Promise<LeakTable> {
  const path = join(dir, 'warm.csv');
  const fams = [...generateCity({ ...CITY, families: 20 }).families()].map((f) => snapshot(f));
  const lines = fams.map((s) => COLUMNS.map((c) => String(s[c] ?? '').replaceAll(',', ' ')).join(','));
  writeFileSync(path, [COLUMNS.join(','), ...lines].join('\n') + '\n');
  return readLeakFile(path);
}

await main();
