/** The command line, end to end, as a person or a script would run it. */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, readFileSync, chmodSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { generateCity } from '../src/synth/city.ts';
import { snapshot, type Snapshot } from '../src/synth/snapshot.ts';
import { writeCsv } from '../src/sim/files.ts';
import { BIRTH } from '../src/schema/record-type.ts';
import { findClearValues } from './helpers/scan.ts';

const BIN = new URL('../bin/tracevault.js', import.meta.url).pathname;
const COLUMNS = BIRTH.fields.map((f) => f.name);

function run(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { ...process.env, TRACEVAULT_TOKEN: '' },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Every personal value of the rows, in the forms they could appear. */
function secrets(rows: readonly Snapshot[]): string[] {
  const out: string[] = [];
  for (const r of rows) {
    for (const f of [
      'motherPhone',
      'fatherPhone',
      'motherResidentId',
      'fatherResidentId',
      'babyResidentId',
      'motherName',
      'fatherName',
    ]) {
      const v = r[f];
      if (typeof v === 'string') out.push(v);
    }
    const addr = r.address as string;
    out.push(addr.slice(addr.indexOf('区') + 1));
  }
  return out;
}

describe('tracevault command line', () => {
  let dir: string, vault: string, rows: Snapshot[];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tv-cli-'));
    vault = join(dir, 'vault');
    rows = [...generateCity({ seed: 'cli', families: 3000 }).families()].map((f) => snapshot(f));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('init creates an owner-only key and two administrators’ tokens; a second init is refused', () => {
    const r = run('init', '--data', vault);
    assert.equal(r.code, 0, r.stderr);
    // Two administrators by default: over HTTP one makes data-access accounts, another approves them.
    for (const f of ['vault.key', 'admin.token', 'admin-2.token'])
      assert.equal(statSync(join(vault, f)).mode & 0o077, 0);
    const again = run('init', '--data', vault);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /ERR_VAULT_EXISTS/);
  });

  test('sim, import, records get (masked), search; no personal value in any output', async () => {
    assert.equal(run('sim', '--data', vault, '--families', '150', '--seed', '9').code, 0);
    const file = join(dir, 'first.csv');
    await writeCsv(file, rows.slice(0, 400), COLUMNS, { encoding: 'gbk' });
    const imp = run('import', file, '--data', vault, '--schema', 'birth', '--json');
    assert.equal(imp.code, 0, imp.stderr);
    assert.equal(JSON.parse(imp.stdout).created, 400);
    const search = run('records', 'search', '--data', vault, '--phone', rows[3]!.motherPhone as string);
    assert.equal(search.code, 0, search.stderr);
    const id = search.stdout.trim().split('\n')[0]!;
    assert.match(id, /^r_[a-z2-7]{26}$/);
    const get = run('records', 'get', id, '--data', vault, '--history');
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stdout, /motherPhone\s+1\d\d\*\*\*\*\d{4}/);
    const json = JSON.parse(run('records', 'get', id, '--data', vault, '--json').stdout);
    assert.equal(json.masked, true);
    const summary = run('summary', '--data', vault);
    assert.match(summary.stdout, /550 birth/);
    const all = imp.stdout + imp.stderr + get.stdout + get.stderr + JSON.stringify(json) + summary.stdout;
    for (const s of secrets(rows.slice(0, 400))) assert.ok(!all.includes(s), 'a personal value reached the output');
  });

  test('invalid rows: exit 1, row, field and rule named, values never printed, nothing written', async () => {
    const bad = rows.slice(400, 420).map((r, i) => (i === 3 ? { ...r, motherPhone: '14400001111', babyName: '' } : r));
    const file = join(dir, 'bad.csv');
    await writeCsv(file, bad, COLUMNS);
    const r = run('import', file, '--data', vault);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ERR_IMPORT_INVALID_ROWS/);
    assert.match(r.stderr, /row 5: motherPhone: mobile\.prefix/);
    assert.match(r.stderr, /row 5: babyName: required/);
    for (const s of [...secrets(bad), '14400001111']) assert.ok(!(r.stdout + r.stderr).includes(s));
    assert.match(run('summary', '--data', vault).stdout, /550 birth/);
  });

  test('usage errors exit 2; unknown ids and a loose key file are coded errors', () => {
    assert.equal(run('import').code, 2);
    assert.equal(run('sim', '--data', vault, '--families', 'lots').code, 2);
    const nf = run('records', 'get', 'r_aaaaaaaaaaaaaaaaaaaaaaaaaa', '--data', vault);
    assert.equal(nf.code, 1);
    assert.match(nf.stderr, /ERR_NOT_FOUND/);
    chmodSync(join(vault, 'vault.key'), 0o644);
    const loose = run('summary', '--data', vault);
    chmodSync(join(vault, 'vault.key'), 0o600);
    assert.equal(loose.code, 1);
    assert.match(loose.stderr, /ERR_KEY_FILE/);
    assert.match(run('summary', '--data', join(dir, 'nowhere')).stderr, /ERR_NO_VAULT/);
  });

  test(
    'a crash in the middle of an import loses nothing acknowledged; ' + 'the rerun resumes without duplicates',
    async () => {
      const file = join(dir, 'big.csv');
      const batch = rows.slice(500, 3000);
      await writeCsv(file, batch, COLUMNS);
      const child = spawn(process.execPath, [BIN, 'import', file, '--data', vault, '--batch-size', '100'], {
        stdio: 'ignore',
      });
      const db = new Database(join(vault, 'vault.db'), { readonly: true });
      let committed = 0;
      for (let i = 0; i < 600 && committed < 300; i++) {
        await new Promise((r) => setTimeout(r, 25));
        committed = Number(
          (
            db.prepare("SELECT MAX(rows_committed) AS n FROM imports WHERE status = 'running'").get() as {
              n: number | null;
            }
          ).n ?? 0,
        );
      }
      child.kill('SIGKILL');
      await new Promise((r) => child.on('exit', r));
      const acknowledged = Number(
        (db.prepare("SELECT MAX(rows_committed) AS n FROM imports WHERE status = 'running'").get() as { n: number }).n,
      );
      const recordsAfterCrash = Number((db.prepare('SELECT COUNT(*) AS n FROM records').get() as { n: number }).n);
      db.close();
      assert.ok(acknowledged > 0 && acknowledged < batch.length + 1, `killed after ${acknowledged} rows`);
      // The committed batches are stored, staged: invisible until the import is published.
      assert.equal(recordsAfterCrash, 550 + acknowledged - 1);
      assert.match(run('summary', '--data', vault).stdout, /550 birth/);
      const again = run('import', file, '--data', vault, '--json');
      assert.equal(again.code, 0, again.stderr);
      const rep = JSON.parse(again.stdout);
      assert.equal(rep.resumedAfterRow, acknowledged);
      assert.equal(rep.created, batch.length);
      assert.match(
        run('summary', '--data', vault).stdout,
        new RegExp(`${(550 + batch.length).toLocaleString('en')} birth`),
      );
      const db2 = new Database(join(vault, 'vault.db'), { readonly: true });
      assert.equal(
        Number((db2.prepare('SELECT COUNT(*) AS n FROM records').get() as { n: number }).n),
        550 + batch.length,
      );
      db2.close();
    },
  );

  test('keys rotate re-encrypts and the vault still reads', () => {
    const r = run('keys', 'rotate', '--data', vault);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /data key version 2/);
    const id = run('records', 'search', '--data', vault, '--phone', rows[10]!.motherPhone as string).stdout.trim();
    assert.equal(run('records', 'get', id, '--data', vault).code, 0);
  });

  test('the SQLite files of the vault hold no clear phone number, resident id or name', () => {
    const files = ['vault.db', 'vault.db-wal'].map((f) => join(vault, f)).filter(existsSync);
    const bytes = Buffer.concat(files.map((f) => readFileSync(f)));
    assert.ok(bytes.length > 1_000_000);
    // The scanner itself finds what it should.
    assert.deepEqual(
      findClearValues(Buffer.from(`xx${rows[0]!.motherPhone}yy张晓明zz`), [rows[0]!.motherPhone as string, '张晓明'])
        .length,
      2,
    );
    assert.deepEqual(findClearValues(bytes, secrets(rows)), [], 'clear personal values found in the database file');
  });
});
