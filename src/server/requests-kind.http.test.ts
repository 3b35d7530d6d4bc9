/**
 * The organisation's rights requests of one kind (GET /v1/requests?kind= or ?type=), over real HTTP
 * on SQLite and on PostgreSQL: a records clerk's list of its organisation's correction requests.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { httpVault, type Json } from '../../test/helpers/http-vault.ts';
import { portalHarness } from '../../test/helpers/portal.ts';

for (const backend of BACKENDS) {
  describe(`HTTP API on ${backend.name}: rights requests by kind`, () => {
    const v = httpVault(backend);
    const { api, tokens, recordsA, recordsB } = v;
    const portal = portalHarness(v);
    let guardian: string, guardianB: string;

    before(async () => {
      portal.connect();
      guardian = (await portal.enrolled(recordsA[20]!)).token;
      // Hospital B's child, invited by hospital B's clinician.
      const code = await portal.invite(recordsB[3]!, tokens.clinicianB);
      const phone = (await portal.phones(recordsB[3]!)).mother!;
      assert.equal((await api('POST', '/v1/portal/enrol', undefined, { code, phone })).status, 202);
      const s = await api('POST', '/v1/portal/sessions', undefined, { phone, otp: await portal.otpFor(phone) });
      assert.equal(s.status, 201, s.text);
      guardianB = s.json.token as string;
    });

    test('?type=correction lists the organisation’s correction requests only', async () => {
      const ask = async (token: string, childId: string, body: object) => {
        const r = await api('POST', '/v1/portal/requests', token, { childId, ...body });
        assert.equal(r.status, 201, r.text);
        return r.json.id as string;
      };
      const correction = await ask(guardian, recordsA[20]!, { kind: 'correction', fields: { fatherName: '李建华' } });
      const restriction = await ask(guardian, recordsA[20]!, { kind: 'restriction' });
      await ask(guardianB, recordsB[3]!, { kind: 'correction', fields: { fatherName: '赵国强' } });

      const ids = (r: { json: Json }) => (r.json.requests as Json[]).map((x) => x.id as string);
      const corrections = await api('GET', '/v1/requests?type=correction', tokens.clerkA);
      assert.equal(corrections.status, 200, corrections.text);
      assert.deepEqual(ids(corrections), [correction], 'its organisation’s corrections, no other kind');
      assert.deepEqual(ids(await api('GET', '/v1/requests?kind=correction&status=pending', tokens.clerkA)), [
        correction,
      ]);
      assert.deepEqual(ids(await api('GET', '/v1/requests?kind=restriction', tokens.clerkA)), [restriction]);
      assert.equal(
        (await api('GET', '/v1/requests?kind=correction&status=accepted', tokens.clerkA)).json.requests.length,
        0,
      );
      assert.equal((await api('GET', '/v1/requests?type=complaint', tokens.clerkA)).status, 400);
      // A DPO sees every organisation's.
      assert.equal(ids(await api('GET', '/v1/requests?type=correction', tokens.dpo)).length, 2);
    });
  });
}
