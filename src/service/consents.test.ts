/**
 * Consents: a guardian's consent for a partner, recorded by the record's organisation (or a DPO),
 * makes the partner's reads of that record consented; withdrawn, the partner's next read is
 * refused. Only a partner organisation and a purpose resting on consent; each call an entry.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { serviceVault, type ServiceVault } from '../../test/helpers/service-vault.ts';

const PURPOSE = 'partner_contact';

for (const backend of BACKENDS) {
  describe(`consents on ${backend.name}`, () => {
    let sv: ServiceVault;
    let grant: { organizationId: string; purpose: string };
    before(async () => {
      sv = await serviceVault(backend);
      grant = { organizationId: sv.orgs.partner, purpose: PURPOSE };
    });
    after(async () => {
      await sv?.close();
    });

    const partnerRead = (id: string, reveal: string[] = ['motherPhone']) =>
      sv.services.records.read(sv.as.partner, id, { purpose: PURPOSE, reveal });

    test('granted by the record’s organisation: the partner reads what a parent consented to', async () => {
      const consents = sv.services.consents;
      const id = sv.records.hospital[0]!;
      await sv.refused(partnerRead(id), 'ERR_NOT_FOUND');
      await sv.refused(sv.services.records.read(sv.as.partner, id), 'ERR_NOT_FOUND');
      const head = await sv.head();
      const c = await consents.grant(sv.as.clerk, id, grant);
      assert.deepEqual({ ...c, grantedAt: undefined }, { recordId: id, ...grant, grantedAt: undefined });
      assert.ok(!Number.isNaN(Date.parse(c.grantedAt)));
      const e = await sv.onlyEntrySince(head);
      assert.deepEqual(
        [e.action, e.outcome, e.purpose, e.recordRef],
        ['consent.grant', 'ok', PURPOSE, sv.services.gate.ref(id)],
      );
      assert.deepEqual(e.detail, { organizationId: sv.orgs.partner });
      assert.match(e.decision!, /^allow@\d+$/);
      // An earlier grant stands with its time; the list shows it, and listing is an entry too.
      assert.equal((await consents.grant(sv.as.clinician, id, grant)).grantedAt, c.grantedAt);
      const mark = await sv.head();
      assert.deepEqual(await consents.list(sv.as.clerk, id), [c]);
      const listed = await sv.onlyEntrySince(mark);
      assert.deepEqual([listed.action, listed.detail], ['consent.list', { consents: 1 }]);

      // The partner: masked, only the fields a partner may see; the phone in clear for partner_contact.
      const masked = await sv.services.records.read(sv.as.partner, id);
      assert.deepEqual(Object.keys(masked.fields).sort(), [
        'babyName',
        'birthTime',
        'hospital',
        'motherName',
        'motherPhone',
      ]);
      const clear = await partnerRead(id);
      assert.deepEqual(clear.clear, ['motherPhone']);
      const phone = (await sv.vault.registry.get(id)).current.get('motherPhone')?.value;
      assert.equal((clear.fields.motherPhone as string).replace(/\D/g, ''), phone);
      assert.ok(clear.disclosureId);
      await sv.refused(partnerRead(id, ['address']), 'ERR_FORBIDDEN');
      // Consented to this record only.
      await sv.refused(partnerRead(sv.records.hospital[1]!), 'ERR_NOT_FOUND');
    });

    test('withdrawn: the partner’s next read is refused; a second withdrawal finds nothing', async () => {
      const consents = sv.services.consents;
      const id = sv.records.hospital[2]!;
      await consents.grant(sv.as.clerk, id, grant);
      assert.deepEqual((await partnerRead(id)).clear, ['motherPhone']);
      const head = await sv.head();
      await consents.withdraw(sv.as.clerk, id, sv.orgs.partner, PURPOSE);
      const e = await sv.onlyEntrySince(head);
      assert.deepEqual([e.action, e.outcome, e.purpose], ['consent.withdraw', 'ok', PURPOSE]);
      assert.deepEqual(e.detail, { organizationId: sv.orgs.partner, removed: 1 });
      await sv.refused(partnerRead(id), 'ERR_NOT_FOUND');
      await sv.refused(sv.services.records.read(sv.as.partner, id), 'ERR_NOT_FOUND');
      assert.deepEqual(await consents.list(sv.as.clerk, id), []);
      const mark = await sv.head();
      await sv.refused(consents.withdraw(sv.as.clerk, id, sv.orgs.partner, PURPOSE), 'ERR_NOT_FOUND');
      assert.deepEqual((await sv.onlyEntrySince(mark)).detail, { organizationId: sv.orgs.partner, removed: 0 });
    });

    test('free text as the organisation of a withdrawal is refused before the ledger sees it', async () => {
      const id = sv.records.hospital[2]!;
      const head = await sv.head();
      for (const junk of ['张三 13812345678 11010519491231002X', 'o_unknown']) {
        await sv.refused(sv.services.consents.withdraw(sv.as.clerk, id, junk, PURPOSE), 'ERR_NOT_FOUND');
      }
      assert.deepEqual(await sv.entriesSince(head), []);
    });

    test('a DPO may record and withdraw a consent too', async () => {
      const id = sv.records.clinic[0]!;
      await sv.services.consents.grant(sv.as.dpo, id, grant);
      assert.deepEqual((await partnerRead(id)).clear, ['motherPhone']);
      await sv.services.consents.withdraw(sv.as.dpo, id, sv.orgs.partner, PURPOSE);
      await sv.refused(partnerRead(id), 'ERR_NOT_FOUND');
    });

    test('refused: not a partner, not a purpose resting on consent, outside reach, not the manager', async () => {
      const consents = sv.services.consents;
      const id = sv.records.hospital[3]!;
      const head = await sv.head();
      const clinic = { organizationId: sv.orgs.clinic, purpose: PURPOSE };
      const notPartner = await sv.refused(consents.grant(sv.as.clerk, id, clinic), 'ERR_INVALID_FIELD');
      assert.deepEqual(notPartner.details, { field: 'organizationId', rule: 'consent.partner' });
      const denied = await sv.onlyEntrySince(head);
      assert.deepEqual([denied.action, denied.outcome], ['consent.grant', 'denied']);
      const unknownOrg = { organizationId: 'o_nope', purpose: PURPOSE };
      await sv.refused(consents.grant(sv.as.clerk, id, unknownOrg), 'ERR_INVALID_FIELD');
      const treatment = { ...grant, purpose: 'treatment' };
      const notByConsent = await sv.refused(consents.grant(sv.as.clerk, id, treatment), 'ERR_INVALID_FIELD');
      assert.deepEqual(notByConsent.details, { field: 'purpose', rule: 'consent.purpose' });
      await sv.refused(consents.grant(sv.as.clerk, id, { ...grant, purpose: 'curiosity' }), 'ERR_UNKNOWN_PURPOSE');
      // Another organisation meets a record that does not exist; so does an unknown id.
      const mark = await sv.head();
      await sv.refused(consents.grant(sv.as.clinicClerk, id, grant), 'ERR_NOT_FOUND');
      await sv.refused(consents.list(sv.as.clinicClerk, id), 'ERR_NOT_FOUND');
      await sv.refused(consents.grant(sv.as.clerk, 'r_doesnotexist000000000000', grant), 'ERR_NOT_FOUND');
      const entries = await sv.entriesSince(mark);
      assert.deepEqual(
        entries.map((e) => e.outcome),
        ['denied', 'denied', 'denied'],
      );
      assert.deepEqual(await consents.list(sv.as.clerk, id), [], 'nothing was recorded');
      // The partner, once it may read the record, still does not manage its consents.
      await consents.grant(sv.as.clerk, id, grant);
      await sv.refused(consents.list(sv.as.partner, id), 'ERR_FORBIDDEN');
      await sv.refused(consents.withdraw(sv.as.partner, id, sv.orgs.partner, PURPOSE), 'ERR_FORBIDDEN');
      assert.equal((await consents.list(sv.as.clerk, id)).length, 1);
    });

    test('no ledger entry holds a personal value', async () => {
      sv.assertNoPersonal(JSON.stringify(await sv.entriesSince(0)));
    });
  });
}
