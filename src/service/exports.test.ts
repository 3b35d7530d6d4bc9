/**
 * Exports: requested for a purpose and fields the policy allows, decided once by a DPO who is not
 * the requester, downloaded by the requester while approved and unexpired: a file marked for its
 * disclosure, with canaries among its rows, recorded as one disclosure before it is returned.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'csv-parse/sync';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { serviceVault, type ServiceVault } from '../../test/helpers/service-vault.ts';
import { CANARY_FLAG_COLUMN } from '../disclose/canary.ts';
import type { ExportRequest } from './exports.ts';
import { sha256 } from './gate.ts';
import { Services } from './services.ts';

const FIELDS = ['babyName', 'motherName', 'birthTime', 'hospital'];
const REQUEST: ExportRequest = { purpose: 'birth_registration', fields: FIELDS, format: 'csv' };

for (const backend of BACKENDS) {
  describe(`exports on ${backend.name}`, () => {
    let sv: ServiceVault;
    before(async () => {
      sv = await serviceVault(backend);
    });
    after(async () => {
      await sv?.close();
    });

    const n = async (sql: string, params: string[]) =>
      Number((await sv.vault.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${sql}`, params))?.n);

    test('a request for allowed fields is pending, with its entry; others are refused', async () => {
      const exports = sv.services.exports;
      const head = await sv.head();
      const x = await exports.request(sv.as.clerk, REQUEST);
      assert.equal(x.status, 'pending');
      assert.equal(x.requestedBy, sv.as.clerk.principal.id);
      assert.deepEqual(x.filter, { recordType: 'birth', organizationId: sv.orgs.hospital });
      assert.deepEqual([x.fields, x.format, x.canaryAware, x.expiresAt], [FIELDS, 'csv', false, null]);
      const e = await sv.onlyEntrySince(head);
      assert.deepEqual(
        [e.action, e.outcome, e.purpose, e.fields],
        ['export.request', 'ok', 'birth_registration', FIELDS],
      );
      assert.deepEqual(e.detail, { export: x.id, format: 'csv' });
      // The phone is not among what a clerk may reveal for birth registration; another organisation's
      // records are not the clerk's to export; a clinician exports nothing.
      const mark = await sv.head();
      const phone = { ...REQUEST, fields: [...FIELDS, 'motherPhone'] };
      const forbidden = await sv.refused(exports.request(sv.as.clerk, phone), 'ERR_FORBIDDEN');
      // The refusal names the fields the purpose does not allow (names only) and the purpose.
      assert.deepEqual(forbidden.details, { purpose: 'birth_registration', fields: ['motherPhone'] });
      const clinic = { ...REQUEST, filter: { organizationId: sv.orgs.clinic } };
      const elsewhere = await sv.refused(exports.request(sv.as.clerk, clinic), 'ERR_FORBIDDEN');
      assert.equal(elsewhere.details.purpose, 'birth_registration');
      // Another organisation's records: none of the fields is the clerk's to reveal there.
      assert.deepEqual(elsewhere.details.fields, FIELDS);
      const noExport = await sv.refused(
        exports.request(sv.as.clinician, { ...REQUEST, purpose: 'treatment' }),
        'ERR_FORBIDDEN',
      );
      // Treatment allows no export at all: the rule says so, not a list of fields.
      assert.deepEqual(noExport.details, { purpose: 'treatment', rule: 'export' });
      const denied = await sv.entriesSince(mark);
      assert.deepEqual(new Set(denied.map((d) => `${d.action} ${d.outcome}`)), new Set(['export.request denied']));
      assert.equal(denied.length, 3);
      assert.match(denied[0]!.decision!, /^deny@\d+$/);
      // Malformed requests: no entry.
      const head2 = await sv.head();
      await sv.refused(exports.request(sv.as.clerk, { ...REQUEST, format: 'pdf' }), 'ERR_UNSUPPORTED_FORMAT');
      await sv.refused(exports.request(sv.as.clerk, { ...REQUEST, purpose: 'curiosity' }), 'ERR_UNKNOWN_PURPOSE');
      await sv.refused(exports.request(sv.as.clerk, { ...REQUEST, fields: [] }), 'ERR_MISSING_FIELD');
      await sv.refused(exports.request(sv.as.clerk, { ...REQUEST, fields: ['shoeSize'] }), 'ERR_UNKNOWN_FIELD');
      const badDate = { ...REQUEST, filter: { collectedFrom: 'yesterday' } };
      await sv.refused(exports.request(sv.as.clerk, badDate), 'ERR_INVALID_FIELD');
      assert.equal(await sv.head(), head2);
    });

    test('only a DPO who is not the requester approves; a request is decided once', async () => {
      const exports = sv.services.exports;
      const own = await exports.request(sv.as.dpo, { ...REQUEST, purpose: 'data_subject_request' });
      const head = await sv.head();
      await sv.refused(exports.decide(sv.as.dpo, own.id, true), 'ERR_SELF_APPROVAL');
      const self = await sv.onlyEntrySince(head);
      assert.deepEqual([self.action, self.outcome, self.detail], ['approve', 'denied', { export: own.id }]);
      const x = await exports.request(sv.as.clerk, REQUEST);
      await sv.refused(exports.decide(sv.as.clerk, x.id, true), 'ERR_FORBIDDEN');
      await sv.refused(exports.decide(sv.as.dpo, 'x_nope', true), 'ERR_NOT_FOUND');
      const mark = await sv.head();
      const t0 = Date.now();
      const approved = await exports.decide(sv.as.dpo, x.id, true);
      assert.deepEqual([approved.status, approved.decidedBy], ['approved', sv.as.dpo.principal.id]);
      const ttl = Date.parse(approved.expiresAt!) - t0;
      assert.ok(ttl > 24 * 3600_000 - 5000 && ttl <= 24 * 3600_000 + 5000, `${ttl}`);
      const e = await sv.onlyEntrySince(mark);
      assert.deepEqual(
        [e.action, e.outcome, e.purpose, e.detail],
        ['approve', 'ok', 'birth_registration', { export: x.id }],
      );
      await sv.refused(exports.decide(sv.as.dpo, x.id, false), 'ERR_CONFLICT');
      // Seen by its requester and by DPOs, by no one else.
      assert.equal((await exports.get(sv.as.clerk, x.id)).status, 'approved');
      assert.equal((await exports.get(sv.as.dpo, x.id)).status, 'approved');
      await sv.refused(exports.get(sv.as.clinician, x.id), 'ERR_NOT_FOUND');
    });

    test('a justification is kept sealed and shown to the approver; no ledger entry holds it', async () => {
      const exports = sv.services.exports;
      // Free text from a staff member, which may name a person: here a mother's name.
      const mother = sv.inputs[0]!.motherName as string;
      const why = `出生登记补录：${mother}的新生儿信息核对`;
      const head = await sv.head();
      const x = await exports.request(sv.as.clerk, { ...REQUEST, justification: why });
      assert.equal(x.justification, why);
      // The approver reads it before deciding, and in the decision's answer; so does its requester.
      const pending = await exports.get(sv.as.dpo, x.id);
      assert.deepEqual([pending.status, pending.justification], ['pending', why]);
      assert.equal((await exports.get(sv.as.clerk, x.id)).justification, why);
      assert.equal((await exports.decide(sv.as.dpo, x.id, true)).justification, why);
      // Stored sealed, never in clear; and in no ledger entry.
      const row = await sv.vault.db.get<{ justification: Uint8Array | null }>(
        'SELECT justification FROM exports WHERE id = ?',
        [x.id],
      );
      assert.ok(row?.justification && row.justification.length > 16, 'stored');
      assert.ok(!Buffer.from(row.justification).toString('utf8').includes(mother), 'sealed');
      const entries = JSON.stringify(await sv.entriesSince(head));
      assert.ok(!entries.includes(mother) && !entries.includes('出生登记补录'), entries);
      // None given, none shown.
      assert.equal((await exports.request(sv.as.clerk, REQUEST)).justification, null);
    });

    test('a refused or undecided export cannot be downloaded', async () => {
      const exports = sv.services.exports;
      const pending = await exports.request(sv.as.clerk, REQUEST);
      const head = await sv.head();
      await sv.refused(exports.file(sv.as.clerk, pending.id), 'ERR_APPROVAL_REQUIRED');
      const e = await sv.onlyEntrySince(head);
      assert.deepEqual([e.action, e.outcome, e.detail], ['export', 'denied', { export: pending.id }]);
      const mark = await sv.head();
      const refused = await exports.decide(sv.as.dpo, pending.id, false);
      assert.deepEqual([refused.status, refused.expiresAt], ['refused', null]);
      assert.equal((await sv.onlyEntrySince(mark)).action, 'export.refuse');
      await sv.refused(exports.file(sv.as.clerk, pending.id), 'ERR_APPROVAL_REQUIRED');
      assert.equal(await n('disclosures WHERE export_id = ?', [pending.id]), 0);
    });

    test('the file: every row recorded in one disclosure, canaries stored, the entry names it', async () => {
      const exports = sv.services.exports;
      const x = await exports.request(sv.as.clerk, { ...REQUEST, canaryAware: true });
      await exports.decide(sv.as.dpo, x.id, true);
      await sv.refused(exports.file(sv.as.dpo, x.id), 'ERR_NOT_FOUND');
      const head = await sv.head();
      const file = await exports.file(sv.as.clerk, x.id);
      assert.equal(file.format, 'csv');
      const [header, ...rows] = parse(file.body, { bom: true });
      assert.deepEqual(header, [...FIELDS, CANARY_FLAG_COLUMN]);
      assert.equal(rows.length, file.records);
      const canaries = rows.filter((r) => r.at(-1) === '1').length;
      const real = sv.records.hospital.length;
      assert.ok(canaries >= 1, 'at least one canary');
      assert.equal(file.records, real + canaries);
      // The real rows carry the records' names (marked renderings of other kinds aside).
      const names = new Set(rows.map((r) => r[1]));
      for (const input of sv.inputs.slice(0, real)) assert.ok(names.has(input.motherName as string));
      const d = await sv.vault.db.get<{
        principal_id: string;
        channel: string;
        export_id: string;
        fingerprint: string;
      }>('SELECT principal_id, channel, export_id, fingerprint FROM disclosures WHERE id = ?', [file.disclosureId]);
      assert.deepEqual([d?.principal_id, d?.channel, d?.export_id], [sv.as.clerk.principal.id, 'export', x.id]);
      assert.ok(d?.fingerprint, 'the scheme of its marks');
      assert.equal(await n('disclosure_items WHERE disclosure_id = ?', [file.disclosureId]), real * FIELDS.length);
      assert.equal(await n('canaries WHERE disclosure_id = ?', [file.disclosureId]), canaries);
      const e = await sv.onlyEntrySince(head);
      assert.deepEqual([e.action, e.outcome, e.purpose, e.fields], ['export', 'ok', 'birth_registration', FIELDS]);
      assert.equal(e.disclosureId, file.disclosureId);
      assert.deepEqual(e.detail, { export: x.id, records: file.records, sha256: sha256(file.body) });
      assert.equal((await exports.get(sv.as.clerk, x.id)).downloads, 1);
      // A second download is another disclosure.
      const again = await exports.file(sv.as.clerk, x.id);
      assert.notEqual(again.disclosureId, file.disclosureId);
    });

    test('an approved export expires', async () => {
      const quick = await Services.open(sv.vault, { exportTtlMs: 1 });
      const x = await quick.exports.request(sv.as.clerk, REQUEST);
      await quick.exports.decide(sv.as.dpo, x.id, true);
      await sleep(10);
      const head = await sv.head();
      await sv.refused(quick.exports.file(sv.as.clerk, x.id), 'ERR_EXPIRED');
      const e = await sv.onlyEntrySince(head);
      assert.deepEqual([e.action, e.outcome, e.detail], ['export', 'denied', { export: x.id }]);
      assert.equal(await n('disclosures WHERE export_id = ?', [x.id]), 0);
    });

    test('no ledger entry holds a personal value', async () => {
      sv.assertNoPersonal(JSON.stringify(await sv.entriesSince(0)));
    });
  });
}
