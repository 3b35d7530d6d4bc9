/**
 * The directory: organisations of a known kind and principals whose roles suit their
 * organisation and respect separation of duties, created by administrators, each an entry; a
 * password stored only as its hash.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { serviceVault, type ServiceVault } from '../../test/helpers/service-vault.ts';

const PASSWORD = 'a long and secret passphrase';

for (const backend of BACKENDS) {
  describe(`directory on ${backend.name}`, () => {
    let sv: ServiceVault;
    before(async () => {
      sv = await serviceVault(backend);
    });
    after(async () => {
      await sv?.close();
    });

    test('an administrator creates an organisation of a known kind, with its entry', async () => {
      const directory = sv.services.directory;
      const head = await sv.head();
      const id = await directory.createOrganisation(sv.as.admin, {
        name: '市妇幼保健院',
        kind: 'hospital',
        region: '370103',
      });
      assert.deepEqual(await sv.vault.organisation(id), {
        id,
        name: '市妇幼保健院',
        kind: 'hospital',
        region: '370103',
      });
      const e = await sv.onlyEntrySince(head);
      assert.deepEqual(
        [e.action, e.principalId, e.organisationId],
        ['organisation.create', sv.as.admin.principal.id, sv.orgs.operator],
      );
      assert.deepEqual(e.detail, { organisation: id, kind: 'hospital' });
      const kind = await sv.refused(
        directory.createOrganisation(sv.as.admin, { name: 'x', kind: 'spaceport' }),
        'ERR_INVALID_FIELD',
      );
      assert.deepEqual(kind.details, { field: 'kind', rule: 'organisationKind' });
      const mark = await sv.head();
      await sv.refused(directory.createOrganisation(sv.as.dpo, { name: 'x', kind: 'hospital' }), 'ERR_FORBIDDEN');
      const denied = await sv.onlyEntrySince(mark);
      assert.deepEqual([denied.outcome, denied.detail], ['denied', { area: 'organisations' }]);
    });

    test('a principal with a login: its token and a session work; the password is stored as a hash', async () => {
      const directory = sv.services.directory;
      const head = await sv.head();
      const p = {
        displayName: 'Dr Wang',
        roles: ['clinician'],
        orgId: sv.orgs.hospital,
        login: 'dr.wang',
        password: PASSWORD,
      };
      const { id, token } = await directory.createPrincipal(sv.as.admin, p);
      const principal = await sv.services.sessions.authenticate(token);
      assert.deepEqual([principal.id, principal.roles, principal.orgKind], [id, ['clinician'], 'hospital']);
      const row = await sv.vault.db.get<{ password_hash: string }>(
        'SELECT password_hash FROM principals WHERE id = ?',
        [id],
      );
      assert.match(row!.password_hash, /^\$argon2id\$/);
      assert.ok(!row!.password_hash.includes(PASSWORD));
      assert.equal((await sv.services.sessions.login('10.1.0.1', 'dr.wang', PASSWORD, 'r')).principalId, id);
      const [e] = await sv.entriesSince(head);
      assert.deepEqual([e?.action, e?.detail], ['principal.create', { principal: id, roles: 'clinician' }]);
      assert.ok(!JSON.stringify(await sv.entriesSince(head)).includes(PASSWORD));
      await sv.refused(directory.createPrincipal(sv.as.admin, { ...p, displayName: 'again' }), 'ERR_CONFLICT');
    });

    test('roles that do not suit the organisation or each other are ERR_ROLE_CONFLICT', async () => {
      const directory = sv.services.directory;
      const make = (roles: string[], orgId: string) =>
        directory.createPrincipal(sv.as.admin, { displayName: 'x', roles, orgId });
      const cases: [string[], string, string][] = [
        [['auditor', 'clinician'], sv.orgs.hospital, 'separationOfDuties'],
        [['administrator', 'dpo'], sv.orgs.operator, 'separationOfDuties'],
        [['clinician'], sv.orgs.clinic, 'roleNotInOrganisationKind'],
        [['statistician'], sv.orgs.hospital, 'roleNotInOrganisationKind'],
        [['surgeon'], sv.orgs.hospital, 'unknownRole'],
      ];
      for (const [roles, orgId, rule] of cases) {
        const e = await sv.refused(make(roles, orgId), 'ERR_ROLE_CONFLICT');
        assert.equal(e.details.rule, rule, roles.join(','));
      }
      await sv.refused(make([], sv.orgs.hospital), 'ERR_ROLE_CONFLICT');
      const missing = await sv.refused(make(['clinician'], 'o_nope'), 'ERR_NOT_FOUND');
      assert.deepEqual(missing.details, { field: 'organizationId' });
      const login = { displayName: 'x', roles: ['clinician'], orgId: sv.orgs.hospital, login: 'a b' };
      const bad = await sv.refused(directory.createPrincipal(sv.as.admin, login), 'ERR_INVALID_FIELD');
      assert.deepEqual(bad.details, { field: 'login', rule: 'login' });
      const byClinician = directory.createPrincipal(sv.as.clinician, { displayName: 'x', roles: ['clinician'] });
      await sv.refused(byClinician, 'ERR_FORBIDDEN');
    });

    test('care relationships given at creation count for the new principal at once', async () => {
      const id = sv.records.hospital[0]!;
      const ward = (await sv.vault.registry.get(id)).current.get('ward')?.value as string;
      const rel = { kind: 'ward', value: ward } as const;
      const p = { displayName: 'ward doctor', roles: ['clinician'], orgId: sv.orgs.hospital, relationships: [rel] };
      const created = await sv.services.directory.createPrincipal(sv.as.admin, p);
      const ctx = { principal: await sv.services.sessions.authenticate(created.token), requestId: 'r' };
      const standing = await sv.services.gate.standing(ctx, await sv.vault.registry.get(id), undefined);
      assert.deepEqual([standing.sameOrg, standing.inCare, standing.outsideCare], [true, true, false]);
    });

    test('no ledger entry holds a personal value', async () => {
      sv.assertNoPersonal(JSON.stringify(await sv.entriesSince(0)));
    });
  });
}
