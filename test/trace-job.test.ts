/**
 * A large trace over real HTTP does not hold up other requests (issue 20, finding 8): while a leak
 * of LEAK_ROWS rows is traced as a job, `/healthz` and a record read keep answering within tens of
 * milliseconds (asserted under 200 ms, for a noisy machine), and `GET /v1/traces/{id}` shows the
 * job's progress before its report. A server closed under a running job leaves it failed
 * (ERR_JOB_INTERRUPTED), not running, for the next one. SQLite and PostgreSQL.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { BACKENDS } from './helpers/backends.ts';
import { initVault, type Vault } from '../src/store/vault.ts';
import { loadCity } from '../src/sim/load.ts';
import { generateCity } from '../src/synth/city.ts';
import { snapshot } from '../src/synth/snapshot.ts';
import { Services } from '../src/service/services.ts';
import { Ledger } from '../src/ledger/log.ts';
import { buildServer } from '../src/server/app.ts';

const CITY = { seed: 'trace-job-test', families: 200, hospitals: 2 } as const;
const LEAK_ROWS = Number(process.env.TRACE_JOB_ROWS ?? 150_000);
const COLUMNS = ['motherName', 'motherPhone', 'motherResidentId', 'birthTime', 'babyName', 'address'] as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are asserted field by field
type Json = any;

/**
 * A leak of `n` rows: the city's families again and again, every copy after the first with other
 * last digits of the phone and the id number (rows that block and are compared, and mostly do not link).
 */
function bigLeak(n: number): string {
  const fams = [...generateCity(CITY).families()].map((f) => snapshot(f));
  const out = [COLUMNS.join(',')];
  for (let i = 0; i < n; i++) {
    const s = fams[i % fams.length]!;
    const copy = Math.floor(i / fams.length);
    const tail = copy === 0 ? '' : String(copy % 10_000).padStart(4, '0');
    const cells = COLUMNS.map((c) => String(s[c] ?? '').replaceAll(',', ' '));
    if (tail) {
      cells[1] = cells[1]!.slice(0, -4) + tail;
      cells[2] = cells[2]!.slice(0, -5) + tail + cells[2]!.slice(-1);
    }
    out.push(cells.join(','));
  }
  return out.join('\n') + '\n';
}

for (const backend of BACKENDS) {
  describe(`a large trace job on ${backend.name}`, () => {
    let env: Awaited<ReturnType<typeof backend.fresh>>;
    let vault: Vault, app: FastifyInstance, base: string;
    let investigator = '',
      clerk = '',
      recordId = '';

    const serve = async () => {
      app = await buildServer(await Services.open(vault, { ledger: new Ledger(vault.db) }), {});
      await app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    };
    const get = async (path: string, token?: string) => {
      const t0 = performance.now();
      const res = await fetch(base + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
      const json = (await res.json()) as Json;
      return { status: res.status, json, ms: performance.now() - t0 };
    };
    const post = async (text: string, prefer = 'respond-async') => {
      const res = await fetch(`${base}/v1/traces`, {
        method: 'POST',
        headers: { authorization: `Bearer ${investigator}`, 'content-type': 'text/csv', ...(prefer && { prefer }) },
        body: text,
      });
      return { status: res.status, json: (await res.json()) as Json, location: res.headers.get('location') };
    };

    before(async () => {
      env = await backend.fresh();
      let admin;
      ({ vault, admin } = await initVault(env.dir, { database: env.database }));
      const city = await loadCity(vault, admin, CITY);
      const a = city.hospitals[0]!;
      investigator = (await vault.createPrincipal(admin, { displayName: 'inv', roles: ['investigator'] })).token;
      clerk = (await vault.createPrincipal(admin, { displayName: 'clerk', roles: ['records_clerk'], orgId: a.orgId }))
        .token;
      recordId = (await vault.db.get<{ id: string }>('SELECT id FROM records WHERE org_id = ? LIMIT 1', [a.orgId]))!.id;
      await serve();
    });
    after(async () => {
      await app?.close();
      await vault?.close();
      await env?.cleanup();
    });

    test(`while ${LEAK_ROWS.toLocaleString('en')} rows are traced, other requests answer at once`, async () => {
      const leak = bigLeak(LEAK_ROWS);
      const loop = monitorEventLoopDelay({ resolution: 10 });
      loop.enable();
      const started = performance.now();
      const submitted = await post(leak);
      const postMs = performance.now() - started;
      assert.equal(submitted.status, 202, JSON.stringify(submitted.json));
      const id = submitted.json.id as string;
      assert.equal(submitted.location, `/v1/traces/${id}`);
      assert.equal(submitted.json.status, 'queued');

      const health: number[] = [],
        reads: number[] = [],
        seen: Json[] = [];
      let final: Json;
      const watch = (async () => {
        for (;;) {
          const s = await get(`/v1/traces/${id}`, investigator);
          reads.push(s.ms);
          if (s.json.status === 'done' || s.json.status === 'failed') return (final = s.json);
          seen.push(s.json);
          const r = await get(`/v1/records/${recordId}`, clerk);
          assert.equal(r.status, 200);
          reads.push(r.ms);
          await new Promise((res) => setTimeout(res, 100));
        }
      })();
      let done = false;
      void watch.finally(() => (done = true));
      while (!done) {
        const h = await get('/healthz');
        health.push(h.ms);
        await new Promise((res) => setTimeout(res, 5));
      }
      await watch;
      loop.disable();
      const seconds = (performance.now() - started) / 1000;
      const max = (xs: number[]) => Math.max(...xs);
      const summary =
        `${LEAK_ROWS} rows (${(leak.length / 2 ** 20).toFixed(1)} MiB) traced in ${seconds.toFixed(1)} s ` +
        `(POST answered in ${postMs.toFixed(0)} ms); /healthz max ${max(health).toFixed(1)} ms over ` +
        `${health.length} requests; reads max ${max(reads).toFixed(1)} ms; event loop delay max ` +
        `${(loop.max / 1e6).toFixed(1)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms`;
      console.log(`# ${backend.name}: ${summary}`);

      assert.equal(final.status, 'done', JSON.stringify(final));
      assert.equal(final.id, id);
      assert.equal(final.rows.total, LEAK_ROWS);
      // A trace on the request path held everything for seconds (bench/RESULTS.md, issue 20). On this shared
      // machine, with the suite's other file running beside it, a single read can meet a GC pause of the
      // worker's heap: /healthz stays under 200 ms, and reads do at the 95th percentile (at most 1 s each).
      const p95 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]!;
      assert.ok(max(health) < 200, summary);
      assert.ok(p95(reads) < 200 && max(reads) < 1000, summary);
      // Progress before the report: rows read, then a later phase; counts and phase names only.
      assert.ok(
        seen.some((s) => s.status === 'running' && s.progress.rowsRead > 0),
        JSON.stringify(seen.map((s) => s.progress)),
      );
      assert.ok(seen.some((s) => s.progress.phase === 'link' && s.progress.done > 0));
      for (const s of seen)
        assert.deepEqual(Object.keys(s).sort(), ['createdAt', 'finishedAt', 'id', 'progress', 'status']);
    });

    test('with no preference, a trace that ends within 10 s is answered as before jobs: 201, the report', async () => {
      const r = await post(bigLeak(300), '');
      assert.equal(r.status, 201, JSON.stringify(r.json));
      assert.equal(r.json.status, 'done');
      assert.equal(r.location, `/v1/traces/${r.json.id as string}`);
      assert.ok('accused' in r.json && 'affected' in r.json);
    });

    test('a server closed under a running job leaves it failed for the next one, not running', async () => {
      const submitted = await post(bigLeak(20_000));
      assert.equal(submitted.status, 202);
      const id = submitted.json.id as string;
      for (let i = 0; i < 100 && (await get(`/v1/traces/${id}`, investigator)).json.status !== 'running'; i++)
        await new Promise((res) => setTimeout(res, 50));
      await app.close();
      await serve();
      const after = await get(`/v1/traces/${id}`, investigator);
      assert.equal(after.status, 200);
      assert.equal(after.json.status, 'failed');
      assert.equal(after.json.error.code, 'ERR_JOB_INTERRUPTED');
      const html = await fetch(`${base}/v1/traces/${id}?format=html`, {
        headers: { authorization: `Bearer ${investigator}` },
      });
      assert.equal(html.status, 409);
    });
  });
}
