/**
 * The administrator's directory as a use case (administration.ts, ADR 0025): an administrator
 * outside the operator sees and acts on its own organisation only; dual control holds when
 * relationships change (a principal its creator holds the token of never gains relationships that
 * let it act on records); a disabling that cannot be written to the ledger does not happen.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { serviceVault, type ServiceVault } from '../../test/helpers/service-vault.ts';
import { DEFAULT_POLICY } from '../access/default-policy.ts';

for (const backend of BACKENDS) {
  describe(`administration on ${backend.name}`, () => {
    let sv: ServiceVault;
    before(async () => {
      sv = await serviceVault(backend);
    });
    after(async () => {
      await sv?.close();
    });

    test('an administrator outside the operator: its own organisation, and nothing of another', async () => {
      const admin = sv.services.administration;
      const hospitalAdmin = await sv.principal({
        displayName: 'hospital admin',
        roles: ['administrator'],
        orgId: sv.orgs.hospital,
      });
      const orgs = await admin.organisations(hospitalAdmin);
      assert.deepEqual(
        orgs.map((o) => o.id),
        [sv.orgs.hospital],
      );
      const page = await admin.principals(hospitalAdmin, {});
      assert.ok(page.total >= 3 && page.principals.every((p) => p.orgId === sv.orgs.hospital));
      const other = await admin.principals(hospitalAdmin, { organizationId: sv.orgs.clinic });
      assert.deepEqual([other.total, other.principals.length], [0, 0]);
      await sv.refused(admin.principal(hospitalAdmin, sv.as.nurse.principal.id), 'ERR_NOT_FOUND');
      await sv.refused(admin.disable(hospitalAdmin, sv.as.nurse.principal.id), 'ERR_NOT_FOUND');
      await sv.refused(admin.setRelationships(hospitalAdmin, sv.as.nurse.principal.id, []), 'ERR_NOT_FOUND');
      // The operator's administrator sees every organisation.
      assert.ok((await admin.organisations(sv.as.admin)).length >= 5);
      await sv.refused(admin.principals(sv.as.clinician, {}), 'ERR_FORBIDDEN');
    });

    test('a disabling the ledger cannot record does not happen', async () => {
      const admin = sv.services.administration;
      const target = await sv.principal({ displayName: 'to keep', roles: ['statistician'], orgId: sv.orgs.statistics });
      await sv.withLedgerFault(async () => {
        await sv.refused(admin.disable(sv.as.admin, target.principal.id), 'ERR_LEDGER_UNAVAILABLE');
      });
      assert.equal((await admin.principal(sv.as.admin, target.principal.id)).status, 'active');
      const head = await sv.head();
      assert.equal((await admin.disable(sv.as.admin, target.principal.id)).status, 'disabled');
      const e = await sv.onlyEntrySince(head);
      assert.deepEqual([e.action, e.outcome, e.detail?.principal], ['principal.disable', 'ok', target.principal.id]);
    });

    test('dual control: no relationship makes a principal its creator holds the token of act on records', async () => {
      const admin = sv.services.administration;
      // A policy under which an auditor in care may read a record: a ward would make it act on records.
      const text =
        `${DEFAULT_POLICY}\npermit (principal, action == Action::"read", resource is Record)\n` +
        'when { principal.roles.contains("auditor") && context.inCare };\n';
      await sv.services.gate.replacePolicy(sv.as.dpo, text);
      const auditor = sv.as.auditor.principal.id;
      const head = await sv.head();
      const e = await sv.refused(
        admin.setRelationships(sv.as.admin, auditor, [{ kind: 'ward', value: '产科一病区' }]),
        'ERR_FORBIDDEN',
      );
      assert.deepEqual(e.details, { rule: 'dualControl' });
      const entry = await sv.onlyEntrySince(head);
      assert.deepEqual([entry.action, entry.outcome], ['principal.relationships', 'denied']);
      assert.deepEqual((await admin.principal(sv.as.admin, auditor)).relationships, []);
      // A clinician went through dual control: its wards may change.
      const clinician = sv.as.clinician.principal.id;
      const p = await admin.setRelationships(sv.as.admin, clinician, [{ kind: 'ward', value: '新生儿科' }]);
      assert.deepEqual(p.relationships, [{ kind: 'ward', value: '新生儿科' }]);
    });
  });
}
