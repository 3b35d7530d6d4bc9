/**
 * Breach notices over real HTTP, on SQLite and on PostgreSQL (routes/portal-notices.ts,
 * service/portal/notices.ts): a simulated leak — thirty rows of an approved export, as a clerk might
 * pass them on — is traced, an investigator confirms the trace, and the PIPL art. 57 notice reaches
 * the guardians of the families in the leak: in the portal (also for one who enrols afterwards) and
 * by one SMS that holds no personal value besides its recipient's number. A family outside the leak
 * sees nothing; nobody sees another family's children; confirming is for investigators and DPOs,
 * once per trace, and a ledger entry, as is each notice issued and each listing.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { httpVault, leaks } from '../../test/helpers/http-vault.ts';
import { portalHarness } from '../../test/helpers/portal.ts';
import { NOTICE_TEMPLATE } from '../service/portal/notices-message.ts';

const LEAKED_FIELDS = ['babyName', 'motherName', 'birthTime', 'address', 'hospital'];

for (const backend of BACKENDS) {
  describe(`HTTP API on ${backend.name}: the parents' portal, breach notices`, () => {
    const v = httpVault(backend);
    const { api, tokens, recordsA, seeded } = v;
    const portal = portalHarness(v);
    let investigator: string, investigatorId: string, clerkId: string;
    let traceId: string, direct: string[];
    let early: { token: string; phone: string }, outside: { token: string; phone: string };
    let earlyChild: string, outsideChild: string;

    before(async () => {
      portal.connect();
      const { city } = v.opened();
      const reg = await api('POST', '/v1/organizations', tokens.admin, { name: '网信办', kind: 'regulator' });
      const inv = await v.principal({
        displayName: 'investigator',
        roles: ['investigator'],
        organizationId: reg.json.id,
      });
      [investigator, investigatorId] = [inv.token, inv.id];
      // The leak: an approved export's first thirty rows.
      const req = await api('POST', '/v1/exports', tokens.clerkA, {
        purpose: 'birth_registration',
        fields: LEAKED_FIELDS,
        format: 'csv',
        filter: { organizationId: city.hospitals[0]!.orgId },
      });
      assert.equal(req.status, 201, req.text);
      assert.equal((await api('POST', `/v1/exports/${req.json.id}/approve`, tokens.dpo)).status, 200);
      const lines = (await api('GET', `/v1/exports/${req.json.id}/file`, tokens.clerkA)).text
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n');
      const sample = [lines[0]!, ...lines.slice(1, 31)].join('\n') + '\n';
      // A guardian enrolled before the trace, for a family whose row is in the sample; another outside it.
      earlyChild = recordsA[0]!;
      outsideChild = recordsA.at(-1)!;
      early = await portal.enrolled(earlyChild);
      outside = await portal.enrolled(outsideChild);
      const trace = await api('POST', '/v1/traces', investigator, sample, {
        'content-type': 'text/csv',
        prefer: 'wait=60',
      });
      assert.equal(trace.status, 201, trace.text);
      traceId = trace.json.id;
      direct = trace.json.affected.direct;
      clerkId = trace.json.accused?.principalId;
      assert.ok(direct.includes(earlyChild), 'the early guardian’s child is in the leak');
      assert.ok(!direct.includes(outsideChild), 'the other family is not');
    });

    test('only investigators and DPOs confirm, a trace that exists, once; a guardian cannot', async () => {
      for (const who of ['clinicianA', 'clerkA', 'auditor', 'statistician', 'admin']) {
        const r = await api('POST', `/v1/traces/${traceId}/confirm`, tokens[who], {});
        assert.deepEqual([r.status, r.json.code], [403, 'ERR_FORBIDDEN'], who);
      }
      assert.equal((await api('POST', `/v1/traces/${traceId}/confirm`, early.token, {})).status, 401);
      assert.equal((await api('POST', `/v1/traces/${traceId}/confirm`, undefined, {})).status, 401);
      for (const id of ['t_nosuch', encodeURIComponent('张三 13800138000')]) {
        const r = await api('POST', `/v1/traces/${id}/confirm`, investigator, {});
        assert.deepEqual([r.status, r.json.code], [404, 'ERR_NOT_FOUND'], id);
      }
      const bad = await api('POST', `/v1/traces/${traceId}/confirm`, investigator, { actions: ['we said sorry'] });
      assert.equal(bad.status, 400, 'no free text reaches a family');
      // Nothing was confirmed by the refusals: the guardians see no notice yet.
      assert.deepEqual((await api('GET', '/v1/portal/notices', early.token)).json.notices, []);
    });

    test('confirmed: a notice in the portal and one SMS for the families in the leak, none for others', async () => {
      const confirmed = await api('POST', `/v1/traces/${traceId}/confirm`, investigator, {
        actions: ['regulator_informed', 'source_account_suspended'],
      });
      assert.equal(confirmed.status, 201, confirmed.text);
      const c = confirmed.json;
      assert.equal(c.traceId, traceId);
      assert.equal(c.records, new Set(direct).size);
      assert.equal(c.guardians, 1, 'the one guardian enrolled for a family in the leak');
      assert.equal(c.sourceKind, 'export');
      assert.deepEqual(c.actions, ['source_account_suspended', 'regulator_informed']);
      for (const f of ['babyName', 'birthTime']) assert.ok(c.fields.includes(f), c.fields.join());
      assert.ok(c.window.from || c.window.to, 'the window the copy was taken in');
      const again = await api('POST', `/v1/traces/${traceId}/confirm`, tokens.dpo, {});
      assert.deepEqual([again.status, again.json.code], [409, 'ERR_CONFLICT']);

      const seen = await api('GET', '/v1/portal/notices', early.token);
      assert.equal(seen.status, 200, seen.text);
      assert.equal(seen.json.notices.length, 1);
      const n = seen.json.notices[0];
      assert.deepEqual(n.childIds, [earlyChild], 'only the guardian’s own child');
      assert.deepEqual(
        { fields: n.fields, window: n.window, sourceKind: n.sourceKind, actions: n.actions },
        { fields: c.fields, window: c.window, sourceKind: 'export', actions: c.actions },
      );
      assert.ok(n.steps.includes('verify_caller_in_portal'));
      assert.equal(n.id, c.noticeId);
      assert.equal(JSON.stringify(n).includes(traceId), false, 'the trace stays the investigators’');
      assert.deepEqual((await api('GET', '/v1/portal/notices', outside.token)).json.notices, []);

      // One SMS, to the early guardian only, with nothing in it but a pointer to the portal.
      const sms = (await portal.messages()).filter((m) => m.template === NOTICE_TEMPLATE);
      assert.deepEqual(
        sms.map((m) => m.to),
        [early.phone],
      );
      assert.deepEqual(leaks(sms[0]!.text, seeded), []);
      assert.ok(!/\d{4}/.test(sms[0]!.text), 'no number, no date, no code');

      // A guardian who enrols afterwards for another family in the leak finds the notice too.
      const later = await portal.enrolled(direct.find((id) => id !== earlyChild)!);
      const laterSeen = (await api('GET', '/v1/portal/notices', later.token)).json.notices;
      assert.equal(laterSeen.length, 1);
      assert.deepEqual(laterSeen[0].childIds, [direct.find((id) => id !== earlyChild)]);

      // The family's access history says it in words: the leak confirmed and its notice sent.
      const history = await api('GET', `/v1/portal/children/${earlyChild}/accesses`, early.token);
      assert.equal(history.status, 200);
      const kinds = new Set((history.json.entries as { kind: string }[]).map((e) => e.kind));
      assert.ok(kinds.has('notice_issued'));
    });

    test('the ledger: the confirmation, a notice per record, each listing; never a personal value', async () => {
      const { vault, services } = v.opened();
      const rows = await vault.db.all<{ action: string; record_ref: string | null; entry: string }>(
        "SELECT action, record_ref, entry FROM audit_events WHERE action IN ('trace.confirm', 'notice.issue', " +
          "'notice.list') ORDER BY seq",
      );
      const ok = rows.filter((r) => JSON.parse(r.entry).outcome === 'ok');
      const confirm = ok.filter((r) => r.action === 'trace.confirm').map((r) => JSON.parse(r.entry));
      assert.equal(confirm.length, 1);
      assert.equal(confirm[0].principalId, investigatorId);
      assert.equal(confirm[0].detail.trace, traceId);
      const issued = ok.filter((r) => r.action === 'notice.issue').map((r) => r.record_ref);
      assert.deepEqual(new Set(issued), new Set(direct.map((id) => services.gate.ref(id))));
      assert.ok(ok.some((r) => r.action === 'notice.list'));
      // The refusals name no trace that does not exist, nor the text of the URL.
      const all = rows.map((r) => r.entry).join('\n');
      assert.ok(!all.includes('t_nosuch') && !all.includes('13800138000'));
      assert.deepEqual(leaks(all, seeded), []);
      assert.notEqual(clerkId, investigatorId);
    });

    test('a DPO confirms too, but not a trace that accuses them', async () => {
      const { admin, city } = v.opened();
      const dpo2 = await v.principal({ displayName: 'second dpo', roles: ['dpo'], organizationId: admin.orgId });
      const req = await api('POST', '/v1/exports', dpo2.token, {
        purpose: 'data_subject_request',
        fields: LEAKED_FIELDS,
        format: 'csv',
        filter: { organizationId: city.hospitals[0]!.orgId },
      });
      assert.equal(req.status, 201, req.text);
      assert.equal((await api('POST', `/v1/exports/${req.json.id}/approve`, tokens.dpo)).status, 200);
      const lines = (await api('GET', `/v1/exports/${req.json.id}/file`, dpo2.token)).text
        .replace(/^\uFEFF/, '')
        .trim()
        .split('\r\n');
      const trace = await api(
        'POST',
        '/v1/traces',
        investigator,
        [lines[0], ...lines.slice(31, 61)].join('\n') + '\n',
        {
          'content-type': 'text/csv',
          prefer: 'wait=60',
        },
      );
      assert.equal(trace.status, 201, trace.text);
      assert.equal(trace.json.accused?.principalId, dpo2.id, 'the second DPO’s file is the source');
      const own = await api('POST', `/v1/traces/${trace.json.id}/confirm`, dpo2.token, {});
      assert.deepEqual([own.status, own.json.code], [403, 'ERR_SELF_APPROVAL']);
      const other = await api('POST', `/v1/traces/${trace.json.id}/confirm`, tokens.dpo, {});
      assert.equal(other.status, 201, other.text);
      assert.equal(other.json.sourceKind, 'export');
      assert.equal(other.json.records, new Set(trace.json.affected.direct).size);
    });
  });
}
