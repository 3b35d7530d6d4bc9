/**
 * A vault holds no clear personal value, whatever its cipher suite and backend: births imported,
 * some changed, then every byte of the store scanned (test/helpers/scan.ts) for the phone numbers,
 * resident ids, names and street addresses that went in. SQLite: the database file and its WAL as
 * they are on disk. PostgreSQL: every row of every table of the vault's schema, each value as the
 * bytes the server returns (bytea raw, text as UTF-8).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STORAGE_MATRIX } from './helpers/suites.ts';
import { findClearValues } from './helpers/scan.ts';
import { initVault, type Principal, type Vault } from '../src/store/vault.ts';
import { generateCity } from '../src/synth/city.ts';
import { snapshot, type Snapshot } from '../src/synth/snapshot.ts';
import { writeCsv } from '../src/sim/files.ts';
import { BIRTH } from '../src/schema/record-type.ts';
import { importFile } from '../src/ingest/import.ts';
import { rotateKeys } from '../src/store/key-rotation.ts';

const COLUMNS = BIRTH.fields.map((f) => f.name);
const PERSONAL = ['motherPhone', 'fatherPhone', 'motherResidentId', 'fatherResidentId', 'motherName', 'fatherName'];

/** Every personal value of the rows, in the forms they could appear. */
function secrets(rows: readonly Snapshot[]): string[] {
  const out: string[] = [];
  for (const r of rows) {
    for (const f of PERSONAL) if (typeof r[f] === 'string') out.push(r[f]);
    const addr = r.address as string;
    out.push(addr.slice(addr.indexOf('区') + 1));
  }
  return out;
}

async function storedBytes(vault: Vault, dir: string): Promise<Buffer> {
  if (vault.db.dialect === 'sqlite') {
    const files = ['vault.db', 'vault.db-wal'].map((f) => join(dir, f)).filter(existsSync);
    return Buffer.concat(files.map((f) => readFileSync(f)));
  }
  const tables = await vault.db.all<{ name: string }>(
    'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()',
  );
  const parts: Buffer[] = [];
  for (const { name } of tables) {
    for (const row of await vault.db.all(`SELECT * FROM "${name}"`)) {
      for (const v of Object.values(row)) {
        parts.push(Buffer.isBuffer(v) ? v : Buffer.from(typeof v === 'string' ? v : (JSON.stringify(v) ?? ''), 'utf8'));
        parts.push(Buffer.of(0));
      }
    }
  }
  return Buffer.concat(parts);
}

for (const { backend, suite, name } of STORAGE_MATRIX) {
  describe(`file scan on ${name}`, () => {
    let vault: Vault, admin: Principal, env: Awaited<ReturnType<typeof backend.fresh>>, files: string;
    const rows = [...generateCity({ seed: `scan-${suite.name}`, families: 300 }).families()].map((f) => snapshot(f));
    before(async () => {
      env = await backend.fresh();
      ({ vault, admin } = await initVault(env.dir, { database: env.database, cipherSuite: suite.name }));
      files = mkdtempSync(join(tmpdir(), 'tv-scan-'));
    });
    after(async () => {
      await vault.close();
      await env.cleanup();
      rmSync(files, { recursive: true, force: true });
    });

    test('births imported (worker and main thread), changed, re-keyed: no clear personal value stored', async () => {
      assert.equal(vault.keys.suite.name, suite.name);
      const file = join(files, 'births.csv');
      await writeCsv(file, rows, COLUMNS);
      // Sealed on a worker thread (its keys sent over with the suite), then again on this one: the
      // content ids (the suite's HMAC) agree, so the second import finds every row a duplicate.
      const r = await importFile(vault, admin, file, { schema: 'birth', threads: 1 });
      assert.equal(r.created, rows.length);
      const again = await importFile(vault, admin, file, { schema: 'birth', threads: 0 });
      assert.deepEqual([again.created, again.duplicates], [0, rows.length]);
      // A change and a key rotation: new versions, re-sealed changes and current versions.
      const id = (await vault.registry.search('phone', rows[0]!.motherPhone as string))[0]!;
      await vault.registry.update(admin, id, new Map([['motherPhone', rows[1]!.motherPhone as string]]));
      await rotateKeys(vault, admin);
      assert.equal((await vault.registry.get(id)).current.get('motherPhone')!.value, rows[1]!.motherPhone);
      const bytes = await storedBytes(vault, env.dir);
      assert.ok(bytes.length > 100_000, `${bytes.length} bytes scanned`);
      // The scanner finds what it should.
      const known = `xx${rows[0]!.motherPhone}yy${rows[0]!.motherName}zz`;
      assert.equal(findClearValues(Buffer.from(known), secrets(rows.slice(0, 1))).length, 2);
      assert.deepEqual(findClearValues(bytes, secrets(rows)), [], 'clear personal values found in the store');
    });
  });
}
