/**
 * Imports over HTTP as jobs, on SQLite and on PostgreSQL (routes/imports.ts, service/import-jobs.ts,
 * ADR 0025): a GBK CSV and an XLSX imported whole by a records clerk, with progress and the ledger's
 * `import` entry; a file with invalid rows refused whole, its rows listed as (row, field, rule) and
 * never a value; only the uploader sees its job; a principal that may not collect is refused.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { httpVault, leaks, type Json } from '../../test/helpers/http-vault.ts';
import { writeCsv, writeXlsx } from '../sim/files.ts';
import { generateCity } from '../synth/city.ts';
import { snapshot, type Snapshot } from '../synth/snapshot.ts';
import { BIRTH } from '../schema/record-type.ts';
import type { LoadResult } from '../sim/load.ts';

const COLUMNS = BIRTH.fields.map((f) => f.name);
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const rows = (n: number, seed: string): Snapshot[] =>
  [...generateCity({ seed, families: n }).families()].map((f) => snapshot(f));

for (const backend of BACKENDS) {
  describe(`HTTP API on ${backend.name}: imports as jobs`, () => {
    const http = httpVault(backend);
    const { tokens } = http;
    let city: LoadResult, dir: string;
    before(() => {
      ({ city } = http.opened());
      dir = mkdtempSync(join(tmpdir(), 'tv-imports-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    const upload = async (body: Buffer, type: string, token: string, headers: Record<string, string> = {}) => {
      const res = await fetch(`${http.base()}/v1/imports?recordType=birth`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': type, ...headers },
        body,
      });
      const text = await res.text();
      return { status: res.status, json: JSON.parse(text), text, headers: res.headers };
    };
    const poll = async (id: string, token = tokens.clerkA!) => {
      for (let i = 0; i < 200; i++) {
        const r = await http.api('GET', `/v1/imports/${id}`, token);
        assert.equal(r.status, 200, r.text);
        if (r.json.status === 'done' || r.json.status === 'failed') return r;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('the job did not end');
    };
    const recordsOf = async (orgId: string) =>
      Number(
        (
          await http.opened().vault.db.get<{
            n: number;
          }>('SELECT COUNT(*) AS n FROM records WHERE org_id = ? AND staged_by IS NULL', [orgId])
        )?.n,
      );

    test('a GBK CSV: imported whole for the clerk’s organisation, its progress counted, a ledger entry', async () => {
      const hospital = city.hospitals[0]!.orgId;
      const before = await recordsOf(hospital);
      const data = rows(40, 'http-import-gbk');
      const file = join(dir, 'gbk.csv');
      await writeCsv(file, data, COLUMNS, { encoding: 'gbk' });
      const r = await upload(readFileSync(file), 'text/csv', tokens.clerkA!);
      assert.equal(r.status, 201, r.text);
      assert.equal(r.headers.get('location'), `/v1/imports/${r.json.id}`);
      assert.equal(r.json.status, 'done');
      assert.deepEqual(
        [r.json.result.rows, r.json.result.created, r.json.result.duplicates, r.json.result.encoding],
        [40, 40, 0, 'gb18030'],
      );
      assert.deepEqual(r.json.progress, {
        phase: 'done',
        rowsRead: 40,
        rowsValidated: 40,
        rowsInvalid: 0,
        rowsStored: 40,
        rowsTotal: 40,
      });
      assert.equal(await recordsOf(hospital), before + 40);
      const id = (await http.opened().vault.registry.search('phone', data[3]!.motherPhone as string))[0]!;
      const rec = await http.opened().vault.registry.get(id);
      assert.equal(rec.current.get('motherName')!.value, data[3]!.motherName, 'GBK decoded');
      const entry = await http
        .opened()
        .vault.db.get<{ entry: string }>("SELECT entry FROM audit_events WHERE action = 'import' ORDER BY seq DESC");
      assert.equal(JSON.parse(entry!.entry).detail.created, 40);
      // The same file again: found done, every row a duplicate, nothing added.
      const again = await upload(readFileSync(file), 'text/csv', tokens.clerkA!);
      assert.deepEqual([again.status, again.json.result.created, again.json.result.duplicates], [201, 0, 40]);
      assert.equal(await recordsOf(hospital), before + 40);
    });

    test('an XLSX, asynchronously: 202 and its job, polled until done; only its uploader sees it', async () => {
      const file = join(dir, 'births.xlsx');
      await writeXlsx(file, rows(30, 'http-import-xlsx'), COLUMNS);
      const r = await upload(readFileSync(file), XLSX, tokens.clerkA!, { prefer: 'respond-async' });
      assert.equal(r.status, 202, r.text);
      assert.equal(r.headers.get('preference-applied'), 'respond-async');
      assert.ok(['queued', 'running'].includes(r.json.status));
      const done = await poll(r.json.id);
      assert.equal(done.json.status, 'done', done.text);
      assert.deepEqual([done.json.result.format, done.json.result.created], ['xlsx', 30]);
      assert.equal(done.json.progress.rowsTotal, 30);
      assert.equal((await http.api('GET', `/v1/imports/${r.json.id}`, tokens.clinicianA)).status, 404);
      assert.equal((await http.api('GET', '/v1/imports/ij_nope', tokens.clerkA)).status, 404);
    });

    test('invalid rows: nothing imported, the rows listed as (row, field, rule), never a value', async () => {
      const hospital = city.hospitals[0]!.orgId;
      const before = await recordsOf(hospital);
      const bad = '14412345678';
      const data = rows(25, 'http-import-bad').map((d, i) => (i === 4 || i === 17 ? { ...d, motherPhone: bad } : d));
      const file = join(dir, 'bad.csv');
      await writeCsv(file, data, COLUMNS);
      const r = await upload(readFileSync(file), 'text/csv', tokens.clerkA!, { prefer: 'respond-async' });
      assert.equal(r.status, 202, r.text);
      const failed = await poll(r.json.id);
      assert.equal(failed.json.status, 'failed');
      assert.equal(failed.json.error.code, 'ERR_IMPORT_INVALID_ROWS');
      assert.equal(failed.json.error.details.count, 2);
      assert.deepEqual(
        (failed.json.error.details.errors as Json[]).map((e) => [e.row, e.field]),
        [
          [6, 'motherPhone'],
          [19, 'motherPhone'],
        ],
        'rows as a spreadsheet numbers them (the header is row 1)',
      );
      assert.ok((failed.json.error.details.errors as Json[]).every((e) => typeof e.rule === 'string'));
      assert.equal(failed.json.progress.rowsStored, 0);
      assert.equal(await recordsOf(hospital), before, 'all or nothing');
      const values = data.flatMap((d) => [d.motherPhone, d.motherName, d.motherResidentId]).map(String);
      assert.deepEqual(leaks(failed.text, values), []);
      // Waited for, the job's error is the answer.
      const waited = await upload(readFileSync(file), 'text/csv', tokens.clerkA!);
      assert.deepEqual([waited.status, waited.json.code], [400, 'ERR_IMPORT_INVALID_ROWS']);
      assert.deepEqual(leaks(waited.text, values), []);
      const entry = await http.opened().vault.db.get<{
        entry: string;
      }>("SELECT entry FROM audit_events WHERE action = 'import' AND entry LIKE '%\"error\"%' ORDER BY seq DESC");
      assert.equal(JSON.parse(entry!.entry).detail.code, 'ERR_IMPORT_INVALID_ROWS');
    });

    test('refused: a principal that may not collect, a malformed file, an unknown record type', async () => {
      const csv = Buffer.from('babyName,motherPhone\n');
      const stat = await upload(csv, 'text/csv', tokens.statistician!);
      assert.equal(stat.status, 403, stat.text);
      const malformed = await upload(Buffer.from('a,b\n1,2,3\n'), 'text/csv', tokens.clerkA!);
      assert.equal(malformed.status, 400, malformed.text);
      assert.ok(['ERR_MALFORMED_FILE', 'ERR_UNKNOWN_FIELD'].includes(malformed.json.code as string));
      const type = await fetch(`${http.base()}/v1/imports?recordType=nope`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.clerkA}`, 'content-type': 'text/csv' },
        body: csv,
      });
      assert.equal(type.status, 400);
      const none = await fetch(`${http.base()}/v1/imports`, {
        method: 'POST',
        body: csv,
        headers: { 'content-type': 'text/csv' },
      });
      assert.equal(none.status, 401);
    });
  });
}
