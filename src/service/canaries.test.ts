/**
 * Canaries after they left: contact points the operator controls (sealed, found by a keyed
 * reference, each registered once), given to the canaries of an export with a phone column; a
 * reported call confirmed only when it quotes such a canary; canaries found in a leaked table.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { serviceVault, type ServiceVault } from '../../test/helpers/service-vault.ts';
import { CANARY_FLAG_COLUMN } from '../disclose/canary.ts';

const PHONE = '13905310001';
const AT = '2026-11-23T10:05:00+08:00';

for (const backend of BACKENDS) {
  describe(`canaries on ${backend.name}`, () => {
    let sv: ServiceVault;
    before(async () => {
      sv = await serviceVault(backend);
    });
    after(async () => {
      await sv?.close();
    });

    test('find on an empty table: no hit, and the lookup is an entry; investigators only', async () => {
      const head = await sv.head();
      assert.deepEqual(await sv.services.canaries.find(sv.as.investigator, []), []);
      const e = await sv.onlyEntrySince(head);
      assert.deepEqual([e.action, e.outcome, e.detail], ['read', 'ok', { canaryLookup: 0, hits: 0 }]);
      await sv.refused(sv.services.canaries.find(sv.as.dpo, []), 'ERR_FORBIDDEN');
    });

    test('a contact point is registered once, sealed; an entry names its kind only', async () => {
      const canaries = sv.services.canaries;
      const head = await sv.head();
      const { id } = await canaries.addContactPoint(sv.as.investigator, 'phone', '139-0531-0001');
      const e = await sv.onlyEntrySince(head);
      assert.deepEqual([e.action, e.outcome, e.detail], ['policy.change', 'ok', { canaryContact: id, kind: 'phone' }]);
      const row = await sv.vault.db.get<{ kind: string; sealed: Buffer }>(
        'SELECT kind, sealed FROM canary_contacts WHERE id = ?',
        [id],
      );
      assert.equal(row?.kind, 'phone');
      assert.ok(!row.sealed.toString('latin1').includes(PHONE), 'the number is sealed');
      // The same number written another way is the same contact point.
      const mark = await sv.head();
      const dup = await sv.refused(canaries.addContactPoint(sv.as.dpo, 'phone', '+86 139 0531 0001'), 'ERR_CONFLICT');
      assert.deepEqual(dup.details, { field: 'value' });
      assert.equal(await sv.head(), mark, 'nothing written');
      await sv.refused(canaries.addContactPoint(sv.as.dpo, 'phone', '14400000000'), 'ERR_INVALID_FIELD');
      await canaries.addContactPoint(sv.as.dpo, 'mailbox', 'Leaks@Example.org');
      await sv.refused(canaries.addContactPoint(sv.as.dpo, 'mailbox', ' leaks@example.org'), 'ERR_CONFLICT');
      await sv.refused(canaries.addContactPoint(sv.as.dpo, 'mailbox', 'not a mailbox'), 'ERR_INVALID_FIELD');
      await sv.refused(canaries.addContactPoint(sv.as.clinician, 'phone', '13905310002'), 'ERR_FORBIDDEN');
    });

    test('a bare call proves nothing; a call quoting a canary names its disclosure to investigators', async () => {
      const canaries = sv.services.canaries;
      const exports = sv.services.exports;
      const fields = ['babyName', 'motherName', 'motherPhone', 'birthTime'];
      const request = {
        purpose: 'investigation',
        fields,
        format: 'csv',
        canaryAware: true,
        filter: { organizationId: sv.orgs.hospital },
      };
      const x = await exports.request(sv.as.investigator, request);
      await exports.decide(sv.as.dpo, x.id, true);
      const file = await exports.file(sv.as.investigator, x.id);
      const [header, ...rows] = parse(file.body, { bom: true });
      const col = (f: string) => header!.indexOf(f);
      const flagged = rows.filter((r) => r[col(CANARY_FLAG_COLUMN)] === '1');
      assert.ok(flagged.length >= 1);
      // The canaries carry the operator's contact point, never a generated number.
      for (const r of flagged) assert.equal(r[col('motherPhone')]!.replace(/\D/g, ''), PHONE);
      const assigned = await sv.vault.db.get<{ n: number }>(
        "SELECT assigned AS n FROM canary_contacts WHERE kind = 'phone'",
      );
      assert.equal(Number(assigned?.n), flagged.length, 'the contact point counts the canaries given it');
      const canary = flagged[0]!;

      const head = await sv.head();
      const bare = await canaries.report(sv.as.investigator, { contact: PHONE, at: AT, quote: '' });
      assert.deepEqual([bare.confirmed, bare.disclosureIds], [false, []]);
      const e = await sv.onlyEntrySince(head);
      assert.deepEqual([e.action, e.outcome], ['alert', 'ok']);
      assert.deepEqual(e.detail, { canaryHit: bare.id, confirmed: false, disclosures: '' });
      const hit = await sv.vault.db.get<{ confirmed: number; disclosure_id: string | null }>(
        'SELECT confirmed, disclosure_id FROM canary_hits WHERE id = ?',
        [bare.id],
      );
      assert.deepEqual([Number(hit?.confirmed), hit?.disclosure_id], [0, null]);

      const name = canary[col('babyName')]!;
      const quote = `恭喜您，${name}的满月照可以预约了`;
      const confirmed = await canaries.report(sv.as.investigator, { contact: '139-0531-0001', at: AT, quote });
      assert.deepEqual([confirmed.confirmed, confirmed.disclosureIds], [true, [file.disclosureId]]);
      // A DPO records the call and sees that it was confirmed, not whose disclosure it was.
      const dpo = await canaries.report(sv.as.dpo, { contact: PHONE, at: AT, quote });
      assert.deepEqual([dpo.confirmed, dpo.disclosureIds], [true, []]);
      const stored = await sv.vault.db.all<{ quote: Buffer }>('SELECT quote FROM canary_hits WHERE confirmed = 1');
      assert.ok(stored.length >= 2);
      for (const s of stored) assert.ok(!s.quote.toString('utf8').includes(name), 'quotes are sealed');
      assert.ok(!JSON.stringify(await sv.entriesSince(head)).includes(name));

      // The canary found in a leaked table names the same disclosure.
      const leaked = [Object.fromEntries(fields.map((f) => [f, canary[col(f)]]))];
      const hits = await canaries.find(sv.as.investigator, leaked);
      assert.deepEqual(
        hits.map((h) => [h.disclosureId, h.rows]),
        [[file.disclosureId, [0]]],
      );
    });

    test('report: an unknown contact point, a bad time, a caller who may not investigate', async () => {
      const canaries = sv.services.canaries;
      const unknown = { contact: '13905310009', at: AT, quote: '' };
      const e = await sv.refused(canaries.report(sv.as.investigator, unknown), 'ERR_NOT_FOUND');
      assert.deepEqual(e.details, { field: 'contact' });
      const late = { contact: PHONE, at: 'yesterday', quote: '' };
      assert.deepEqual((await sv.refused(canaries.report(sv.as.dpo, late), 'ERR_INVALID_FIELD')).details, {
        field: 'at',
        rule: 'dateTime',
      });
      await sv.refused(canaries.report(sv.as.auditor, { contact: PHONE, at: AT, quote: '' }), 'ERR_FORBIDDEN');
    });

    test('no ledger entry holds a personal value', async () => {
      sv.assertNoPersonal(JSON.stringify(await sv.entriesSince(0)));
    });
  });
}
