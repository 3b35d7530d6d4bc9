/**
 * The administrator's directory over real HTTP, on SQLite and on PostgreSQL (routes/admin.ts,
 * service/administration.ts, ADR 0025): organisations and principals listed (never a credential),
 * relationships replaced, and a principal disabled — refused at once with its token and its
 * sessions, kept for the record, a ledger entry; never yourself nor the last administrator.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { httpVault, type Json } from '../../test/helpers/http-vault.ts';
import type { LoadResult } from '../sim/load.ts';
import type { Services } from '../service/services.ts';

for (const backend of BACKENDS) {
  describe(`HTTP API on ${backend.name}: the administrator's directory`, () => {
    const http = httpVault(backend);
    const { api, tokens } = http;
    let city: LoadResult;
    let services: Services;
    before(() => ({ city, services } = http.opened()));

    test('organisations: every one for the operator’s administrator, with its principals; 403 for others', async () => {
      const r = await api('GET', '/v1/organizations', tokens.admin);
      assert.equal(r.status, 200, r.text);
      const orgs = r.json.organizations as Json[];
      const hospital = orgs.find((o) => o.id === city.hospitals[0]!.orgId);
      assert.equal(hospital?.kind, 'hospital');
      assert.ok(hospital.principals >= 3, 'clinicianA, clinicianA2, clerkA');
      assert.ok(orgs.some((o) => o.kind === 'statistics_office'));
      assert.equal((await api('GET', '/v1/organizations', tokens.clinicianA)).status, 403);
      assert.equal((await api('GET', '/v1/organizations', tokens.dpo)).status, 403);
    });

    test('principals: a page at a time, filtered, with status and relationships, never a credential', async () => {
      const hospital = city.hospitals[0]!.orgId;
      const all = await api('GET', '/v1/principals?limit=200', tokens.admin);
      assert.equal(all.status, 200, all.text);
      assert.ok(all.json.total >= 9 && all.json.principals.length === Math.min(200, all.json.total));
      const keys = new Set((all.json.principals as Json[]).flatMap((p) => Object.keys(p)));
      for (const secret of ['token', 'tokenHash', 'password', 'passwordHash', 'enrolment'])
        assert.ok(!keys.has(secret), secret);
      assert.ok(!/\btv_/.test(all.text), 'no token in the list');
      const dpo = (all.json.principals as Json[]).find((p) => p.login === 'dpo.li');
      assert.deepEqual([dpo?.roles, dpo?.status, dpo?.disabledAt], [['dpo'], 'active', null]);

      const page1 = await api('GET', `/v1/principals?organizationId=${hospital}&limit=2`, tokens.admin);
      const page2 = await api('GET', `/v1/principals?organizationId=${hospital}&limit=2&offset=2`, tokens.admin);
      assert.equal(page1.json.principals.length, 2);
      assert.equal(page1.json.total, page2.json.total);
      const seen = [...page1.json.principals, ...page2.json.principals].map((p: Json) => p.id);
      assert.equal(new Set(seen).size, seen.length, 'pages do not overlap');
      assert.ok([...page1.json.principals, ...page2.json.principals].every((p: Json) => p.organizationId === hospital));
      assert.ok(page1.json.principals.every((p: Json) => typeof p.organizationName === 'string'));

      // A clinician just created waits: pending, no credential.
      const created = await api('POST', '/v1/principals', tokens.admin, {
        displayName: 'Dr Pending',
        roles: ['clinician'],
        organizationId: hospital,
      });
      assert.equal(created.status, 201, created.text);
      const pending = await api('GET', '/v1/principals?status=pending', tokens.admin);
      assert.ok((pending.json.principals as Json[]).some((p) => p.id === created.json.id && p.status === 'pending'));
      assert.ok((pending.json.principals as Json[]).every((p) => p.status === 'pending'));
      const clinicians = await api('GET', '/v1/principals?role=clinician&limit=200', tokens.admin);
      assert.ok((clinicians.json.principals as Json[]).every((p) => p.roles.includes('clinician')));
      assert.ok(clinicians.json.total >= 4);
      const one = await api('GET', `/v1/principals/${created.json.id}`, tokens.admin);
      assert.deepEqual([one.status, one.json.displayName, one.json.status], [200, 'Dr Pending', 'pending']);
      assert.equal((await api('GET', '/v1/principals/p_nope', tokens.admin)).status, 404);
      assert.equal((await api('GET', '/v1/principals', tokens.clinicianA)).status, 403);
      assert.equal((await api('GET', '/v1/principals?limit=201', tokens.admin)).status, 400);
    });

    test('relationships: replaced as a whole, a ledger entry by kind and count, districts by their code', async () => {
      const { vault } = http.opened();
      const nurse = await http.principal({
        displayName: 'Nurse Wang',
        roles: ['clinician'],
        organizationId: city.hospitals[0]!.orgId,
        relationships: [{ kind: 'ward', value: '产科一病区' }],
      });
      const put = (rels: object[]) =>
        api('PUT', `/v1/principals/${nurse.id}/relationships`, tokens.admin, { relationships: rels });
      const r = await put([
        { kind: 'ward', value: '产科二病区' },
        { kind: 'district', value: '370102' },
      ]);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.relationships, [
        { kind: 'district', value: '370102' },
        { kind: 'ward', value: '产科二病区' },
      ]);
      const bad = await put([{ kind: 'district', value: 'Lixia' }]);
      assert.deepEqual([bad.status, bad.json.details], [400, { field: 'relationships', rule: 'districtCode' }]);
      assert.equal((await put([])).json.relationships.length, 0);
      assert.equal(
        (await api('PUT', `/v1/principals/${nurse.id}/relationships`, tokens.dpo, { relationships: [] })).status,
        403,
      );
      const entries = await vault.db.all<{ entry: string }>(
        "SELECT entry FROM audit_events WHERE action = 'principal.relationships' ORDER BY seq",
      );
      assert.ok(entries.length >= 2);
      const detail = JSON.parse(entries[0]!.entry).detail;
      assert.deepEqual(detail, { principal: nurse.id, ward: 1, patient: 0, district: 1 });
      assert.ok(!entries.some((e) => e.entry.includes('产科')), 'no ward name in the ledger');
    });

    test('disabling: token and session refused at once, kept for the record, a ledger entry', async () => {
      const { vault } = http.opened();
      const p = await http.principal({
        displayName: 'Clerk Sun',
        roles: ['records_clerk'],
        organizationId: city.hospitals[0]!.orgId,
        login: 'clerk.sun',
        password: 'a long passphrase of hers',
      });
      const session = await api('POST', '/v1/sessions', undefined, {
        login: 'clerk.sun',
        password: 'a long passphrase of hers',
      });
      assert.equal(session.status, 201, session.text);
      // Both are in this server's authentication cache now.
      const probe = '/v1/requests';
      assert.equal((await api('GET', probe, p.token)).status, 200);
      assert.equal((await api('GET', probe, session.json.token)).status, 200);

      assert.equal((await api('DELETE', `/v1/principals/${p.id}`, tokens.clinicianA)).status, 403);
      const d = await api('DELETE', `/v1/principals/${p.id}`, tokens.admin);
      assert.equal(d.status, 200, d.text);
      assert.equal(d.json.status, 'disabled');
      assert.ok(d.json.disabledAt);
      for (const t of [p.token, session.json.token]) {
        const r = await api('GET', probe, t);
        assert.deepEqual([r.status, r.json.code], [401, 'ERR_UNAUTHENTICATED']);
      }
      const again = await api('POST', '/v1/sessions', undefined, {
        login: 'clerk.sun',
        password: 'a long passphrase of hers',
      });
      assert.equal(again.status, 401);
      // Kept for the record: listed as disabled, its name still known.
      const listed = await api('GET', '/v1/principals?status=disabled', tokens.admin);
      assert.ok((listed.json.principals as Json[]).some((x) => x.id === p.id && x.displayName === 'Clerk Sun'));
      const twice = await api('DELETE', `/v1/principals/${p.id}`, tokens.admin);
      assert.deepEqual([twice.status, twice.json.code], [409, 'ERR_CONFLICT']);
      const entry = await vault.db.get<{ principal_id: string; entry: string }>(
        "SELECT principal_id, entry FROM audit_events WHERE action = 'principal.disable' ORDER BY seq DESC",
      );
      assert.ok(entry);
      const e = JSON.parse(entry.entry);
      assert.deepEqual([e.outcome, e.detail.principal, e.detail.sessions], ['ok', p.id, 1]);
      // The sessions are gone from the database too (another server process refuses them as well).
      const left = await vault.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM sessions WHERE principal_id = ?', [
        p.id,
      ]);
      assert.equal(Number(left?.n), 0);
    });

    test('a pending principal disabled cannot enrol; no one disables itself', async () => {
      const created = await api('POST', '/v1/principals', tokens.admin, {
        displayName: 'Dr Never',
        roles: ['clinician'],
        organizationId: city.hospitals[1]!.orgId,
      });
      const approved = await api('POST', `/v1/principals/${created.json.id}/approve`, tokens.admin2);
      assert.equal(approved.status, 200, approved.text);
      assert.equal((await api('DELETE', `/v1/principals/${created.json.id}`, tokens.admin2)).status, 200);
      const enrol = await api('POST', '/v1/enrolments', undefined, {
        principalId: created.json.id,
        creatorCode: created.json.enrolment.code,
        approverCode: approved.json.enrolment.code,
      });
      assert.equal(enrol.status, 401);
      const pending = await api('GET', '/v1/principals/pending', tokens.admin);
      assert.ok(!(pending.json.principals as Json[]).some((x) => x.id === created.json.id));

      const me = (await services.sessions.authenticate(tokens.admin!)).id;
      const self = await api('DELETE', `/v1/principals/${me}`, tokens.admin);
      assert.deepEqual([self.status, self.json.code, self.json.details], [403, 'ERR_FORBIDDEN', { rule: 'self' }]);
    });

    test('the last administrator stays: two disabling each other at once, one is refused', async () => {
      const { admin } = http.opened();
      const a = await services.sessions.authenticate(tokens.admin!);
      const b = await services.sessions.authenticate(tokens.admin2!);
      // The vault's first administrator goes first, leaving two.
      assert.equal((await api('DELETE', `/v1/principals/${admin.id}`, tokens.admin)).status, 200);
      const results = await Promise.allSettled([
        services.administration.disable({ principal: a, requestId: 'r1' }, b.id),
        services.administration.disable({ principal: b, requestId: 'r2' }, a.id),
      ]);
      const refused = results.filter((r) => r.status === 'rejected');
      assert.equal(refused.length, 1, 'exactly one of the two is disabled');
      const reason = (refused[0] as PromiseRejectedResult).reason as { code: string; details: object };
      assert.deepEqual([reason.code, reason.details], ['ERR_CONFLICT', { rule: 'lastAdministrator' }]);
      const admins = await api('GET', '/v1/principals?role=administrator&status=active', tokens.admin);
      const alive =
        admins.status === 200
          ? admins
          : await api('GET', '/v1/principals?role=administrator&status=active', tokens.admin2);
      assert.equal(alive.json.total, 1);
    });
  });
}
