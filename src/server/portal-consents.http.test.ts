/**
 * A guardian's consents for partners in the parents' portal, over real HTTP, on SQLite and on
 * PostgreSQL (routes/portal-consents.ts, service/portal/consents.ts): the partners a child's record
 * may be shown to, a consent given and withdrawn by the parent, and the partner's reads — allowed
 * while the consent stands, refused with a coded error at the very next read after the withdrawal.
 * A guardian reaches its own children only: another family's child, a record that does not exist
 * and free text are one answer. Every grant and withdrawal is a ledger entry naming the guardian.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { httpVault, leaks } from '../../test/helpers/http-vault.ts';
import { portalHarness } from '../../test/helpers/portal.ts';

const STUDIO = '宝贝影像工作室';
const NANNY = '月嫂服务中心';

for (const backend of BACKENDS) {
  describe(`HTTP API on ${backend.name}: the parents' portal, consents for partners`, () => {
    const v = httpVault(backend);
    const { api, tokens, recordsA, seeded } = v;
    const portal = portalHarness(v);
    let child: string, other: string;
    let guardian: string, guardianId: string, otherGuardian: string;
    let studioOrg: string, nannyOrg: string, studio: string;

    before(async () => {
      portal.connect();
      [child, other] = [recordsA[7]!, recordsA[9]!];
      const made = await api('POST', '/v1/organizations', tokens.admin, { name: STUDIO, kind: 'partner' });
      assert.equal(made.status, 201, made.text);
      studioOrg = made.json.id;
      nannyOrg = (await api('POST', '/v1/organizations', tokens.admin, { name: NANNY, kind: 'partner' })).json.id;
      studio = (await v.principal({ displayName: 'studio', roles: ['partner'], organizationId: studioOrg })).token;
      guardian = (await portal.enrolled(child)).token;
      guardianId = (await api('GET', '/v1/portal/me', guardian)).json.guardianId;
      otherGuardian = (await portal.enrolled(other)).token;
    });

    const read = (id: string) => `/v1/records/${id}?purpose=partner_contact&reveal=motherPhone`;

    test('consented, the partner reads; withdrawn, the partner’s next read is refused', async () => {
      const path = `/v1/portal/children/${child}/consents`;
      const listed = await api('GET', path, guardian);
      assert.equal(listed.status, 200, listed.text);
      const byOrg = new Map(listed.json.consents.map((c: { organizationId: string }) => [c.organizationId, c]));
      assert.deepEqual(byOrg.get(studioOrg), {
        consentId: studioOrg,
        organizationId: studioOrg,
        organization: STUDIO,
        purpose: 'partner_contact',
        legalBasis: byOrg.get(studioOrg) && (byOrg.get(studioOrg) as { legalBasis: string }).legalBasis,
        state: 'not_granted',
        grantedAt: null,
      });
      assert.match((byOrg.get(studioOrg) as { legalBasis: string }).legalBasis, /art\. 31/);
      assert.ok(byOrg.has(nannyOrg), 'every partner is listed');
      assert.equal((await api('GET', read(child), studio)).json.code, 'ERR_NOT_FOUND', 'no consent, no read');

      const granted = await api('POST', path, guardian, { organizationId: studioOrg });
      assert.equal(granted.status, 201, granted.text);
      assert.equal(granted.json.state, 'granted');
      assert.equal(granted.json.consentId, studioOrg);
      const again = await api('POST', path, guardian, { organizationId: studioOrg, purpose: 'partner_contact' });
      assert.equal(again.json.grantedAt, granted.json.grantedAt, 'the first consent stands');
      // Staff see the parent's consent as any other (the same consents).
      const staff = await api('GET', `/v1/records/${child}/consents`, tokens.clerkA);
      assert.deepEqual(
        staff.json.consents.map((c: { organizationId: string }) => c.organizationId),
        [studioOrg],
      );

      const before = await api('GET', read(child), studio);
      assert.equal(before.status, 200, before.text);
      assert.deepEqual(before.json.clear, ['motherPhone']);
      const after = (await api('GET', path, guardian)).json.consents.find(
        (c: { organizationId: string }) => c.organizationId === studioOrg,
      );
      assert.deepEqual([after.state, after.grantedAt], ['granted', granted.json.grantedAt]);

      const withdrawn = await api('DELETE', `${path}/${studioOrg}`, guardian);
      assert.equal(withdrawn.status, 204, withdrawn.text);
      const refused = await api('GET', read(child), studio);
      assert.equal(refused.status, 404);
      assert.equal(refused.json.code, 'ERR_NOT_FOUND');
      assert.equal((await api('GET', `/v1/records/${child}`, studio)).json.code, 'ERR_NOT_FOUND');
      const twice = await api('DELETE', `${path}/${studioOrg}?purpose=partner_contact`, guardian);
      assert.deepEqual([twice.status, twice.json.code], [404, 'ERR_NOT_FOUND']);
      assert.equal(
        (await api('GET', path, guardian)).json.consents.find((c: { consentId: string }) => c.consentId === studioOrg)
          .state,
        'not_granted',
      );

      // The ledger: who (the guardian, as a guardian) did what for which record, never a value.
      const { vault, services } = v.opened();
      const rows = await vault.db.all<{ record_ref: string | null; entry: string }>(
        "SELECT record_ref, entry FROM audit_events WHERE action IN ('consent.grant', 'consent.withdraw') " +
          'AND principal_id = ? ORDER BY seq',
        [guardianId],
      );
      const entries = rows.map((r) => ({ ref: r.record_ref, ...JSON.parse(r.entry) }));
      assert.deepEqual(
        entries.map((e) => [e.action, e.outcome, e.roles, e.ref, e.detail.organizationId]),
        [
          ['consent.grant', 'ok', 'guardian', services.gate.ref(child), studioOrg],
          ['consent.grant', 'ok', 'guardian', services.gate.ref(child), studioOrg],
          ['consent.withdraw', 'ok', 'guardian', services.gate.ref(child), studioOrg],
          ['consent.withdraw', 'denied', 'guardian', services.gate.ref(child), studioOrg],
        ],
      );
      assert.deepEqual(leaks(rows.map((r) => r.entry).join('\n'), seeded), []);

      // In the family's history, in words: the list looked at, the consent given, then withdrawn.
      const history = await api('GET', `/v1/portal/children/${child}/accesses`, guardian);
      const kinds = new Set((history.json.entries as { kind: string }[]).map((e) => e.kind));
      for (const k of ['consents_listed', 'consent_given', 'consent_withdrawn']) assert.ok(kinds.has(k), k);
    });

    test('another family’s child, a record that does not exist, free text: one answer on every path', async () => {
      const ids = [other, recordsA[8]!, 'r_nosuch', encodeURIComponent('张三 13800138000')];
      const bodies = new Set<string>();
      for (const id of ids) {
        const path = `/v1/portal/children/${id}/consents`;
        for (const [method, url, body] of [
          ['GET', path, undefined],
          ['POST', path, { organizationId: studioOrg }],
          ['DELETE', `${path}/${studioOrg}`, undefined],
        ] as const) {
          const r = await api(method, url, guardian, body);
          assert.equal(r.status, 404, `${method} ${id}: ${r.text}`);
          bodies.add(r.text);
        }
      }
      assert.deepEqual(
        [...bodies].map((b) => JSON.parse(b).code),
        ['ERR_NOT_FOUND'],
      );
      assert.equal(bodies.size, 1, [...bodies].join('\n'));
      // Nothing was granted to the other family's child, whose own guardian sees no consent.
      const theirs = await api('GET', `/v1/portal/children/${other}/consents`, otherGuardian);
      assert.equal(theirs.status, 200);
      assert.ok(theirs.json.consents.every((c: { state: string }) => c.state === 'not_granted'));
      // A refused attempt names no record (the id came from the URL).
      const sql =
        "SELECT record_ref, entry FROM audit_events WHERE action LIKE 'consent.%' AND principal_id = ? " +
        "AND entry LIKE '%notOwnChild%'";
      const denied = await v.opened().vault.db.all<{ record_ref: string | null; entry: string }>(sql, [guardianId]);
      assert.equal(denied.length, ids.length * 3);
      assert.ok(denied.every((r) => r.record_ref === null && !r.entry.includes('13800138000')));
    });

    test('only partners and consent-based purposes; portal and staff tokens each on their own paths', async () => {
      const path = `/v1/portal/children/${child}/consents`;
      const hospital = v.opened().city.hospitals[0]!.orgId;
      const notPartner = await api('POST', path, guardian, { organizationId: hospital });
      assert.deepEqual(
        [notPartner.status, notPartner.json.code, notPartner.json.details.field],
        [400, 'ERR_INVALID_FIELD', 'organizationId'],
      );
      const unknown = await api('POST', path, guardian, { organizationId: 'o_nosuch' });
      assert.equal(unknown.status, 400);
      const treatment = await api('POST', path, guardian, { organizationId: studioOrg, purpose: 'treatment' });
      assert.deepEqual([treatment.status, treatment.json.details.field], [400, 'purpose']);
      const nosuchOrg = await api('DELETE', `${path}/o_nosuch`, guardian);
      assert.equal(nosuchOrg.status, 404);
      const extra = await api('POST', path, guardian, { organizationId: studioOrg, note: 'x' });
      assert.equal(extra.status, 400);

      assert.equal((await api('GET', path, tokens.clerkA)).status, 401, 'a staff token is no portal token');
      assert.equal((await api('GET', path)).status, 401);
      assert.equal((await api('GET', `/v1/records/${child}/consents`, guardian)).status, 401);
      assert.equal(
        (await api('POST', `/v1/records/${child}/consents`, guardian, { organizationId: studioOrg })).status,
        401,
      );
    });
  });
}
