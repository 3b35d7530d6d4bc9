/**
 * Issue 23, item 2 (ADR 0028): `kill -9` of long work, on SQLite and PostgreSQL — an import by the
 * command line, a key rotation by the command line, and an import job and a trace job in a server.
 * A restart resumes or cleans up: nothing acknowledged is lost (the committed batches of an import,
 * the records a rotation re-encrypted, the 202 of a job, which ends failed with
 * ERR_JOB_INTERRUPTED rather than running for ever), nothing is duplicated (records, their
 * `collect` entries, the rotation's `start` entry), nothing half-done is visible (an import's staged
 * rows). The counts are printed.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { BACKENDS } from './helpers/backends.ts';
import { call, cli, loadedVault, spawnServer, BIN, type LoadedVault, type Served } from './helpers/fault-server.ts';
import { generateCity } from '../src/synth/city.ts';
import { snapshot } from '../src/synth/snapshot.ts';
import { writeCsv } from '../src/sim/files.ts';
import { BIRTH } from '../src/schema/record-type.ts';
import { openDb } from '../src/store/dialect/open-db.ts';
import type { Db, DatabaseConfig } from '../src/store/db.ts';

const COLUMNS = BIRTH.fields.map((f) => f.name);
const ROWS = [...generateCity({ seed: 'fault-jobs', families: 4200 }).families()].map((f) => snapshot(f));

/** The vault's database, opened beside whatever process is using it (reads only). */
async function peek(dir: string): Promise<Db> {
  const config = JSON.parse(readFileSync(join(dir, 'vault.json'), 'utf8')) as { database: DatabaseConfig };
  const d = config.database;
  return openDb(d.kind === 'sqlite' ? { kind: 'sqlite', file: resolve(dir, d.file ?? 'vault.db') } : d);
}

async function count(db: Db, sql: string, params: (string | number)[] = []): Promise<number> {
  return Number((await db.get<{ n: number | null }>(sql, params))?.n ?? 0);
}

async function until(what: string, fn: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** `tracevault ARGS` in the background, killed with SIGKILL once `ready` holds. */
async function killWhen(args: readonly string[], ready: () => Promise<boolean>): Promise<void> {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: 'ignore',
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  let ended: number | null | undefined;
  void exited.then((c) => (ended = c));
  await until(`${args[0]} under way`, async () => ended !== undefined || (await ready()));
  assert.equal(ended, undefined, `${args[0]} ended (${String(ended)}) before it could be killed`);
  child.kill('SIGKILL');
  await exited;
}

const collects = (db: Db) => count(db, "SELECT COUNT(*) AS n FROM audit_events WHERE action = 'collect'");
const visible = (db: Db) => count(db, 'SELECT COUNT(*) AS n FROM records WHERE staged_by IS NULL');

for (const backend of BACKENDS) {
  describe(`kill -9 of an import, a key rotation and jobs on ${backend.name}`, () => {
    let env: Awaited<ReturnType<typeof backend.fresh>>;
    let v: LoadedVault;
    let db: Db;
    let server: Served | undefined;

    before(async () => {
      env = await backend.fresh();
      v = await loadedVault(env.dir, env.database, 30);
      db = await peek(env.dir);
    });
    after(async () => {
      await server?.kill9();
      await db?.close();
      await env?.cleanup();
    });

    test('an import killed by the command line: staged rows stay invisible, the rerun resumes', async () => {
      const file = join(env.dir, 'births.csv');
      const rows = ROWS.slice(0, 3000);
      await writeCsv(file, rows, COLUMNS);
      const before = { visible: await visible(db), collects: await collects(db) };
      const running = "SELECT MAX(rows_committed) AS n FROM imports WHERE status = 'running'";
      await killWhen(
        ['import', file, '--data', env.dir, '--batch-size', '100'],
        async () => (await count(db, running)) >= 300,
      );
      const acknowledged = await count(db, running);
      const staged = await count(db, 'SELECT COUNT(*) AS n FROM records WHERE staged_by IS NOT NULL');
      const crashed = { visible: await visible(db), collects: await collects(db) };
      const again = cli(['import', file, '--data', env.dir, '--json']);
      assert.equal(again.status, 0, again.stderr);
      const rep = JSON.parse(again.stdout) as { resumedAfterRow: number; created: number };
      const after = { visible: await visible(db), collects: await collects(db) };
      const leftStaged = await count(db, 'SELECT COUNT(*) AS n FROM records WHERE staged_by IS NOT NULL');
      console.log(
        `# ${backend.name} import: ${rows.length} rows; killed after ${acknowledged} committed (${staged} staged, ` +
          `invisible); visible records ${before.visible} -> ${crashed.visible} after the kill -> ${after.visible}; ` +
          `collect entries ${before.collects} -> ${crashed.collects} -> ${after.collects}; rerun resumed after row ` +
          `${rep.resumedAfterRow}, created ${rep.created}; staged left ${leftStaged}`,
      );
      assert.ok(acknowledged >= 300 && acknowledged < rows.length);
      assert.equal(crashed.visible, before.visible, 'nothing of a killed import is visible');
      assert.equal(crashed.collects, before.collects);
      assert.equal(rep.resumedAfterRow, acknowledged);
      assert.equal(rep.created, rows.length);
      assert.equal(after.visible, before.visible + rows.length, 'each row once');
      assert.equal(after.collects, before.collects + rows.length, 'one collect entry each');
      assert.equal(leftStaged, 0);
    });

    test('a key rotation killed: records still read, the rerun resumes, one start entry', async () => {
      const version = 'SELECT MAX(to_version) AS n FROM key_rotations';
      const total = await count(db, 'SELECT COUNT(*) AS n FROM records');
      const startEntries = () =>
        count(db, "SELECT COUNT(*) AS n FROM audit_events WHERE action = 'key.rotate' AND entry LIKE '%\"start\"%'");
      const starts = await startEntries();
      await killWhen(['keys', 'rotate', '--data', env.dir, '--batch-size', '50'], async () => {
        const to = await count(db, version);
        return to > 0 && (await count(db, 'SELECT COUNT(*) AS n FROM record_keys WHERE dek_version = ?', [to])) >= 200;
      });
      const to = await count(db, version);
      const doneAtKill = await count(db, 'SELECT COUNT(*) AS n FROM record_keys WHERE dek_version = ?', [to]);
      // Between the kill and the rerun, records re-encrypted or not are read alike.
      server = await spawnServer(env.dir);
      for (const id of v.patients.slice(0, 5)) {
        const r = await call(server.url, 'GET', `/v1/records/${id}?purpose=treatment&reveal=motherPhone`, v.clinician);
        assert.equal(r.status, 200, r.text);
      }
      await server.stop();
      server = undefined;
      const again = cli(['keys', 'rotate', '--data', env.dir]);
      assert.equal(again.status, 0, again.stderr);
      const doneAfter = await count(db, 'SELECT COUNT(*) AS n FROM record_keys WHERE dek_version = ?', [to]);
      const status = await db.get<{ status: string }>('SELECT status FROM key_rotations WHERE to_version = ?', [to]);
      console.log(
        `# ${backend.name} key rotation to version ${to}: ${total} records; ${doneAtKill} re-encrypted when ` +
          `killed; rerun: ${again.stdout.trim()}; ${doneAfter} under version ${to}; rotation ${status?.status}; ` +
          `start entries ${starts} -> ${await startEntries()}`,
      );
      assert.ok(doneAtKill >= 200 && doneAtKill < total);
      assert.match(again.stdout, /resumed an interrupted rotation/);
      assert.equal(doneAfter, total);
      assert.equal(await startEntries(), starts + 1, 'one start, not two');
      const verify = cli(['ledger', 'verify', '--data', env.dir]);
      assert.equal(verify.status, 0, verify.stdout + verify.stderr);
    });
  });
}
