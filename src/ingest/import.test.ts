import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipWith } from '../../test/helpers/zip.ts';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { initVault, type Vault, type Principal } from '../store/vault.ts';
import { generateCity } from '../synth/city.ts';
import { snapshot, type Snapshot } from '../synth/snapshot.ts';
import { toCsv, writeCsv, writeJsonl, writeXlsx } from '../sim/files.ts';
import { BIRTH, validateRecord } from '../schema/record-type.ts';
import { importFile } from './import.ts';
import { detectEncoding } from './decode.ts';

const COLUMNS = BIRTH.fields.map((f) => f.name);
const rows = (n: number, seed = 'imp'): Snapshot[] =>
  [...generateCity({ seed, families: n }).families()].map((f) => snapshot(f));
const rowsIn = async (v: Vault, table: string) =>
  Number((await v.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))!.n);
const count = (v: Vault) => rowsIn(v, 'records');

for (const backend of BACKENDS) {
  describe(`import on ${backend.name}`, () => {
    let vault: Vault, admin: Principal, env: Awaited<ReturnType<typeof backend.fresh>>, dir: string;
    before(async () => {
      env = await backend.fresh();
      ({ vault, admin } = await initVault(env.dir, { database: env.database }));
      dir = mkdtempSync(join(tmpdir(), 'tv-files-'));
    });
    after(async () => {
      await vault.close();
      await env.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    test('CSV in UTF-8: all rows imported; the same file again creates no duplicates', async () => {
      const data = rows(300);
      const file = join(dir, 'births.csv');
      await writeCsv(file, data, COLUMNS);
      const r1 = await importFile(vault, admin, file, { schema: 'birth', batchSize: 128 });
      assert.equal(r1.rows, 300);
      assert.equal(r1.created, 300);
      const r2 = await importFile(vault, admin, file, { schema: 'birth' });
      assert.equal(r2.created, 0);
      assert.equal(r2.duplicates, 300);
      // The same rows in another file (another format) are duplicates too: ids are keyed content hashes.
      const jl = join(dir, 'births.jsonl');
      writeJsonl(jl, data.slice(0, 50));
      const r3 = await importFile(vault, admin, jl, { schema: 'birth' });
      assert.deepEqual([r3.created, r3.duplicates], [0, 50]);
      assert.equal(await count(vault), 300);
      const id = (await vault.registry.search('phone', data[7]!.motherPhone as string))[0]!;
      const rec = await vault.registry.get(id);
      assert.equal(rec.current.get('motherName')!.value, data[7]!.motherName);
    });

    test(
      'sealed on worker threads: the same records as on the main thread, ' + 'readable, invalid rows still refuse',
      async () => {
        const data = rows(700, 'threads');
        const file = join(dir, 'threads.csv');
        await writeCsv(file, data, COLUMNS);
        const before = await count(vault);
        const r = await importFile(vault, admin, file, { schema: 'birth', batchSize: 100, threads: 2 });
        assert.deepEqual([r.rows, r.created, r.invalid], [700, 700, 0]);
        assert.equal(await count(vault), before + 700);
        // Content ids are the same whichever thread sealed a row: importing on the main thread finds them all.
        const again = await importFile(vault, admin, file, { schema: 'birth', threads: 0 });
        assert.deepEqual([again.created, again.duplicates], [0, 700]);
        for (const i of [0, 350, 699]) {
          const id = (await vault.registry.search('residentId', data[i]!.motherResidentId as string))[0]!;
          assert.equal((await vault.registry.get(id)).current.get('motherPhone')!.value, data[i]!.motherPhone);
        }
        const bad = data.slice(0, 300).map((d, i) => (i === 250 ? { ...d, motherPhone: '14412345678' } : d));
        const badFile = join(dir, 'threads-bad.csv');
        await writeCsv(badFile, [...rows(300, 'threads-new'), ...bad], COLUMNS);
        const err = await importFile(vault, admin, badFile, { schema: 'birth', batchSize: 50, threads: 1 }).catch(
          (e) => e,
        );
        assert.deepEqual(err.details?.errors, [{ row: 552, field: 'motherPhone', rule: 'mobile.prefix' }]);
        assert.equal(await count(vault), before + 700, 'the 300 new rows staged before the bad one are discarded');
      },
    );

    test('an invalid row refuses the whole file by default, naming row, field and rule but no value', async () => {
      const data = rows(20, 'bad');
      const before = await count(vault);
      data[4] = { ...data[4]!, motherPhone: '14412345678' };
      data[9] = { ...data[9]!, motherResidentId: '110105194912310021' };
      const file = join(dir, 'bad.csv');
      await writeCsv(file, data, COLUMNS);
      const err = await importFile(vault, admin, file, { schema: 'birth' }).catch((e) => e);
      assert.equal(err.code, 'ERR_IMPORT_INVALID_ROWS');
      assert.deepEqual(err.details.errors, [
        { row: 6, field: 'motherPhone', rule: 'mobile.prefix' },
        { row: 11, field: 'motherResidentId', rule: 'residentId.checksum' },
      ]);
      assert.ok(!JSON.stringify(err.details).includes('14412345678') && !err.message.includes('1101051949'));
      assert.equal(await count(vault), before);
      const r = await importFile(vault, admin, file, { schema: 'birth', skipInvalid: true });
      assert.deepEqual([r.created, r.invalid], [18, 2]);
    });
  });
}

describe('import formats and faults (SQLite)', () => {
  let vault: Vault, admin: Principal, dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tv-imp-'));
    ({ vault, admin } = await initVault(join(dir, 'vault')));
  });
  after(async () => {
    await vault.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('GBK, UTF-8 with BOM, tab-separated CSV, XLSX and JSON Lines read the same values', async () => {
    const data = rows(40, 'formats');
    const files: [string, () => Promise<void>][] = [
      ['gbk.csv', () => writeCsv(join(dir, 'gbk.csv'), data, COLUMNS, { encoding: 'gbk' })],
      ['bom.csv', () => writeCsv(join(dir, 'bom.csv'), data, COLUMNS, { encoding: 'utf-8-bom' })],
      ['tab.csv', () => writeCsv(join(dir, 'tab.csv'), data, COLUMNS, { delimiter: '\t' })],
      ['x.xlsx', () => writeXlsx(join(dir, 'x.xlsx'), data, COLUMNS)],
      ['x.jsonl', async () => writeJsonl(join(dir, 'x.jsonl'), data)],
    ];
    let first = true;
    for (const [name, make] of files) {
      await make();
      const r = await importFile(vault, admin, join(dir, name), { schema: 'birth' });
      assert.equal(r.rows, 40, name);
      assert.equal(r.invalid, 0, name);
      // Identical content whatever the format: only the first file creates records.
      assert.equal(r.created, first ? 40 : 0, name);
      first = false;
    }
    assert.equal(detectEncoding(readFileSync(join(dir, 'gbk.csv')).subarray(0, 4096)), 'gb18030');
  });

  test(
    'malformed, truncated, wrongly encoded, oversized and zip-bomb files ' + 'are refused and change nothing',
    async () => {
      const before = await count(vault);
      const good = toCsv(rows(5, 'mal'), COLUMNS);
      const cases: [string, Buffer | string, string, object?][] = [
        ['trunc.csv', good.slice(0, good.lastIndexOf('"') - 3) + '"unterminated', 'ERR_MALFORMED_FILE'],
        ['ragged.csv', good + 'a,b\r\n', 'ERR_MALFORMED_FILE'],
        ['binary.csv', Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x00]), 'ERR_ENCODING'],
        [
          'latin.csv',
          Buffer.concat([Buffer.from('babyName\n'), Buffer.from([0xff, 0xff, 0xff, 0x80, 0x0a])]),
          'ERR_ENCODING',
        ],
        ['unknown.csv', 'babyName,secretColumn\n张三之子,x\n', 'ERR_UNKNOWN_FIELD'],
        ['big.csv', good, 'ERR_FILE_TOO_LARGE', { maxBytes: 100 }],
        ['trunc.xlsx', Buffer.from('PK\u0003\u0004garbage-that-is-not-a-zip'), 'ERR_MALFORMED_FILE'],
        ['bad.jsonl', '{"babyName":"张三之子"}\n{not json\n', 'ERR_MALFORMED_FILE'],
        ['bomb.xlsx', zipWith('xl/worksheets/sheet1.xml', Buffer.alloc(64 * 1024 * 1024, 0x20)), 'ERR_UNSAFE_ARCHIVE'],
      ];
      for (const [name, content, code, limits] of cases) {
        writeFileSync(join(dir, name), content);
        const e = await importFile(vault, admin, join(dir, name), { schema: 'birth', limits: limits }).catch((x) => x);
        assert.equal(e?.code, code, name);
        assert.ok(!String(e.message).includes('张三'), name);
      }
      // The truncated XLSX of a real workbook, cut in half.
      const xlsx = join(dir, 'real.xlsx');
      await writeXlsx(xlsx, rows(50, 'cut'), COLUMNS);
      const bytes = readFileSync(xlsx);
      writeFileSync(join(dir, 'half.xlsx'), bytes.subarray(0, bytes.length >> 1));
      const e = await importFile(vault, admin, join(dir, 'half.xlsx'), { schema: 'birth' }).catch((x) => x);
      assert.equal(e?.code, 'ERR_MALFORMED_FILE');
      assert.equal(await count(vault), before);
    },
  );
});

describe('staged imports (SQLite)', () => {
  test('a refused file leaves no staged record behind; staged records are invisible until published', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tv-stage-'));
    const { vault, admin } = await initVault(join(dir, 'vault'));
    try {
      const data = rows(30, 'stage');
      const file = join(dir, 'late-fault.csv');
      // Valid rows first (two batches get staged), then a truncated quote at the very end.
      writeFileSync(file, toCsv(data, COLUMNS) + 'x,"unterminated');
      const e = await importFile(vault, admin, file, { schema: 'birth', batchSize: 10 }).catch((x) => x);
      assert.equal(e.code, 'ERR_MALFORMED_FILE');
      assert.equal(await count(vault), 0);
      for (const table of ['record_changes', 'blind_index', 'staged_digests'])
        assert.equal(await rowsIn(vault, table), 0, table);
      // An interrupted import's staged records: stored, but no read, search or summary sees them.
      const good = join(dir, 'good.csv');
      await writeCsv(good, data, COLUMNS);
      const v = validateRecord(BIRTH, data[0]!, { now: new Date() });
      assert.ok(v.ok);
      const staged = vault.registry.contentId(BIRTH, v.record.values);
      await vault.registry.audited((tx, ev) =>
        vault.registry.collectInto(tx, ev, admin, BIRTH, [{ id: staged, values: v.record.values }], {
          stagedBy: 'imp_interrupted',
        }),
      );
      await assert.rejects(vault.registry.get(staged), { code: 'ERR_NOT_FOUND' });
      assert.deepEqual(await vault.registry.search('phone', data[0]!.motherPhone as string), []);
      // A later import of the same content takes the staged record over and publishes it.
      const r = await importFile(vault, admin, good, { schema: 'birth' });
      assert.equal(r.created, 30);
      assert.equal((await vault.registry.get(staged)).id, staged);
      assert.equal(await count(vault), 30);
      // Its digests, staged by the interrupted import, were indexed with the rest on publication.
      assert.deepEqual(await vault.registry.search('phone', data[0]!.motherPhone as string), [staged]);
      assert.equal(await rowsIn(vault, 'staged_digests'), 0);
    } finally {
      await vault.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
