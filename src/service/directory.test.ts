/**
 * The directory: organisations of a known kind and principals whose roles suit their
 * organisation and respect separation of duties, created by administrators, each an entry; a
 * password stored only as its hash; a principal that acts on records approved by a second
 * administrator and enrolled by the person with both halves, neither administrator holding a credential.
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

    test('a clinician made by one administrator gets no credential until a second approves and it enrols', async () => {
      const directory = sv.services.directory;
      const admin2 = await sv.principal({
        displayName: 'admin two',
        roles: ['administrator'],
        orgId: sv.orgs.operator,
      });
      const head = await sv.head();
      const p = { displayName: 'Dr Wang', roles: ['clinician'], orgId: sv.orgs.hospital, login: 'dr.wang' };
      const withPassword = directory.createPrincipal(sv.as.admin, { ...p, password: PASSWORD });
      const set = await sv.refused(withPassword, 'ERR_BAD_REQUEST');
      assert.deepEqual(set.details, { field: 'password', rule: 'setAtEnrolment' });
      const created = await directory.createPrincipal(sv.as.admin, p);
      assert.equal(created.status, 'pending');
      assert.ok(!('token' in created), 'the creator receives no token');
      const { id } = created;
      const creatorCode = created.status === 'pending' ? created.enrolment.code : '';
      assert.match(creatorCode, /^te_/);
      // Nothing the creator holds authenticates: the row has neither token nor password.
      const row = await sv.vault.db.get<{ token_hash: Buffer | null; password_hash: string | null }>(
        'SELECT token_hash, password_hash FROM principals WHERE id = ?',
        [id],
      );
      assert.deepEqual([row?.token_hash, row?.password_hash], [null, null]);
      await sv.refused(sv.services.sessions.authenticate(creatorCode), 'ERR_UNAUTHENTICATED');
      await sv.refused(
        directory.enrol('r', { principalId: id, creatorCode, approverCode: creatorCode }),
        'ERR_UNAUTHENTICATED',
      );
      const listed = await directory.pending(admin2);
      assert.deepEqual(
        listed.filter((x) => x.principalId === id).map((x) => [x.roles, x.orgId, x.createdBy, x.approvedBy]),
        [[['clinician'], sv.orgs.hospital, sv.as.admin.principal.id, null]],
      );
      // Not by its creator; by another administrator, once.
      const mark = await sv.head();
      await sv.refused(directory.approve(sv.as.admin, id), 'ERR_SELF_APPROVAL');
      const selfEntry = await sv.onlyEntrySince(mark);
      assert.deepEqual(
        [selfEntry.action, selfEntry.outcome, selfEntry.detail],
        ['principal.approve', 'denied', { principal: id }],
      );
      await sv.refused(directory.approve(sv.as.clinician, id), 'ERR_FORBIDDEN');
      await sv.refused(directory.approve(admin2, 'p_nope'), 'ERR_NOT_FOUND');
      const approved = await directory.approve(admin2, id);
      assert.match(approved.code, /^te_/);
      assert.notEqual(approved.code, creatorCode);
      await sv.refused(directory.approve(admin2, id), 'ERR_CONFLICT');
      // The person enrols with both halves (either alone is useless) and sets its own password.
      const halves = { principalId: id, creatorCode, approverCode: approved.code };
      await sv.refused(directory.enrol('r', { ...halves, approverCode: creatorCode }), 'ERR_UNAUTHENTICATED');
      await sv.refused(directory.enrol('r', { ...halves, creatorCode: approved.code }), 'ERR_UNAUTHENTICATED');
      const { token } = await directory.enrol('req-enrol', { ...halves, password: PASSWORD });
      const principal = await sv.services.sessions.authenticate(token);
      assert.deepEqual([principal.id, principal.roles, principal.orgKind], [id, ['clinician'], 'hospital']);
      const hash = await sv.vault.db.get<{ password_hash: string }>(
        'SELECT password_hash FROM principals WHERE id = ?',
        [id],
      );
      assert.match(hash!.password_hash, /^\$argon2id\$/);
      assert.equal((await sv.services.sessions.login('10.1.0.1', 'dr.wang', PASSWORD, 'r')).principalId, id);
      await sv.refused(directory.enrol('r', halves), 'ERR_UNAUTHENTICATED');
      assert.deepEqual(
        (await directory.pending(admin2)).filter((x) => x.principalId === id),
        [],
      );
      const entries = await sv.entriesSince(head);
      const ours = entries.filter((e) => e.detail?.principal === id && e.outcome !== 'denied');
      assert.deepEqual(
        ours.map((e) => [e.action, e.principalId]),
        [
          ['principal.create', sv.as.admin.principal.id],
          ['principal.approve', admin2.principal.id],
          ['principal.enrol', id],
        ],
      );
      const text = JSON.stringify(entries);
      for (const secret of [PASSWORD, creatorCode, approved.code, token]) assert.ok(!text.includes(secret));
      await sv.refused(directory.createPrincipal(admin2, { ...p, displayName: 'again' }), 'ERR_CONFLICT');
    });

    test('dual control: which principals wait, whose organisation, and what the policy opens', async () => {
      const directory = sv.services.directory;
      const status = async (ctx: typeof sv.as.admin, roles: string[], orgId: string, extra: object = {}) =>
        (await directory.createPrincipal(ctx, { displayName: roles.join('+'), roles, orgId, ...extra })).status;
      // Those who act on records, and administrators, wait; an auditor or a statistician does not.
      for (const [roles, orgId] of [
        [['dpo'], sv.orgs.operator],
        [['investigator'], sv.orgs.operator],
        [['records_clerk'], sv.orgs.clinic],
        [['partner'], sv.orgs.partner],
        [['administrator'], sv.orgs.operator],
      ] as const)
        assert.equal(await status(sv.as.admin, [...roles], orgId), 'pending', roles.join());
      const auditor = await directory.createPrincipal(sv.as.admin, {
        displayName: 'a',
        roles: ['auditor'],
        orgId: sv.orgs.operator,
        login: 'auditor.two',
        password: PASSWORD,
      });
      assert.equal(auditor.status, 'active');
      assert.ok(auditor.status === 'active' && (await sv.services.sessions.authenticate(auditor.token)));
      assert.equal(await status(sv.as.admin, ['statistician'], sv.orgs.statistics), 'active');
      // An auditor in care of a ward reads its records (the policy's inCare rule): it waits too.
      const ward = { relationships: [{ kind: 'ward', value: '产科1病区' }] };
      assert.equal(await status(sv.as.admin, ['auditor'], sv.orgs.hospital, ward), 'pending');
      // A role the current policy opens to records waits, whatever roles.ts lists.
      const dpo = sv.as.dpo;
      const original = (await sv.services.oversight.getPolicy(dpo)).text;
      const opened =
        `${original}\npermit (principal, action == Action::"read", resource is Record)\n` +
        'when { principal.roles.contains("auditor") };\n';
      await sv.services.oversight.setPolicy(dpo, opened);
      try {
        assert.equal(await status(sv.as.admin, ['auditor'], sv.orgs.operator), 'pending');
      } finally {
        await sv.services.oversight.setPolicy(dpo, original);
      }
      // An administrator of a hospital creates principals of its own hospital only.
      const local = await sv.principal({
        displayName: 'hospital admin',
        roles: ['administrator'],
        orgId: sv.orgs.hospital,
      });
      assert.equal(await status(local, ['clinician'], sv.orgs.hospital), 'pending');
      const head = await sv.head();
      const e = await sv.refused(
        directory.createPrincipal(local, { displayName: 'x', roles: ['clinician'], orgId: sv.orgs.clinic }),
        'ERR_FORBIDDEN',
      );
      assert.deepEqual(e.details, { rule: 'otherOrganisation' });
      assert.deepEqual((await sv.onlyEntrySince(head)).detail, { rule: 'otherOrganisation' });
      assert.ok((await directory.pending(local)).every((p) => p.orgId === sv.orgs.hospital));
      // Approval and enrolment expire seven days after creation.
      const late = await directory.createPrincipal(sv.as.admin, {
        displayName: 'late',
        roles: ['dpo'],
        orgId: sv.orgs.operator,
      });
      await sv.vault.db.run("UPDATE enrolments SET expires_at = '2000-01-01T00:00:00.000Z' WHERE principal_id = ?", [
        late.id,
      ]);
      const admin2 = await sv.principal({
        displayName: 'admin three',
        roles: ['administrator'],
        orgId: sv.orgs.operator,
      });
      await sv.refused(directory.approve(admin2, late.id), 'ERR_EXPIRED');
    });

    test('roles that do not suit the organisation or each other are ERR_ROLE_CONFLICT', async () => {
      const directory = sv.services.directory;
      const make = (roles: string[], orgId: string) =>
        directory.createPrincipal(sv.as.admin, { displayName: 'x', roles, orgId });
      const cases: [string[], string, string][] = [
        [['auditor', 'clinician'], sv.orgs.hospital, 'separationOfDuties'],
        [['administrator', 'dpo'], sv.orgs.operator, 'separationOfDuties'],
        [['auditor', 'dpo'], sv.orgs.operator, 'separationOfDuties'],
        [['auditor', 'investigator'], sv.orgs.operator, 'separationOfDuties'],
        [['administrator', 'records_clerk'], sv.orgs.hospital, 'separationOfDuties'],
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
      assert.equal(created.status, 'pending');
      const admin2 = await sv.principal({
        displayName: 'admin four',
        roles: ['administrator'],
        orgId: sv.orgs.operator,
      });
      const approverCode = (await sv.services.directory.approve(admin2, created.id)).code;
      const creatorCode = created.status === 'pending' ? created.enrolment.code : '';
      const { token } = await sv.services.directory.enrol('r', { principalId: created.id, creatorCode, approverCode });
      const ctx = { principal: await sv.services.sessions.authenticate(token), requestId: 'r' };
      const standing = await sv.services.gate.standing(ctx, await sv.vault.registry.get(id), undefined);
      assert.deepEqual([standing.sameOrg, standing.inCare, standing.outsideCare], [true, true, false]);
    });

    test('no ledger entry holds a personal value', async () => {
      sv.assertNoPersonal(JSON.stringify(await sv.entriesSince(0)));
    });
  });
}
