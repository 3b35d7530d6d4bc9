/**
 * Traces: a leaked copy of an export file, traced by an investigator, names the principal who
 * downloaded it; the report is kept sealed and read again as it was; each trace and each reading
 * is a ledger entry; no one else traces.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { STORAGE_MATRIX } from '../../test/helpers/suites.ts';
import { serviceVault, type ServiceVault } from '../../test/helpers/service-vault.ts';
import { tableOf, type LeakTable } from '../trace/leak-file.ts';
import type { TraceReport } from '../trace/report.ts';

const FIELDS = ['babyName', 'motherName', 'motherResidentId', 'birthTime', 'address', 'hospital'];

for (const { backend, suite, name } of STORAGE_MATRIX) {
  describe(`traces on ${name}`, () => {
    let sv: ServiceVault;
    let leak: LeakTable;
    let disclosureId = '';
    let report: TraceReport;
    before(async () => {
      sv = await serviceVault(backend, {}, suite.name);
      const exports = sv.services.exports;
      const x = await exports.request(sv.as.clerk, { purpose: 'birth_registration', fields: FIELDS, format: 'csv' });
      await exports.decide(sv.as.dpo, x.id, true);
      const file = await exports.file(sv.as.clerk, x.id);
      disclosureId = file.disclosureId;
      const [header, ...rows] = parse(file.body, { bom: true });
      leak = tableOf(
        'csv',
        header!,
        rows.map((cells, j) => ({ line: j + 2, cells })),
      );
    });
    after(async () => {
      await sv?.close();
    });

    test('a copied export file is linked row by row and names the principal who downloaded it', async () => {
      const head = await sv.head();
      report = await sv.services.traces.run(sv.as.investigator, leak);
      const clerk = sv.as.clerk.principal.id;
      assert.equal(report.rows.total, leak.rows.length);
      assert.ok(report.rows.linked >= sv.records.hospital.length - 1, JSON.stringify(report.rows));
      assert.ok(report.rows.canaries >= 1, 'the canaries among its rows are found');
      assert.equal(report.accused?.principalId, clerk, JSON.stringify(report.candidates.slice(0, 3)));
      assert.equal(report.accused?.disclosureId, disclosureId);
      assert.ok(report.confidenceSets['0.000001']?.includes(clerk));
      const e = await sv.onlyEntrySince(head);
      assert.deepEqual([e.action, e.outcome, e.principalId], ['trace', 'ok', sv.as.investigator.principal.id]);
      assert.deepEqual(e.detail, {
        trace: report.id,
        rows: report.rows.total,
        linked: report.rows.linked,
        accused: clerk,
        keyHolder: false,
      });
      // Record and principal ids only, sealed at rest.
      sv.assertNoPersonal(JSON.stringify(report));
      const stored = await sv.vault.db.get<{ report: Buffer; accused: string }>(
        'SELECT report, accused FROM traces WHERE id = ?',
        [report.id],
      );
      assert.equal(stored?.accused, clerk);
      assert.ok(!stored.report.toString('latin1').includes(disclosureId), 'the report is sealed');
    });

    test('get returns the same report, and the reading is an entry', async () => {
      const head = await sv.head();
      assert.deepEqual(await sv.services.traces.get(sv.as.investigator, report.id), report);
      const e = await sv.onlyEntrySince(head);
      assert.deepEqual([e.action, e.outcome, e.detail], ['trace', 'ok', { trace: report.id, read: true }]);
      await sv.refused(sv.services.traces.get(sv.as.investigator, 't_nope'), 'ERR_NOT_FOUND');
    });

    test('only investigators trace and read reports; the key holder traces without the role', async () => {
      const traces = sv.services.traces;
      for (const who of ['dpo', 'clerk', 'admin'] as const) {
        const head = await sv.head();
        await sv.refused(traces.run(sv.as[who], leak), 'ERR_FORBIDDEN');
        const e = await sv.onlyEntrySince(head);
        assert.deepEqual([e.action, e.outcome, e.principalId], ['trace', 'denied', sv.as[who].principal.id]);
        await sv.refused(traces.get(sv.as[who], report.id), 'ERR_FORBIDDEN');
      }
      const small = { ...leak, rows: leak.rows.slice(0, 3) };
      const head = await sv.head();
      const r = await traces.run(sv.as.admin, small, {}, { keyHolder: true });
      assert.equal(r.rows.total, 3);
      const e = await sv.onlyEntrySince(head);
      assert.deepEqual([e.action, e.principalId, e.detail?.keyHolder], ['trace', sv.as.admin.principal.id, true]);
    });

    test('no ledger entry holds a personal value', async () => {
      sv.assertNoPersonal(JSON.stringify(await sv.entriesSince(0)));
    });
  });
}
