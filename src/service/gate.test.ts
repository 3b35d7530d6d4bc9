/**
 * The gate: refusals are ledger entries, a storage fault while committing is always
 * ERR_LEDGER_UNAVAILABLE, a record that does not exist is ERR_NOT_FOUND, the principal's standing,
 * and a new policy adopted here or by another process.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { HOSPITAL_REGION, serviceVault, type ServiceVault } from '../../test/helpers/service-vault.ts';
import { TracevaultError } from '../errors.ts';
import { DEFAULT_POLICY } from '../access/default-policy.ts';
import { districtCode } from '../schema/address-district.ts';
import type { AuditEvent } from '../store/audit.ts';
import type { Db } from '../store/db.ts';
import { openVault } from '../store/vault.ts';
import type { RequestContext } from './context.ts';
import { sha256 } from './gate.ts';
import { Services } from './services.ts';

for (const backend of BACKENDS) {
  describe(`gate on ${backend.name}`, () => {
    let sv: ServiceVault;
    before(async () => {
      sv = await serviceVault(backend);
    });
    after(async () => {
      await sv?.close();
    });

    const standing = async (ctx: RequestContext, id: string, purpose?: string) =>
      sv.services.gate.standing(ctx, await sv.vault.registry.get(id), purpose);
    const valueOf = async (id: string, field: string) =>
      (await sv.vault.registry.get(id)).current.get(field)?.value as string;

    test('a new vault starts with the default policy as version 1, written by the system', async () => {
      const [first] = (await sv.entriesSince(0)).filter((e) => e.action === 'policy.change');
      assert.deepEqual(first?.detail, { version: 1, sha256: sha256(DEFAULT_POLICY) });
      assert.equal(first?.principalId, 'system');
      assert.equal((await sv.services.gate.policy()).text, DEFAULT_POLICY);
    });

    test('authorise allows silently, and refuses with ERR_FORBIDDEN after a denied entry', async () => {
      const gate = sv.services.gate;
      const api = { type: 'Api', area: 'principals' } as const;
      const head = await sv.head();
      await gate.authorise(sv.as.admin, 'administer', api);
      assert.equal(await sv.head(), head, 'an allowed action writes no entry of its own');
      await sv.refused(gate.authorise(sv.as.clinician, 'administer', api), 'ERR_FORBIDDEN');
      const e = await sv.onlyEntrySince(head);
      const version = (await gate.policy()).version;
      assert.equal(e.action, 'principal.create');
      assert.equal(e.outcome, 'denied');
      assert.equal(e.decision, `deny@${version}`);
      assert.equal(e.principalId, sv.as.clinician.principal.id);
      assert.equal(e.organisationId, sv.orgs.hospital);
      assert.equal(e.roles, 'clinician');
      assert.equal(e.requestId, sv.as.clinician.requestId);
      assert.deepEqual(e.detail, { area: 'principals' });
      assert.equal(await gate.allows(sv.as.clinician, 'administer', api), false);
      assert.equal(await sv.head(), e.seq, 'allows() writes nothing');
    });

    test('commit writes an operation with its entries; a storage fault is ERR_LEDGER_UNAVAILABLE', async () => {
      const gate = sv.services.gate;
      const event = { action: 'read', principalId: sv.as.dpo.principal.id, outcome: 'ok' } as const;
      const write = (key: string) => async (tx: Db, events: AuditEvent[]) => {
        await tx.run('INSERT INTO meta (key, value) VALUES (?, ?)', [key, 'x']);
        events.push(event);
        return key;
      };
      const written = async () =>
        (await sv.vault.db.all<{ key: string }>("SELECT key FROM meta WHERE key LIKE 'gate-%' ORDER BY key")).map(
          (r) => r.key,
        );
      const head = await sv.head();
      assert.equal(await gate.commit(write('gate-1')), 'gate-1');
      assert.equal((await sv.onlyEntrySince(head)).principalId, sv.as.dpo.principal.id);
      // A coded error from the operation passes through as it is, and nothing is written.
      const conflict = gate.commit(async (tx, events) => {
        await write('gate-2')(tx, events);
        throw new TracevaultError('ERR_CONFLICT', { field: 'status' });
      });
      await sv.refused(conflict, 'ERR_CONFLICT');
      const mid = await sv.head();
      assert.equal(mid, head + 1);
      assert.deepEqual(await written(), ['gate-1']);
      const id = sv.records.hospital[0]!;
      const disclosures = async () =>
        Number((await sv.vault.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM disclosures'))?.n);
      const before = await disclosures();
      await sv.withLedgerFault(async () => {
        const fault = await sv.refused(gate.commit(write('gate-3')), 'ERR_LEDGER_UNAVAILABLE');
        assert.ok(fault.cause instanceof TracevaultError && fault.cause.code === 'ERR_STORAGE');
        // A refusal cannot be recorded either: the same code, not ERR_FORBIDDEN.
        const refusal = gate.authorise(sv.as.clinician, 'administer', { type: 'Api', area: 'principals' });
        await sv.refused(refusal, 'ERR_LEDGER_UNAVAILABLE');
        await sv.refused(sv.services.records.read(sv.as.clinician, id), 'ERR_LEDGER_UNAVAILABLE');
        const reveal = { purpose: 'treatment', reveal: ['motherPhone'] };
        await sv.refused(sv.services.records.read(sv.as.clinician, id, reveal), 'ERR_LEDGER_UNAVAILABLE');
      });
      assert.equal(await sv.head(), mid, 'nothing was written');
      assert.deepEqual(await written(), ['gate-1'], 'the operation was rolled back with its entry');
      assert.equal(await disclosures(), before, 'no disclosure without its entry');
      assert.equal((await sv.services.records.read(sv.as.clinician, id)).id, id, 'commits resume');
    });

    test('load: an unknown or erased record is ERR_NOT_FOUND after a denied entry with its reference', async () => {
      const gate = sv.services.gate;
      const base = { action: 'read', principalId: sv.as.clinician.principal.id } as const;
      for (const id of ['r_doesnotexist000000000000', sv.records.clinic[3]!]) {
        if (id === sv.records.clinic[3]) await sv.services.records.erase(sv.as.dpo, id, 'data_subject_request');
        const head = await sv.head();
        await sv.refused(gate.load(id, { ...base, recordRef: gate.ref(id) }), 'ERR_NOT_FOUND');
        const e = await sv.onlyEntrySince(head);
        assert.deepEqual([e.action, e.outcome, e.recordRef], ['read', 'denied', gate.ref(id)]);
        assert.ok(!JSON.stringify(e).includes(id), 'the entry names the record by its keyed reference only');
      }
      const rec = await gate.load(sv.records.hospital[0]!, base);
      assert.equal(rec.orgId, sv.orgs.hospital);
    });

    test('standing: same organisation, in care by ward or patient, in a district by the home address', async () => {
      const [h0] = sv.records.hospital;
      assert.deepEqual(await standing(sv.as.clinician, h0!, 'treatment'), {
        purpose: 'treatment',
        sameOrg: true,
        inCare: false,
        inDistrict: false,
        consented: false,
        outsideCare: false,
      });
      const other = await standing(sv.as.clinician, sv.records.clinic[0]!);
      assert.deepEqual([other.sameOrg, other.inCare, other.outsideCare], [false, false, false]);
      // A ward: its records are in care; the hospital's others are outside care.
      const wards = await Promise.all(sv.records.hospital.map((id) => valueOf(id, 'ward')));
      const ward = wards[0]!;
      const elsewhere = sv.records.hospital[wards.findIndex((w) => w !== ward)]!;
      const onWard = await sv.principal({
        displayName: 'ward clinician',
        roles: ['clinician'],
        orgId: sv.orgs.hospital,
        relationships: [{ kind: 'ward', value: ward }],
      });
      assert.deepEqual(await standing(onWard, h0!), {
        purpose: undefined,
        sameOrg: true,
        inCare: true,
        inDistrict: false,
        consented: false,
        outsideCare: false,
      });
      const outside = await standing(onWard, elsewhere);
      assert.deepEqual([outside.inCare, outside.outsideCare], [false, true]);
      // A patient: that record only, in another organisation too.
      const nurse = await sv.principal({
        displayName: 'patient nurse',
        roles: ['vaccination_nurse'],
        orgId: sv.orgs.clinic,
        relationships: [{ kind: 'patient', value: h0! }],
      });
      const patient = await standing(nurse, h0!);
      assert.deepEqual([patient.sameOrg, patient.inCare, patient.outsideCare], [false, true, false]);
      assert.equal((await standing(nurse, elsewhere)).inCare, false);
      // A district: the children whose home address is in it, wherever they were born; never in care.
      const region = await sv.principal({
        displayName: 'region nurse',
        roles: ['vaccination_nurse'],
        orgId: sv.orgs.clinic,
        relationships: [{ kind: 'district', value: HOSPITAL_REGION }],
      });
      const homes = await Promise.all(
        sv.records.hospital.map(async (id) => districtCode(await valueOf(id, 'address'))),
      );
      assert.ok(homes.includes(HOSPITAL_REGION) && homes.some((h) => h !== HOSPITAL_REGION), homes.join());
      for (const [i, id] of sv.records.hospital.entries()) {
        const s = await standing(region, id);
        assert.deepEqual([s.inDistrict, s.inCare], [homes[i] === HOSPITAL_REGION, false], id);
      }
      const c0 = sv.records.clinic[0]!;
      const district = districtCode(await valueOf(c0, 'address'))!;
      const home = await sv.principal({
        displayName: 'home nurse',
        roles: ['vaccination_nurse'],
        orgId: sv.orgs.hospital,
        relationships: [{ kind: 'district', value: district }],
      });
      assert.equal((await standing(home, c0)).inDistrict, true);
      for (const id of sv.records.clinic.slice(1, 3)) {
        const same = districtCode(await valueOf(id, 'address')) === district;
        assert.equal((await standing(home, id)).inDistrict, same);
      }
      // A district is named by its GB/T 2260 county code: a name (ambiguous: 市中区 is in five cities) is refused.
      const named = { displayName: 'x', roles: ['vaccination_nurse'], orgId: sv.orgs.clinic };
      for (const value of ['历下区', '370100', '370101', '37010']) {
        const e = await sv.refused(
          sv.principal({ ...named, relationships: [{ kind: 'district', value }] }),
          'ERR_INVALID_FIELD',
        );
        assert.deepEqual(e.details, { field: 'relationships', rule: 'districtCode' }, value);
      }
    });

    test('a district gives a nurse the vaccination reads of the children living there, never a change', async () => {
      const records = sv.services.records;
      const homes = await Promise.all(
        sv.records.hospital.map(async (id) => districtCode(await valueOf(id, 'address'))),
      );
      // Born at the hospital of district A (HOSPITAL_REGION), living in district B.
      const i = homes.findIndex((h) => h !== HOSPITAL_REGION);
      const [id, b] = [sv.records.hospital[i]!, homes[i]!];
      const nurse = (displayName: string, district: string) =>
        sv.principal({
          displayName,
          roles: ['vaccination_nurse'],
          orgId: sv.orgs.clinic,
          relationships: [{ kind: 'district', value: district }],
        });
      const vaccination = {
        purpose: 'vaccination',
        reveal: ['motherPhone', 'vaccinations'],
        justification: 'due list: DTaP dose 2 call',
      };
      const patch = { motherPhone: '13912345678' };
      // A nurse of the district where the child was born, not where it lives: nothing.
      const ofA = await nurse('nurse of A', HOSPITAL_REGION);
      await sv.refused(records.read(ofA, id, vaccination), 'ERR_NOT_FOUND');
      await sv.refused(records.read(ofA, id), 'ERR_NOT_FOUND');
      await sv.refused(records.update(ofA, id, patch), 'ERR_NOT_FOUND');
      // A nurse of the child's home district, at another organisation: the vaccination fields, read only.
      const ofB = await nurse('nurse of B', b);
      const read = await records.read(ofB, id, vaccination);
      assert.deepEqual(read.clear.sort(), ['motherPhone', 'vaccinations']);
      await sv.refused(records.read(ofB, id, { purpose: 'treatment', reveal: ['motherPhone'] }), 'ERR_FORBIDDEN');
      await sv.refused(records.read(ofB, id, { ...vaccination, reveal: ['address'] }), 'ERR_FORBIDDEN');
      const head = await sv.head();
      await sv.refused(records.update(ofB, id, patch), 'ERR_FORBIDDEN');
      const refusal = await sv.onlyEntrySince(head);
      assert.deepEqual([refusal.action, refusal.outcome], ['update', 'denied']);
      assert.notEqual(await valueOf(id, 'motherPhone'), patch.motherPhone);
      await sv.refused(records.erase(ofB, id, 'vaccination'), 'ERR_FORBIDDEN');
    });

    test("standing: a partner is consented for a record once its guardian's consent is recorded", async () => {
      const id = sv.records.hospital[1]!;
      assert.equal((await standing(sv.as.partner, id)).consented, false);
      const grant = { organizationId: sv.orgs.partner, purpose: 'partner_contact' };
      await sv.services.consents.grant(sv.as.clerk, id, grant);
      const s = await standing(sv.as.partner, id, 'partner_contact');
      assert.deepEqual([s.sameOrg, s.inCare, s.consented], [false, false, true]);
      assert.equal((await standing(sv.as.partner, sv.records.hospital[2]!)).consented, false);
      assert.equal((await standing(sv.as.clerk, id)).consented, false, 'only a partner is consented');
    });

    test('a new policy is adopted with its entry, here and in another process; listeners are called', async () => {
      const gate = sv.services.gate;
      let calls = 0;
      gate.onPolicyChange(() => calls++);
      const v = (await gate.policy(true)).version;
      const text = `${DEFAULT_POLICY}\n// reviewed\n`;
      const head = await sv.head();
      const next = await gate.replacePolicy(sv.as.dpo, text);
      assert.equal(next.version, v + 1);
      assert.equal(calls, 1);
      assert.equal((await gate.policy()).version, v + 1);
      assert.equal(await gate.decision(), `allow@${v + 1}`);
      const e = await sv.onlyEntrySince(head);
      assert.deepEqual([e.action, e.outcome, e.principalId], ['policy.change', 'ok', sv.as.dpo.principal.id]);
      assert.deepEqual(e.detail, { version: v + 1, sha256: sha256(text) });
      await sv.refused(gate.replacePolicy(sv.as.dpo, 'permit ('), 'ERR_POLICY_INVALID');
      assert.equal(calls, 1);
      // Another process (its own vault handle and services) writes the next version: adopted here.
      const other = await openVault(sv.dir);
      try {
        const dpo = (await other.principal(sv.as.dpo.principal.id))!;
        await (await Services.open(other)).gate.replacePolicy({ principal: dpo, requestId: 'other' }, text);
      } finally {
        await other.close();
      }
      assert.equal((await gate.policy(true)).version, v + 2);
      assert.equal(calls, 2);
    });

    test('every use case that writes meets the same fault with the same code, and changes nothing', async () => {
      const s = sv.services;
      const [id, other] = [sv.records.hospital[6]!, sv.records.hospital[7]!];
      const phone = sv.inputs[6]!.motherPhone as string;
      const request = { purpose: 'birth_registration', fields: ['babyName'], format: 'csv' };
      const pending = await s.exports.request(sv.as.clerk, request);
      const approved = await s.exports.request(sv.as.clerk, request);
      await s.exports.decide(sv.as.dpo, approved.id, true);
      const grant = { organizationId: sv.orgs.partner, purpose: 'partner_contact' };
      const { text } = await s.oversight.getPolicy(sv.as.dpo);
      const records = Number((await sv.vault.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM records'))?.n);
      const head = await sv.head();
      const operations: [string, () => Promise<unknown>][] = [
        ['collect', () => s.records.collect(sv.as.clerk, 'birth', sv.inputs[0]!)],
        ['read', () => s.records.read(sv.as.clinician, other, { purpose: 'treatment', reveal: ['motherPhone'] })],
        ['search', () => s.records.search(sv.as.clinician, 'phone', phone)],
        ['update', () => s.records.update(sv.as.clerk, id, { motherPhone: '13912345670' })],
        ['erase', () => s.records.erase(sv.as.dpo, id, 'data_subject_request')],
        ['consent', () => s.consents.grant(sv.as.clerk, id, grant)],
        ['consents', () => s.consents.list(sv.as.clerk, id)],
        ['export', () => s.exports.request(sv.as.clerk, request)],
        ['approve', () => s.exports.decide(sv.as.dpo, pending.id, true)],
        ['file', () => s.exports.file(sv.as.clerk, approved.id)],
        ['organisation', () => s.directory.createOrganisation(sv.as.admin, { name: 'x', kind: 'hospital' })],
        ['principal', () => s.directory.createPrincipal(sv.as.admin, { displayName: 'x', roles: ['dpo'] })],
        ['policy', () => s.oversight.setPolicy(sv.as.dpo, text)],
        ['hash', () => s.oversight.hashIdentifier(sv.as.admin, 'phone', phone)],
        ['stats', () => s.stats.count(sv.as.statistician, 'hospital')],
        ['contact', () => s.canaries.addContactPoint(sv.as.investigator, 'phone', '13905310001')],
        ['lookup', () => s.canaries.find(sv.as.investigator, [])],
      ];
      await sv.withLedgerFault(async () => {
        for (const [name, op] of operations) {
          const e = await op().then(
            () => undefined,
            (x: unknown) => x,
          );
          assert.ok(e instanceof TracevaultError && e.code === 'ERR_LEDGER_UNAVAILABLE', `${name}: ${String(e)}`);
          sv.assertNoPersonal(e.message, JSON.stringify(e.details));
        }
      });
      assert.equal(await sv.head(), head);
      assert.equal(Number((await sv.vault.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM records'))?.n), records);
      assert.equal(await valueOf(id, 'motherPhone'), phone, 'not updated, not erased');
      assert.equal((await s.exports.get(sv.as.dpo, pending.id)).status, 'pending');
      assert.deepEqual(await s.consents.list(sv.as.clerk, id), []);
    });

    test('no ledger entry holds a personal value', async () => {
      const entries = await sv.entriesSince(0);
      assert.ok(entries.length > 20);
      sv.assertNoPersonal(JSON.stringify(entries));
    });
  });
}
