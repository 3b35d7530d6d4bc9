/**
 * "Is this caller real?" over real HTTP, on SQLite and on PostgreSQL (routes/family-contact.ts,
 * routes/portal.ts, service/portal/calls.ts): a vaccination nurse of a district clinic registers a
 * call before phoning a family; the family's guardian sees it and checks the caller by the code said
 * on the phone or by the number; a wrong code, an unregistered number, an expired call and another
 * family's call all answer "no registered organisation is calling you now", alike. Only principals
 * who may read the record register calls; the ledger names the call, never its code or free text.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { httpVault, leaks } from '../../test/helpers/http-vault.ts';
import { portalHarness } from '../../test/helpers/portal.ts';
import { districtCode } from '../schema/address-district.ts';
import { NO_CALL } from '../service/portal/calls.ts';

const CLINIC = '历下区预防接种门诊';
const NURSE = '李护士';
const CLINIC_NUMBER = '0531-8888 6666';

for (const backend of BACKENDS) {
  describe(`HTTP API on ${backend.name}: the parents' portal, is this caller real?`, () => {
    const v = httpVault(backend);
    const { api, tokens, recordsA, seeded } = v;
    const portal = portalHarness(v);
    /** The family whose guardian checks calls, and another family. */
    let child: string, other: string;
    let guardian: string, otherGuardian: string;
    let nurse: string;

    before(async () => {
      portal.connect();
      const { vault, admin } = v.opened();
      [child, other] = [recordsA[5]!, recordsA[6]!];
      // A district clinic's nurse, whose district is where the child lives (she reads it through it).
      const address = (await vault.registry.get(child)).current.get('address')?.value as string;
      const district = districtCode(address);
      assert.ok(district, 'the child’s district');
      const clinic = await vault.createOrganisation(admin, {
        name: CLINIC,
        kind: 'vaccination_clinic',
        region: district,
      });
      nurse = (
        await vault.createPrincipal(admin, {
          displayName: NURSE,
          roles: ['vaccination_nurse'],
          orgId: clinic,
          relationships: [{ kind: 'district', value: district }],
        })
      ).token;
      guardian = (await portal.enrolled(child)).token;
      otherGuardian = (await portal.enrolled(other)).token;
    });

    test('a call registered by a nurse is shown to the guardian and verified genuine by its code', async () => {
      const reg = await api('POST', '/v1/calls', nurse, {
        recordId: child,
        purpose: 'HepB dose 2',
        fromNumber: CLINIC_NUMBER,
      });
      assert.equal(reg.status, 201, reg.text);
      assert.deepEqual(Object.keys(reg.json).sort(), ['code', 'expiresAt', 'id']);
      assert.match(reg.json.code, /^\d{4}$/);
      const minutes = (Date.parse(reg.json.expiresAt) - Date.now()) / 60_000;
      assert.ok(minutes > 14.9 && minutes <= 15, `${minutes}`);

      const listed = await api('GET', '/v1/portal/calls', guardian);
      assert.equal(listed.status, 200, listed.text);
      assert.equal(listed.json.calls.length, 1);
      const call = listed.json.calls[0];
      assert.equal(call.id, reg.json.id);
      assert.equal(call.childId, child);
      assert.deepEqual(call.who, {
        role: 'vaccination_nurse',
        organization: CLINIC,
        organizationKind: 'vaccination_clinic',
        staffName: NURSE,
      });
      assert.equal(call.purpose, 'HepB dose 2');
      assert.equal(call.code, reg.json.code);
      assert.equal(call.fromNumber, '053188886666');

      const ok = await api('POST', '/v1/portal/calls/verify', guardian, { code: reg.json.code });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.json.genuine, true);
      assert.deepEqual(ok.json.calls, [call]);
      const byNumber = await api('POST', '/v1/portal/calls/verify', guardian, { number: '0531 88886666' });
      assert.equal(byNumber.json.genuine, true);
      const both = await api('POST', '/v1/portal/calls/verify', guardian, {
        code: reg.json.code,
        number: CLINIC_NUMBER,
      });
      assert.equal(both.json.genuine, true);
    });

    test('a wrong code, an unregistered number, another family’s call: one answer, no call', async () => {
      const own = await api('POST', '/v1/calls', tokens.clinicianA, { recordId: child, purpose: 'treatment' });
      assert.equal(own.status, 201, own.text);
      // Another family's call, from a number of its own; its code differs from the child's calls.
      let theirs;
      do {
        theirs = await api('POST', '/v1/calls', tokens.clinicianA, {
          recordId: other,
          purpose: 'vaccination',
          fromNumber: '13905310099',
        });
        assert.equal(theirs.status, 201, theirs.text);
      } while (
        (await api('GET', '/v1/portal/calls', guardian)).json.calls.some(
          (c: { code: string }) => c.code === theirs!.json.code,
        )
      );
      // The child's guardian never sees it; the other family's does, with the treatment purpose's legal basis absent.
      const mine = (await api('GET', '/v1/portal/calls', guardian)).json.calls;
      assert.ok(mine.every((c: { id: string; childId: string }) => c.childId === child && c.id !== theirs.json.id));
      const treatment = mine.find((c: { id: string }) => c.id === own.json.id);
      assert.equal(treatment.purpose, 'treatment');
      assert.match(treatment.legalBasis, /PIPL/);
      assert.equal(treatment.who.role, 'clinician');
      const seen = (await api('GET', '/v1/portal/calls', otherGuardian)).json.calls;
      assert.deepEqual(
        seen.map((c: { id: string }) => c.id),
        [theirs.json.id],
      );

      const wrong = String((Number(own.json.code) + 1) % 10_000).padStart(4, '0');
      const answers = [];
      for (const body of [
        { code: theirs.json.code },
        { number: '13905310099' },
        { number: '13800000000' },
        { code: wrong === own.json.code ? '0000' : wrong, number: '13800000000' },
        { code: own.json.code, number: '13905310099' },
      ]) {
        const r = await api('POST', '/v1/portal/calls/verify', guardian, body);
        assert.equal(r.status, 200, r.text);
        answers.push(r.text);
      }
      assert.deepEqual(new Set(answers), new Set([JSON.stringify({ genuine: false, message: NO_CALL })]));
      const none = await api('POST', '/v1/portal/calls/verify', guardian, {});
      assert.equal(none.status, 400);
      // The other family finds its own call by the number.
      assert.equal(
        (await api('POST', '/v1/portal/calls/verify', otherGuardian, { number: '139 0531 0099' })).json.genuine,
        true,
      );
    });

    test('an expired call is gone', async () => {
      const reg = await api('POST', '/v1/calls', tokens.clinicianA, { recordId: child, purpose: 'vaccination' });
      await v
        .opened()
        .vault.db.run('UPDATE calls SET expires_at = ? WHERE id = ?', ['2000-01-01T00:00:00.000Z', reg.json.id]);
      const listed = (await api('GET', '/v1/portal/calls', guardian)).json.calls;
      assert.ok(listed.every((c: { id: string }) => c.id !== reg.json.id));
      const r = await api('POST', '/v1/portal/calls/verify', guardian, { code: reg.json.code });
      if (!listed.some((c: { code: string }) => c.code === reg.json.code)) assert.equal(r.json.genuine, false);
    });

    test('only those who may read the record register calls; the ledger names the call, not its code', async () => {
      for (const who of ['clinicianB', 'statistician', 'auditor', 'admin']) {
        const r = await api('POST', '/v1/calls', tokens[who], { recordId: child, purpose: 'vaccination' });
        assert.equal(r.status, 404, who);
      }
      assert.equal((await api('POST', '/v1/calls', guardian, { recordId: child, purpose: 'vaccination' })).status, 401);
      assert.equal(
        (await api('POST', '/v1/calls', tokens.clinicianA, { recordId: 'r_nosuch', purpose: 'x' })).status,
        404,
      );
      const bad = await api('POST', '/v1/calls', tokens.clinicianA, {
        recordId: child,
        purpose: 'x',
        fromNumber: 'call me',
      });
      assert.equal(bad.status, 400);

      const reg = await api('POST', '/v1/calls', tokens.clinicianA, {
        recordId: child,
        purpose: '出院随访 follow-up',
        fromNumber: '13905310077',
      });
      const { vault, services } = v.opened();
      const row = await vault.db.get<{ record_ref: string; entry: string }>(
        "SELECT record_ref, entry FROM audit_events WHERE action = 'call.register' ORDER BY seq DESC LIMIT 1",
      );
      assert.equal(row?.record_ref, services.gate.ref(child));
      const entry = JSON.parse(row.entry);
      assert.deepEqual(entry.detail, { call: reg.json.id });
      assert.equal(entry.purpose, undefined, 'free text is no purpose of the registry');
      assert.ok(!row.entry.includes('出院') && !row.entry.includes('13905310077'));
      const verified = await vault.db.all<{ entry: string }>(
        "SELECT entry FROM audit_events WHERE action = 'call.verify'",
      );
      assert.ok(verified.length >= 8);
      const all = (await vault.db.all<{ entry: string }>('SELECT entry FROM audit_events'))
        .map((r) => r.entry)
        .join('\n');
      assert.deepEqual(leaks(all, seeded), []);
      // Stored sealed: neither the code nor the number nor the text is in the row.
      const stored = await vault.db.get<{ sealed: Buffer; purpose: string | null }>(
        'SELECT sealed, purpose FROM calls WHERE id = ?',
        [reg.json.id],
      );
      assert.equal(stored?.purpose, null);
      assert.ok(!Buffer.from(stored.sealed).includes(Buffer.from('13905310077')));
    });
  });
}
