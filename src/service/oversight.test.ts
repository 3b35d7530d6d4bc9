/**
 * Oversight: the guard's alerts (a block written with its alert, kept across processes, lifted when
 * a DPO resolves the alert), the policy read and replaced by a DPO, identifiers hashed into ledger
 * references for investigators, and poison records.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { serviceVault, type ServiceVault } from '../../test/helpers/service-vault.ts';
import { DEFAULT_GUARD } from '../access/guard.ts';
import { Services } from './services.ts';

for (const backend of BACKENDS) {
  describe(`oversight on ${backend.name}`, () => {
    let sv: ServiceVault;
    let strict: Services;
    before(async () => {
      sv = await serviceVault(backend);
      // Two new clear records a minute; the third is blocked.
      strict = await Services.open(sv.vault, { guard: { ...DEFAULT_GUARD, velocityPerMinute: 2 } });
    });
    after(async () => {
      await sv?.close();
    });

    const reveal = { purpose: 'treatment', reveal: ['motherPhone'] };

    test('a block: its alert listed for DPOs and auditors, kept across processes, lifted on resolution', async () => {
      const clinician = sv.as.clinician;
      const id = clinician.principal.id;
      const [a, b, c] = sv.records.hospital;
      await strict.records.read(clinician, a!, reveal);
      await strict.records.read(clinician, b!, reveal);
      const head = await sv.head();
      const blocked = await sv.refused(strict.records.read(clinician, c!, reveal), 'ERR_GUARD_BLOCKED');
      assert.deepEqual(blocked.details, { rules: ['velocity'] });
      const [alertEntry, refusal, ...rest] = await sv.entriesSince(head);
      assert.deepEqual(rest, []);
      assert.deepEqual(
        [alertEntry?.action, alertEntry?.detail?.rule, alertEntry?.detail?.response],
        ['alert', 'velocity', 'block'],
      );
      assert.deepEqual(
        [refusal?.action, refusal?.outcome, refusal?.recordRef],
        ['reveal', 'blocked', strict.gate.ref(c!)],
      );
      assert.equal(refusal?.detail?.alerts, alertEntry?.detail?.alert);
      // Blocked from now on, masked reads included; a new process loads the block.
      await sv.refused(strict.records.read(clinician, a!), 'ERR_GUARD_BLOCKED');
      assert.equal((await Services.open(sv.vault)).gate.guard.isBlocked(id), true);

      const alerts = await strict.oversight.alerts(sv.as.auditor);
      const alert = alerts.find((x) => x.principalId === id && x.rule === 'velocity');
      assert.ok(alert, JSON.stringify(alerts));
      assert.deepEqual([alert.id, alert.action, alert.resolvedAt], [alertEntry?.detail?.alert, 'block', null]);
      assert.equal((await strict.oversight.alerts(sv.as.dpo, { limit: 1 })).length, 1);
      assert.deepEqual(await strict.oversight.alerts(sv.as.dpo, { since: '2999-01-01T00:00:00Z' }), []);
      await sv.refused(strict.oversight.alerts(sv.as.clinician), 'ERR_FORBIDDEN');

      await sv.refused(strict.oversight.resolveAlert(sv.as.auditor, alert.id), 'ERR_FORBIDDEN');
      await sv.refused(strict.oversight.resolveAlert(sv.as.dpo, 'a_nope'), 'ERR_NOT_FOUND');
      const mark = await sv.head();
      await strict.oversight.resolveAlert(sv.as.dpo, alert.id);
      const e = await sv.onlyEntrySince(mark);
      assert.deepEqual([e.action, e.outcome, e.principalId], ['alert.resolve', 'ok', sv.as.dpo.principal.id]);
      assert.deepEqual(e.detail, { alert: alert.id, principal: id });
      assert.equal(strict.gate.guard.isBlocked(id), false);
      assert.equal((await strict.records.read(clinician, a!)).id, a);
      const resolved = (await strict.oversight.alerts(sv.as.dpo)).find((x) => x.id === alert.id);
      assert.ok(resolved?.resolvedAt);
      assert.equal((await Services.open(sv.vault)).gate.guard.isBlocked(id), false);
    });

    test('no one resolves an alert about themselves', async () => {
      const dpo = sv.as.dpo;
      const dsr = { purpose: 'data_subject_request', reveal: ['motherPhone'] };
      const [a, b, c] = sv.records.clinic;
      await strict.records.read(dpo, a!, dsr);
      await strict.records.read(dpo, b!, dsr);
      await sv.refused(strict.records.read(dpo, c!, dsr), 'ERR_GUARD_BLOCKED');
      const own = (await strict.oversight.alerts(sv.as.auditor)).find((x) => x.principalId === dpo.principal.id);
      assert.ok(own);
      const head = await sv.head();
      const e = await sv.refused(strict.oversight.resolveAlert(dpo, own.id), 'ERR_FORBIDDEN');
      assert.deepEqual(e.details, { rule: 'ownAlert' });
      const refusal = await sv.onlyEntrySince(head);
      assert.deepEqual([refusal.action, refusal.outcome], ['alert.resolve', 'denied']);
      assert.equal(strict.gate.guard.isBlocked(dpo.principal.id), true);
    });

    test('the guard holds over a DPO too, with its own lower limits; another DPO lifts its block', async () => {
      const services = sv.services;
      const dpo = await sv.principal({ displayName: 'dpo many', roles: ['dpo'], orgId: sv.orgs.operator });
      const other = await sv.principal({ displayName: 'dpo other', roles: ['dpo'], orgId: sv.orgs.operator });
      const dsr = { purpose: 'data_subject_request', reveal: ['motherPhone'] };
      const why = { ...dsr, justification: 'request 2026-118 from the guardian' };
      const ids = [...sv.records.hospital, ...sv.records.clinic];
      // Five records in clear, then a justification for each; ten new ones in a minute block (ADR 0008).
      for (const id of ids.slice(0, 5)) assert.equal((await services.records.read(dpo, id, dsr)).clear.length, 1);
      const ask = await sv.refused(services.records.read(dpo, ids[5]!, dsr), 'ERR_JUSTIFICATION_REQUIRED');
      // (At night in Beijing the off-hours rule asks too.)
      assert.ok(ask.details.rules?.includes('quota'), JSON.stringify(ask.details));
      for (const id of ids.slice(5, 10)) await services.records.read(dpo, id, why);
      const blocked = await sv.refused(services.records.read(dpo, ids[10]!, why), 'ERR_GUARD_BLOCKED');
      assert.ok(blocked.details.rules?.includes('velocity'), JSON.stringify(blocked.details));
      await sv.refused(services.records.read(dpo, ids[0]!), 'ERR_GUARD_BLOCKED');
      const alert = (await services.oversight.alerts(sv.as.auditor)).find(
        (a) => a.principalId === dpo.principal.id && a.action === 'block',
      );
      assert.ok(alert);
      const own = await sv.refused(services.oversight.resolveAlert(dpo, alert.id), 'ERR_FORBIDDEN');
      assert.deepEqual(own.details, { rule: 'ownAlert' });
      assert.equal(services.gate.guard.isBlocked(dpo.principal.id), true);
      await services.oversight.resolveAlert(other, alert.id);
      assert.equal(services.gate.guard.isBlocked(dpo.principal.id), false);
      assert.equal((await services.records.read(dpo, ids[0]!, dsr)).clear.length, 1);
    });

    test('a read of a poison record blocks its reader', async () => {
      const poison = sv.records.clinic[0]!;
      await sv.refused(strict.oversight.addPoison(sv.as.clinicClerk, poison), 'ERR_FORBIDDEN');
      await strict.oversight.addPoison(sv.as.dpo, poison);
      const blocked = await sv.refused(strict.records.read(sv.as.nurse, poison), 'ERR_GUARD_BLOCKED');
      assert.deepEqual(blocked.details, { rules: ['poison'] });
      const alerts = await strict.oversight.alerts(sv.as.dpo);
      assert.ok(alerts.some((a) => a.principalId === sv.as.nurse.principal.id && a.rule === 'poison'));
    });

    test('the policy: read and replaced by a DPO only; text that does not parse changes nothing', async () => {
      const oversight = sv.services.oversight;
      const current = await oversight.getPolicy(sv.as.dpo);
      assert.equal(current.text, (await sv.services.gate.policy()).text);
      await sv.refused(oversight.getPolicy(sv.as.auditor), 'ERR_FORBIDDEN');
      await sv.refused(oversight.setPolicy(sv.as.clinician, current.text), 'ERR_FORBIDDEN');
      const head = await sv.head();
      await sv.refused(oversight.setPolicy(sv.as.dpo, 'permit ('), 'ERR_POLICY_INVALID');
      assert.equal(await sv.head(), head);
      assert.equal((await oversight.getPolicy(sv.as.dpo)).version, current.version);
      assert.deepEqual(await oversight.setPolicy(sv.as.dpo, current.text), { version: current.version + 1 });
      const e = await sv.onlyEntrySince(head);
      assert.deepEqual([e.action, e.outcome, e.detail?.version], ['policy.change', 'ok', current.version + 1]);
      assert.deepEqual(await oversight.getPolicy(sv.as.dpo), { version: current.version + 1, text: current.text });
    });

    test('hashIdentifier gives the ledger references of an identifier’s records, to administrators only', async () => {
      const oversight = sv.services.oversight;
      const id = sv.records.hospital[6]!;
      const ref = sv.services.gate.ref(id);
      const phone = sv.inputs[6]!.motherPhone as string;
      const head = await sv.head();
      assert.deepEqual(await oversight.hashIdentifier(sv.as.admin, 'phone', phone), { recordRefs: [ref] });
      const e = await sv.onlyEntrySince(head);
      assert.deepEqual([e.action, e.outcome, e.detail], ['identifier.hash', 'ok', { kind: 'phone', results: 1 }]);
      assert.ok(!JSON.stringify(e).includes(phone));
      // The ledger's entries about the record carry that reference.
      const about = (await sv.entriesSince(0)).filter((x) => x.recordRef === ref);
      assert.ok(about.some((x) => x.action === 'collect'));
      assert.deepEqual(await oversight.hashIdentifier(sv.as.admin, 'recordId', id), { recordRefs: [ref] });
      const name = sv.inputs[6]!.motherName as string;
      assert.ok((await oversight.hashIdentifier(sv.as.admin, 'name', name)).recordRefs.includes(ref));
      assert.deepEqual(await oversight.hashIdentifier(sv.as.admin, 'phone', '13900000000'), { recordRefs: [] });
      await sv.refused(oversight.hashIdentifier(sv.as.dpo, 'phone', phone), 'ERR_FORBIDDEN');
      await sv.refused(oversight.hashIdentifier(sv.as.investigator, 'phone', phone), 'ERR_FORBIDDEN');
    });

    test('no ledger entry holds a personal value', async () => {
      sv.assertNoPersonal(JSON.stringify(await sv.entriesSince(0)));
    });
  });
}
