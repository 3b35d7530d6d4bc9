/**
 * One import case, run in its own process so its peak memory is its own. Prints one JSON line.
 *   tracevault-sqlite | tracevault-postgres: `tracevault import` of the file into a fresh vault
 *   (…-threads1: with one worker thread sealing rows, `--threads 1`)
 *   baseline-sqlite | baseline-postgres: the same file parsed the same way, rows inserted in clear
 *   into one table (one text column per field), 2,000 rows a transaction: the floor
 */
import { rmSync, mkdirSync, createReadStream } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { initVault } from '../src/store/vault.ts';
import { importFile } from '../src/ingest/import.ts';
import type { Db } from '../src/store/db.ts';
import { openDb } from '../src/store/dialect/open-db.ts';
import { CsvParser } from '../src/ingest/csv.ts';
import { BIRTH } from '../src/schema/record-type.ts';
import { BENCH_DIR } from './common.ts';

const [mode, file] = process.argv.slice(2) as [string, string];
const PG = 'postgres://postgres@127.0.0.1:5432/test';
const schema = `tv_bench_${randomBytes(4).toString('hex')}`;
const dir = join(BENCH_DIR, `case-${mode}`);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });

async function baseline(db: Db): Promise<number> {
  const cols = BIRTH.fields.map((f) => f.name);
  await db.exec(`CREATE TABLE births_clear (${cols.map((c) => `"${c}" TEXT`).join(', ')})`);
  const parser = new CsvParser(',');
  let header = true,
    rows = 0,
    batch: string[][] = [];
  const flush = async () => {
    const b = batch;
    batch = [];
    await db.transaction((tx) =>
      tx.insertMany(`INSERT INTO births_clear (${cols.map((c) => `"${c}"`).join(', ')}) VALUES`, b),
    );
  };
  const dec = new TextDecoder('utf-8');
  const take = async (recs: { fields: string[] }[]) => {
    for (const r of recs) {
      if (header) {
        header = false;
        continue;
      }
      batch.push(r.fields);
      rows++;
      if (batch.length >= 2000) await flush();
    }
  };
  for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 }))
    await take(parser.push(dec.decode(chunk as Buffer, { stream: true })));
  await take(parser.end());
  if (batch.length) await flush();
  return rows;
}

const started = performance.now();
let rows: number;
const db = mode.includes('postgres') ? 'postgres' : 'sqlite';
if (mode.startsWith('tracevault')) {
  const database = db === 'postgres' ? { kind: 'postgres' as const, url: PG, schema } : undefined;
  const { vault, admin } = await initVault(join(dir, 'vault'), { database });
  const t = performance.now();
  const r = await importFile(vault, admin, file, { schema: 'birth', threads: mode.endsWith('-threads1') ? 1 : 0 });
  rows = r.created;
  const ms = performance.now() - t;
  await vault.close();
  finish(rows, ms);
} else {
  const clear = await openDb(
    db === 'postgres' ? { kind: 'postgres', url: PG, schema } : { kind: 'sqlite', file: join(dir, 'clear.db') },
  );
  const t = performance.now();
  rows = await baseline(clear);
  const ms = performance.now() - t;
  await clear.close();
  finish(rows, ms);
}

async function cleanup() {
  if (db === 'postgres') {
    const { default: pg } = await import('pg');
    const c = new pg.Client({ connectionString: PG });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  }
  rmSync(dir, { recursive: true, force: true });
}

function finish(n: number, ms: number) {
  void cleanup().then(() => {
    const line = {
      mode,
      rows: n,
      ms: Math.round(ms),
      perSecond: Math.round((n / ms) * 1000),
      peakMB: Math.round(process.resourceUsage().maxRSS / 1024),
      totalMs: Math.round(performance.now() - started),
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  });
}
