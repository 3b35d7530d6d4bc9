/**
 * Real Chinese data (issue 24), over real HTTP and the real import, on SQLite and on PostgreSQL: a
 * mother's number in 149 and vaccinations written as a Chinese certificate writes them are
 * collected (POST /v1/records, the batch, PATCH, CSV and XLSX import) and found (search); a
 * well-formed number of a prefix not in the table is stored with a warning (row, field, rule)
 * that never holds the value; unknown vaccines, data/IoT ranges and malformed numbers are
 * refused; people's renderings name vaccines in Chinese; refusals say what to change.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { httpVault, leaks } from '../../test/helpers/http-vault.ts';
import { writeCsv, writeXlsx } from '../sim/files.ts';
import { generateCity } from '../synth/city.ts';
import { snapshot, type Snapshot } from '../synth/snapshot.ts';
import { BIRTH } from '../schema/record-type.ts';
import { importFile } from '../ingest/import.ts';
import type { Vault, Principal } from '../store/vault.ts';

const COLUMNS = BIRTH.fields.map((f) => f.name);

/** A certificate's doses, in Chinese: the seven names. */
const CERTIFICATE = [
  { vaccine: '乙肝疫苗', dose: 1, date: '2026-11-20', clinic: '济南市妇幼保健院' },
  { vaccine: '卡介苗', dose: 1, date: '2026-11-20', clinic: '济南市妇幼保健院' },
  { vaccine: '脊灰灭活疫苗', dose: 1, date: '2026-11-21', clinic: '历下区预防接种门诊' },
  { vaccine: '百白破疫苗', dose: 1, date: '2026-11-21', clinic: '历下区预防接种门诊' },
  { vaccine: '麻腮风疫苗', dose: 1, date: '2026-11-22', clinic: '历下区预防接种门诊' },
  { vaccine: '乙脑减毒活疫苗', dose: 1, date: '2026-11-22', clinic: '历下区预防接种门诊' },
  { vaccine: 'A群流脑多糖疫苗', dose: 1, date: '2026-11-22', clinic: '历下区预防接种门诊' },
];
const CODES = ['HepB', 'BCG', 'IPV', 'DTaP', 'MMR', 'JE-L', 'MPSV-A'];

function birth(mother: string, phone: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    babyName: `${mother}之子`,
    babySex: '男',
    birthTime: '2026-11-20T03:17:00+08:00',
    hospital: '济南市妇幼保健院',
    motherName: mother,
    motherPhone: phone,
    ...extra,
  };
}

for (const backend of BACKENDS) {
  describe(`HTTP API on ${backend.name}: Chinese mobiles and vaccine names (issue 24)`, () => {
    const http = httpVault(backend);
    const { api, tokens, seeded } = http;
    let vault: Vault, admin: Principal, dir: string;
    before(() => {
      ({ vault, admin } = http.opened());
      dir = mkdtempSync(join(tmpdir(), 'tv-cn-data-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    test('POST /v1/records: a 149 number and Chinese vaccine names are stored, as codes; search finds it', async () => {
      const created = await api(
        'POST',
        '/v1/records',
        tokens.clinicianA,
        birth('周丽', '149 0531 0001', { vaccinations: CERTIFICATE }),
      );
      assert.equal(created.status, 201, created.text);
      assert.deepEqual(created.json.warnings, []);
      const stored = (await vault.registry.get(created.json.id)).current;
      assert.equal(stored.get('motherPhone')?.value, '14905310001');
      const doses = stored.get('vaccinations')?.value as readonly { vaccine: string }[];
      assert.deepEqual(doses.map((d) => d.vaccine).sort(), [...CODES].sort());
      // Search by the number, written as people write it.
      const found = await api('GET', `/v1/records?phone=${encodeURIComponent('+86 149-0531-0001')}`, tokens.clinicianA);
      assert.equal(found.status, 200, found.text);
      assert.deepEqual(
        found.json.records.map((r: { id: string }) => r.id),
        [created.json.id],
      );
      // A person reads the vaccine's Chinese name beside the stored code (disclose/render.ts).
      const masked = found.json.records[0].fields.vaccinations as { vaccine: string; name: string }[];
      assert.deepEqual(masked.map((d) => [d.vaccine, d.name]).sort(), [
        ['BCG', '卡介苗'],
        ['DTaP', '百白破疫苗'],
        ['HepB', '乙肝疫苗'],
        ['IPV', '脊灰灭活疫苗'],
        ['JE-L', '乙脑减毒活疫苗'],
        ['MMR', '麻腮风疫苗'],
        ['MPSV-A', 'A群流脑多糖疫苗'],
      ]);
    });

    test('an unknown prefix of mobile shape is stored with a warning: row, field and rule, no value', async () => {
      const one = await api('POST', '/v1/records', tokens.clinicianA, birth('吴敏', '15405310002'));
      assert.equal(one.status, 201, one.text);
      assert.deepEqual(one.json.warnings, [{ row: 0, field: 'motherPhone', rule: 'mobile.prefixUnknown' }]);
      assert.ok(!one.text.includes('15405310002'));
      const batch = await api('POST', '/v1/records/batch', tokens.clinicianA, {
        records: [birth('郑红', '13905310003'), birth('冯艳', '16005310004', { fatherPhone: '17905310005' })],
      });
      assert.equal(batch.status, 201, batch.text);
      assert.deepEqual(batch.json.records[0].warnings, []);
      assert.deepEqual(
        batch.json.records[1].warnings.sort((a: { field: string }, b: { field: string }) =>
          a.field.localeCompare(b.field),
        ),
        [
          { row: 1, field: 'fatherPhone', rule: 'mobile.prefixUnknown' },
          { row: 1, field: 'motherPhone', rule: 'mobile.prefixUnknown' },
        ],
      );
      assert.ok(!/16005310004|17905310005/.test(batch.text));
      const found = await api('GET', '/v1/records?phone=16005310004', tokens.clinicianA);
      assert.deepEqual(
        found.json.records.map((r: { id: string }) => r.id),
        [batch.json.ids[1]],
      );
      // PATCH: the same rules, the same warnings.
      const patched = await api('PATCH', `/v1/records/${one.json.id}`, tokens.clinicianA, {
        fields: { motherPhone: '14905310006', vaccinations: [{ ...CERTIFICATE[0], vaccine: '乙型肝炎疫苗' }] },
      });
      assert.equal(patched.status, 200, patched.text);
      assert.deepEqual(patched.json.changed.sort(), ['motherPhone', 'vaccinations']);
      assert.deepEqual(patched.json.warnings, []);
      const again = await api('PATCH', `/v1/records/${one.json.id}`, tokens.clinicianA, { motherPhone: '16205310007' });
      assert.deepEqual(again.json.warnings, []);
      const unknown = await api('PATCH', `/v1/records/${one.json.id}`, tokens.clinicianA, {
        motherPhone: '17905310008',
      });
      assert.equal(unknown.status, 200, unknown.text);
      assert.deepEqual(unknown.json.warnings, [{ field: 'motherPhone', rule: 'mobile.prefixUnknown' }]);
      assert.ok(!unknown.text.includes('17905310008'));
      const stored = (await vault.registry.get(one.json.id)).current;
      assert.equal(stored.get('motherPhone')?.value, '17905310008');
      assert.deepEqual((stored.get('vaccinations')?.value as readonly { vaccine: string }[])[0]!.vaccine, 'HepB');
    });

    test('refused: data/IoT ranges, malformed numbers, unknown vaccines — by rule, never the value', async () => {
      const cases: [Record<string, unknown>, string, string][] = [
        [birth('陈静', '14405310009'), 'motherPhone', 'mobile.prefix'],
        [birth('陈静', '12005310009'), 'motherPhone', 'mobile.prefix'],
        [birth('陈静', '1490531000'), 'motherPhone', 'mobile.length'],
        [
          birth('陈静', '13905310009', { vaccinations: [{ ...CERTIFICATE[0], vaccine: '神仙疫苗' }] }),
          'vaccinations',
          'vaccinations.vaccine',
        ],
      ];
      for (const [body, field, rule] of cases) {
        const r = await api('POST', '/v1/records', tokens.clinicianA, body);
        assert.equal(r.status, 400, r.text);
        assert.equal(r.json.code, 'ERR_INVALID_FIELD');
        assert.deepEqual(r.json.details.errors, [{ row: 0, field, rule }]);
        assert.ok(!/14405310009|12005310009|1490531000|神仙/.test(r.text), r.text);
      }
    });

    test('import (CSV and XLSX): 149 and Chinese vaccine names stored; warnings per row, no value', async () => {
      const data: Snapshot[] = [...generateCity({ seed: 'cn-data-import', families: 6 }).families()].map((f) =>
        snapshot(f),
      );
      data[1] = { ...data[1]!, motherPhone: '149 0531 0101', vaccinations: CERTIFICATE };
      data[3] = { ...data[3]!, motherPhone: '154-0531-0102' };
      for (const [kind, write] of [
        ['csv', writeCsv],
        ['xlsx', writeXlsx],
      ] as const) {
        // A different family a file: the second file's rows are not duplicates of the first's.
        const rows: Snapshot[] = data.map((r) => ({
          ...r,
          motherName: kind === 'csv' ? r.motherName! : `${String(r.motherName)}乙`,
        }));
        const file = join(dir, `births.${kind}`);
        await write(file, rows, COLUMNS);
        const report = await importFile(vault, admin, file, { schema: 'birth' });
        assert.equal(report.invalid, 0, JSON.stringify(report.errors));
        assert.equal(report.created, 6);
        // Header = row 1: the fourth family is row 5.
        assert.ok(
          report.warned.some((w) => w.row === 5 && w.field === 'motherPhone' && w.rule === 'mobile.prefixUnknown'),
          JSON.stringify(report.warned),
        );
        assert.ok(!JSON.stringify(report).includes('15405310102'));
        const [id] = await vault.registry.search('phone', '14905310101');
        assert.ok(id, `${kind}: found by the 149 number`);
      }
      const ids = await vault.registry.search('phone', '14905310101');
      assert.equal(ids.length, 2);
      for (const id of ids) {
        const doses = (await vault.registry.get(id)).current.get('vaccinations')?.value as readonly {
          vaccine: string;
        }[];
        assert.deepEqual(doses.map((d) => d.vaccine).sort(), [...CODES].sort());
      }
    });

    test('POST /v1/imports (CSV and XLSX): the warnings of the job per row, no value; the records found', async () => {
      const data: Snapshot[] = [...generateCity({ seed: 'cn-data-http-import', families: 5 }).families()].map((f) =>
        snapshot(f),
      );
      data[0] = { ...data[0]!, motherPhone: '14905310201', vaccinations: CERTIFICATE };
      data[2] = { ...data[2]!, motherPhone: '17905310202' };
      for (const [kind, type] of [
        ['csv', 'text/csv'],
        ['xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
      ] as const) {
        const rows: Snapshot[] = data.map((r) => ({
          ...r,
          motherName: `${String(r.motherName)}${kind === 'csv' ? '' : '乙'}`,
        }));
        const file = join(dir, `http.${kind}`);
        await (kind === 'csv' ? writeCsv : writeXlsx)(file, rows, COLUMNS);
        const res = await fetch(`${http.base()}/v1/imports?recordType=birth`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tokens.clerkA}`, 'content-type': type },
          body: readFileSync(file),
        });
        const text = await res.text();
        assert.equal(res.status, 201, text);
        const job = JSON.parse(text);
        assert.equal(job.status, 'done', text);
        assert.equal(job.result.created, 5);
        assert.deepEqual(
          job.result.warned.filter((w: { field: string }) => w.field === 'motherPhone'),
          [{ row: 4, field: 'motherPhone', rule: 'mobile.prefixUnknown' }],
        );
        assert.ok(!/14905310201|17905310202/.test(text));
      }
      const ids = await vault.registry.search('phone', '14905310201');
      assert.equal(ids.length, 2);
      const found = await api('GET', '/v1/records?phone=14905310201', tokens.clerkA);
      assert.equal(found.json.records.length, 2, found.text);
      assert.equal(found.json.records[0].fields.vaccinations[0].name.length > 0, true);
    });

    test('a refused export names the fields the purpose does not allow, and the purpose', async () => {
      const r = await api('POST', '/v1/exports', tokens.clerkA, {
        purpose: 'birth_registration',
        fields: ['babyName', 'motherPhone', 'motherResidentId'],
        format: 'csv',
      });
      assert.equal(r.status, 403, r.text);
      assert.equal(r.json.code, 'ERR_FORBIDDEN');
      assert.equal(r.json.details.purpose, 'birth_registration');
      assert.ok(r.json.details.fields.includes('motherPhone'), r.text);
      assert.ok(!r.json.details.fields.includes('babyName'), r.text);
      const none = await api('POST', '/v1/exports', tokens.clinicianA, {
        purpose: 'treatment',
        fields: ['babyName'],
        format: 'csv',
      });
      assert.deepEqual([none.status, none.json.details], [403, { purpose: 'treatment', rule: 'export' }]);
      // A reveal too: the refused fields by name.
      const id = http.recordsA[0]!;
      const reveal = await api('GET', `/v1/records/${id}?purpose=birth_registration&reveal=motherPhone`, tokens.clerkA);
      assert.equal(reveal.status, 403, reveal.text);
      assert.deepEqual(reveal.json.details, { fields: ['motherPhone'], purpose: 'birth_registration' });
      assert.deepEqual(leaks(r.text + none.text + reveal.text, seeded), []);
    });

    test("an unknown property of a principal's body is named, with the body it is in", async () => {
      const r = await api('POST', '/v1/principals', tokens.admin, {
        displayName: '新同事',
        roles: ['records_clerk'],
        shoeSize: 42,
      });
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json.code, 'ERR_BAD_REQUEST');
      assert.deepEqual(r.json.details, {
        field: 'shoeSize',
        rule: 'unknownProperty',
        in: 'body',
        route: 'POST /v1/principals',
      });
      assert.ok(!r.text.includes('record type'));
    });
    test('GET /v1/validation-rules: what each rule means, in Chinese and English, to anyone', async () => {
      const r = await api('GET', '/v1/validation-rules');
      assert.equal(r.status, 200, r.text);
      const byRule = new Map(r.json.rules.map((x: { rule: string }) => [x.rule, x]));
      assert.deepEqual(byRule.get('vaccinations.vaccine'), {
        rule: 'vaccinations.vaccine',
        warning: false,
        zh: '未知的疫苗：请写疫苗名称（如“乙肝疫苗”“卡介苗”）或代码（如 HepB）',
        en: 'unknown vaccine: write its name (乙肝疫苗, 卡介苗) or its code (HepB)',
      });
      assert.equal((byRule.get('mobile.prefixUnknown') as { warning: boolean }).warning, true);
      assert.ok(r.json.generic.some((g: { suffix: string }) => g.suffix === 'length'));
    });
  });
}
