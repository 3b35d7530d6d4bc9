/**
 * Issue 23, item 2 (ADR 0028): `kill -9` of a server running an import job (POST /v1/imports) and
 * a trace job (POST /v1/traces), on SQLite and PostgreSQL. Both were acknowledged (202); after a
 * restart each ends failed with ERR_JOB_INTERRUPTED once its heartbeat is 30 s old (another live
 * server's job is never taken for dead sooner), with an `error` ledger entry; the import's staged
 * rows stay invisible, and the same file sent again resumes after them, each row once; the trace
 * sent again is done. Their uploads do not outlive them. The counts are printed.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BACKENDS } from './helpers/backends.ts';
import { call, loadedVault, spawnServer, type LoadedVault, type Served } from './helpers/fault-server.ts';
import { generateCity } from '../src/synth/city.ts';
import { snapshot } from '../src/synth/snapshot.ts';
import { BIRTH } from '../src/schema/record-type.ts';
import { writeCsv } from '../src/sim/files.ts';
import { openDb } from '../src/store/dialect/open-db.ts';
import type { Db, DatabaseConfig } from '../src/store/db.ts';

const FAMILIES = [...generateCity({ seed: 'fault-server-jobs', families: 9000 }).families()].map((f) => snapshot(f));
const COLUMNS = BIRTH.fields.map((f) => f.name);
/** Rows of the import: stored 1000 a batch, enough batches that the kill falls in the middle. */
const IMPORT_ROWS = 9000;
const LEAK_COLUMNS = ['motherName', 'motherPhone', 'motherResidentId', 'birthTime', 'babyName', 'address'];

function csv(columns: readonly string[], n: number): Buffer {
  const lines = [columns.join(',')];
  for (let i = 0; i < n; i++) {
    const s = FAMILIES[i % FAMILIES.length]!;
    lines.push(columns.map((c) => String(s[c] ?? '').replaceAll(',', ' ')).join(','));
  }
  return Buffer.from(lines.join('\n') + '\n');
}

async function peek(dir: string): Promise<Db> {
  const config = JSON.parse(readFileSync(join(dir, 'vault.json'), 'utf8')) as { database: DatabaseConfig };
  const d = config.database;
  return openDb(d.kind === 'sqlite' ? { kind: 'sqlite', file: resolve(dir, d.file ?? 'vault.db') } : d);
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const uploads = (dir: string, sub: string, id: string) => {
  try {
    return readdirSync(join(dir, sub)).filter((n) => n.startsWith(id)).length;
  } catch {
    return 0;
  }
};

// Both backends at once: most of the time is the wait for a silent job's heartbeat to age (30 s).
describe('kill -9 of a server running jobs', { concurrency: true }, () => {
  for (const backend of BACKENDS) {
    describe(`kill -9 of a server running an import job and a trace job on ${backend.name}`, () => {
      let env: Awaited<ReturnType<typeof backend.fresh>>;
      let v: LoadedVault;
      let db: Db;
      let server: Served | undefined;

      before(async () => {
        env = await backend.fresh();
        v = await loadedVault(env.dir, env.database, 20);
        db = await peek(env.dir);
      });
      after(async () => {
        await server?.kill9();
        await db?.close();
        await env?.cleanup();
      });

      test('both end interrupted after a restart; sent again, the import resumes and the trace is done', async () => {
        const visible = async () =>
          Number((await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM records WHERE staged_by IS NULL'))!.n);
        const upload = (path: string, token: string, body: Buffer) =>
          fetch(`${server!.url}${path}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv', prefer: 'respond-async' },
            body,
          }).then(async (r) => ({ status: r.status, json: (await r.json()) as Record<string, unknown> }));
        const file = join(env.dir, 'births.csv');
        await writeCsv(file, FAMILIES.slice(0, IMPORT_ROWS), COLUMNS);
        const births = readFileSync(file);
        const leak = csv(LEAK_COLUMNS, 40_000);
        const before = await visible();

        server = await spawnServer(env.dir);
        const imp = await upload('/v1/imports?recordType=birth', v.clerk, births);
        assert.equal(imp.status, 202, JSON.stringify(imp.json));
        const trace = await upload('/v1/traces', v.investigator, leak);
        assert.equal(trace.status, 202, JSON.stringify(trace.json));
        const importId = imp.json.id as string,
          traceId = trace.json.id as string;
        let last = '';
        const stored = await until('rows stored', async () => {
          const r = await call(server!.url, 'GET', `/v1/imports/${importId}`, v.clerk);
          last = r.text;
          if (r.json.status === 'failed' || r.json.status === 'done') throw new Error(last);
          const p = r.json.progress as { rowsStored: number };
          return p.rowsStored >= 1000 && r.json.status === 'running' ? p.rowsStored : undefined;
        });
        await server.kill9();
        const killedAt = Date.now();
        const staged = Number(
          (await db.get<{ n: number }>('SELECT COUNT(*) AS n FROM records WHERE staged_by IS NOT NULL'))!.n,
        );
        const visibleAfterKill = await visible();

        server = await spawnServer(env.dir);
        const ended = async (path: string, token: string) =>
          until(
            `${path} failed`,
            async () => {
              const r = await call(server!.url, 'GET', path, token);
              return r.json.status === 'failed' || r.json.status === 'done' ? r.json : undefined;
            },
            60_000,
          );
        const importEnd = await ended(`/v1/imports/${importId}`, v.clerk);
        const traceEnd = await ended(`/v1/traces/${traceId}`, v.investigator);
        const interruptedAfter = ((Date.now() - killedAt) / 1000).toFixed(1);
        const errorEntries = Number(
          (await db.get<{ n: number }>(
            "SELECT COUNT(*) AS n FROM audit_events WHERE entry LIKE '%ERR_JOB_INTERRUPTED%' OR " +
              "(action IN ('import', 'trace') AND entry LIKE '%\"error\"%')",
          ))!.n,
        );
        const leftUploads = uploads(env.dir, 'import-jobs', importId) + uploads(env.dir, 'trace-jobs', traceId);

        const imp2 = await upload('/v1/imports?recordType=birth', v.clerk, births);
        assert.equal(imp2.status, 202);
        const import2 = await ended(`/v1/imports/${imp2.json.id as string}`, v.clerk);
        const trace2 = await upload('/v1/traces', v.investigator, csv(LEAK_COLUMNS, 300));
        const trace2End = await ended(`/v1/traces/${trace2.json.id as string}`, v.investigator);
        const after = await visible();
        const collects = Number(
          (await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'collect'"))!.n,
        );
        await server.stop();
        server = undefined;
        const result = import2.result as { created: number; rows: number } | undefined;
        console.log(
          `# ${backend.name}: killed with ${stored} rows of ${IMPORT_ROWS} stored (${staged} staged, visible records ` +
            `${before} -> ${visibleAfterKill}); after the restart the import job ${String(importEnd.status)} ` +
            `(${String((importEnd.error as { code?: string } | undefined)?.code)}) and the trace job ` +
            `${String(traceEnd.status)} (${String((traceEnd.error as { code?: string } | undefined)?.code)}) ` +
            `${interruptedAfter} s after the kill; ${errorEntries} error entries; uploads left ${leftUploads}; ` +
            `sent again: import ${String(import2.status)}, created ${result?.created}, visible records ${after}, ` +
            `collect entries ${collects}; trace ${String(trace2End.status)}`,
        );
        assert.equal(visibleAfterKill, before, 'nothing of the killed import is visible');
        assert.equal((importEnd.error as { code: string }).code, 'ERR_JOB_INTERRUPTED');
        assert.equal((traceEnd.error as { code: string }).code, 'ERR_JOB_INTERRUPTED');
        assert.ok(errorEntries >= 2, 'each interruption is a ledger entry');
        assert.equal(import2.status, 'done', JSON.stringify(import2));
        assert.equal(result?.created, IMPORT_ROWS);
        assert.equal(after, before + IMPORT_ROWS, 'each row once');
        assert.equal(trace2End.status, 'done');
        assert.equal(leftUploads, 0, 'no upload outlives its job');
      });
    });
  }
});
