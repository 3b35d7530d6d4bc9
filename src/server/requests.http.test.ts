/**
 * Guardians' rights requests over real HTTP, on SQLite and on PostgreSQL (routes/portal-requests.ts,
 * routes/requests.ts, service/requests.ts): a copy (JSON and PDF, a disclosure in the ledger), a
 * correction accepted (new versions) and refused (the reason the parent sees), a restriction
 * (only treatment reveals), an erasure (a DPO only; the record's key destroyed, its entries kept).
 * Another family's child is refused exactly as an id that does not exist; another organisation's
 * staff neither see nor decide; every request has its deadline; no free text reaches the ledger.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { httpVault } from '../../test/helpers/http-vault.ts';
import { portalHarness } from '../../test/helpers/portal.ts';
import { pdfText } from '../../test/helpers/pdf-text.ts';
import { requestDeadline } from '../service/requests-deadline.ts';

const XSS = '<img src=x onerror=alert(1)>"\'</textarea><script>alert(2)</script>';
const NEW_FATHER = '王建国';
const REFUSAL = '出生医学证明上的姓名与申请不符 <b>请携带证件</b>';

for (const backend of BACKENDS) {
  describe(`HTTP API on ${backend.name}: the parents' portal, rights requests`, () => {
    const v = httpVault(backend);
    const { api, tokens, recordsA, recordsB } = v;
    const portal = portalHarness(v);
    let child: string, other: string, childB: string;
    let guardian: string, otherGuardian: string;

    before(async () => {
      portal.connect();
      [child, other, childB] = [recordsA[10]!, recordsA[11]!, recordsB[2]!];
      guardian = (await portal.enrolled(child)).token;
      otherGuardian = (await portal.enrolled(other)).token;
    });

    const ledger = async (action: string) =>
      (
        await v
          .opened()
          .vault.db.all<{ entry: string }>('SELECT entry FROM audit_events WHERE action = ? ORDER BY seq', [action])
      ).map((r) => JSON.parse(r.entry) as Record<string, unknown>);

    test('another family’s child and a child that does not exist: one answer, on every rights path', async () => {
      for (const id of [other, childB, 'r_doesnotexist', '../../v1/records']) {
        const asked = await api('POST', '/v1/portal/requests', guardian, { childId: id, kind: 'copy' });
        const nobody = await api('POST', '/v1/portal/requests', guardian, { childId: 'r_none', kind: 'copy' });
        assert.equal(asked.status, 404, asked.text);
        assert.deepEqual(asked.json, nobody.json);
        const copy = await api('GET', `/v1/portal/children/${encodeURIComponent(id)}/copy`, guardian);
        const none = await api('GET', '/v1/portal/children/r_none/copy', guardian);
        assert.equal(copy.status, 404, copy.text);
        assert.deepEqual(copy.json, none.json);
      }
      // A staff token is no portal token, a portal token no staff token.
      assert.equal((await api('GET', '/v1/portal/requests', tokens.clinicianA)).status, 401);
      assert.equal((await api('GET', '/v1/requests', guardian)).status, 401);
    });

    test('a correction: its deadline, seen by the record’s organisation only, accepted as new versions', async () => {
      const asked = await api('POST', '/v1/portal/requests', guardian, {
        childId: child,
        kind: 'correction',
        fields: { fatherName: NEW_FATHER },
        reason: XSS,
      });
      assert.equal(asked.status, 201, asked.text);
      const r = asked.json;
      assert.equal(r.status, 'pending');
      assert.equal(r.kind, 'correction');
      assert.deepEqual(r.fields, { fatherName: NEW_FATHER });
      assert.equal(r.reason, XSS.trim());
      assert.equal(r.deadline, requestDeadline(new Date(r.createdAt)));
      const days = (Date.parse(r.deadline) - Date.parse(r.createdAt)) / 86_400_000;
      assert.ok(days >= 20 && days <= 24, `${days} days`);

      const mine = await api('GET', '/v1/portal/requests', guardian);
      assert.deepEqual(
        mine.json.requests.map((x: { id: string }) => x.id),
        [r.id],
      );
      assert.deepEqual((await api('GET', '/v1/portal/requests', otherGuardian)).json.requests, []);

      // Another organisation's clinician: not in its list; deciding is 404, as for no request at all.
      const listB = await api('GET', '/v1/requests', tokens.clinicianB);
      assert.equal(listB.status, 200, listB.text);
      assert.ok(!listB.json.requests.some((x: { id: string }) => x.id === r.id));
      const decideB = await api('POST', `/v1/requests/${r.id}/decide`, tokens.clinicianB, { decision: 'accept' });
      const decideNone = await api('POST', '/v1/requests/rq_none/decide', tokens.clinicianB, { decision: 'accept' });
      assert.equal(decideB.status, 404, decideB.text);
      assert.deepEqual(decideB.json, decideNone.json);
      assert.equal((await api('GET', '/v1/requests', tokens.auditor)).status, 403);
      const listed = (await ledger('rights.list')).at(-1)!;
      assert.equal(listed.purpose, 'data_subject_request');
      assert.equal(typeof (listed.detail as { count: number }).count, 'number');

      const listA = await api('GET', '/v1/requests?status=pending', tokens.clerkA);
      const seen = listA.json.requests.find((x: { id: string }) => x.id === r.id);
      assert.ok(seen, 'the record’s organisation sees it');
      assert.equal(seen.recordId, child);
      assert.equal(seen.overdue, false);
      assert.deepEqual(seen.fields, { fatherName: NEW_FATHER });
      assert.ok(
        (await api('GET', '/v1/requests', tokens.dpo)).json.requests.some((x: { id: string }) => x.id === r.id),
      );

      const before = (await v.opened().vault.registry.get(child, { history: true })).history!.length;
      const ok = await api('POST', `/v1/requests/${r.id}/decide`, tokens.clerkA, { decision: 'accept' });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.json.status, 'accepted');
      const rec = await v.opened().vault.registry.get(child, { history: true });
      assert.equal(rec.current.get('fatherName')?.value, NEW_FATHER);
      assert.equal(rec.history!.length, before + 1, 'one new version, the old one kept');
      const again = await api('POST', `/v1/requests/${r.id}/decide`, tokens.clerkA, {
        decision: 'refuse',
        reason: 'x',
      });
      assert.equal(again.status, 409, again.text);

      const seenByParent = (await api('GET', '/v1/portal/requests', guardian)).json.requests[0];
      assert.equal(seenByParent.decision, 'accept');
      assert.ok(seenByParent.decidedAt);

      // The ledger: the request and the decision, kinds and field names, never the values or reasons.
      const entries = [...(await ledger('rights.request')), ...(await ledger('rights.decide'))];
      const text = JSON.stringify(entries);
      for (const secret of [NEW_FATHER, 'onerror', 'script', child]) assert.ok(!text.includes(secret), secret);
      const decided = (await ledger('rights.decide')).find(
        (e) => (e.detail as { request?: string } | undefined)?.request === r.id,
      );
      assert.deepEqual(decided?.detail, { request: r.id, kind: 'correction', decision: 'accept' });
      assert.equal(decided?.purpose, 'data_subject_request');
      const update = (await ledger('update')).at(-1);
      assert.deepEqual(update?.fields, ['fatherName']);
    });

    test('a correction refused: the parent sees the reason; an invalid value is refused at once', async () => {
      const bad = await api('POST', '/v1/portal/requests', guardian, {
        childId: child,
        kind: 'correction',
        fields: { motherPhone: '14400000000' },
      });
      assert.equal(bad.status, 400, bad.text);
      assert.equal(bad.json.code, 'ERR_INVALID_FIELD');
      assert.ok(!bad.text.includes('14400000000'));
      const unknown = await api('POST', '/v1/portal/requests', guardian, {
        childId: child,
        kind: 'correction',
        fields: { favouriteColour: 'blue' },
      });
      assert.equal(unknown.status, 400, unknown.text);
      const empty = await api('POST', '/v1/portal/requests', guardian, { childId: child, kind: 'correction' });
      assert.equal(empty.status, 400, empty.text);

      const asked = await api('POST', '/v1/portal/requests', guardian, {
        childId: child,
        kind: 'correction',
        fields: { babyName: '王小明' },
      });
      assert.equal(asked.status, 201, asked.text);
      const noReason = await api('POST', `/v1/requests/${asked.json.id}/decide`, tokens.clinicianA, {
        decision: 'refuse',
      });
      assert.equal(noReason.status, 400, noReason.text);
      const refused = await api('POST', `/v1/requests/${asked.json.id}/decide`, tokens.clinicianA, {
        decision: 'refuse',
        reason: REFUSAL,
      });
      assert.equal(refused.status, 200, refused.text);
      const seen = (await api('GET', '/v1/portal/requests', guardian)).json.requests.find(
        (x: { id: string }) => x.id === asked.json.id,
      );
      assert.equal(seen.status, 'refused');
      assert.equal(seen.decision, 'refuse');
      assert.equal(seen.answer, REFUSAL);
      assert.notEqual((await v.opened().vault.registry.get(child)).current.get('babyName')?.value, '王小明');
      assert.ok(!JSON.stringify(await ledger('rights.decide')).includes('证件'));
    });

    test('a copy: every version, a disclosure to the guardian in the ledger, as JSON and as PDF', async () => {
      const asked = await api('POST', '/v1/portal/requests', guardian, { childId: child, kind: 'copy' });
      assert.equal(asked.status, 201, asked.text);
      assert.equal(asked.json.status, 'accepted');
      const copy = await api('GET', `/v1/portal/children/${child}/copy?format=json`, guardian);
      assert.equal(copy.status, 200, copy.text);
      const rec = await v.opened().vault.registry.get(child, { history: true });
      assert.equal(copy.json.versions.length, rec.history!.length);
      const names = copy.json.versions.filter((x: { field: string }) => x.field === 'fatherName');
      assert.ok(names.length >= 2, 'the corrected field’s versions, old and new');
      assert.equal(names.at(-1).value, NEW_FATHER);
      assert.equal(copy.headers.get('x-disclosure-id'), copy.json.disclosureId);
      const disclosure = await v.opened().vault.db.get<{
        principal_id: string;
        channel: string;
        purpose: string;
      }>('SELECT principal_id, channel, purpose FROM disclosures WHERE id = ?', [copy.json.disclosureId]);
      assert.equal(disclosure?.channel, 'portal');
      assert.equal(disclosure?.purpose, 'data_subject_request');
      const entry = (await ledger('rights.copy')).at(-1)!;
      assert.equal(entry.disclosureId, copy.json.disclosureId);
      assert.equal(entry.principalId, disclosure?.principal_id);
      assert.equal(entry.recordRef, v.opened().vault.registry.recordRef(child));

      const res = await fetch(`${v.base()}/v1/portal/children/${child}/copy?format=pdf`, {
        headers: { authorization: `Bearer ${guardian}` },
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'application/pdf');
      const text = await pdfText(new Uint8Array(await res.arrayBuffer()));
      assert.ok(text.includes('儿童个人信息副本'), 'the title');
      assert.ok(text.includes(NEW_FATHER), 'the corrected value');
      assert.ok(text.includes(String(rec.current.get('babyName')?.value)), 'the baby’s name');
      assert.ok(text.includes(res.headers.get('x-disclosure-id')!), 'the disclosure id');
    });

    /** Whether an approved export of hospital A's babies' names for birth registration holds the record. */
    const exported = async (recordId: string) => {
      const req = await api('POST', '/v1/exports', tokens.clerkA, {
        purpose: 'birth_registration',
        fields: ['babyName'],
        format: 'jsonl',
      });
      assert.equal(req.status, 201, req.text);
      assert.equal((await api('POST', `/v1/exports/${req.json.id}/approve`, tokens.dpo)).status, 200);
      const file = await api('GET', `/v1/exports/${req.json.id}/file`, tokens.clerkA);
      assert.equal(file.status, 200, file.text);
      const { vault } = v.opened();
      const seq = (await vault.registry.get(recordId)).seq;
      const item = await vault.db.get(
        'SELECT 1 AS x FROM disclosure_items WHERE disclosure_id = ? AND record_seq = ?',
        [file.headers.get('x-disclosure-id'), seq],
      );
      return item !== undefined;
    };

    test('a restriction: while it holds only treatment reveals; another purpose is ERR_RESTRICTED', async () => {
      const target = recordsA[12]!;
      const g = (await portal.enrolled(target)).token;
      assert.equal(await exported(target), true, 'exported before the restriction');
      const clear = await api('GET', `/v1/records/${target}?purpose=birth_registration&reveal=babyName`, tokens.clerkA);
      assert.equal(clear.status, 200, clear.text);
      const asked = await api('POST', '/v1/portal/requests', g, { childId: target, kind: 'restriction' });
      assert.equal(asked.status, 201, asked.text);
      const ok = await api('POST', `/v1/requests/${asked.json.id}/decide`, tokens.clinicianA, { decision: 'accept' });
      assert.equal(ok.status, 200, ok.text);
      const refused = await api(
        'GET',
        `/v1/records/${target}?purpose=birth_registration&reveal=babyName`,
        tokens.clerkA,
      );
      assert.equal(refused.status, 403, refused.text);
      assert.equal(refused.json.code, 'ERR_RESTRICTED');
      const treatment = await api('GET', `/v1/records/${target}?purpose=treatment&reveal=babyName`, tokens.clinicianA);
      assert.equal(treatment.status, 200, treatment.text);
      assert.deepEqual(treatment.json.clear, ['babyName']);
      const masked = await api('GET', `/v1/records/${target}`, tokens.clerkA);
      assert.equal(masked.status, 200, 'a masked read reveals nothing and stays allowed');
      assert.equal(await exported(target), false, 'a restricted record leaves in no export but for treatment');
    });

    test('an erasure: a DPO only; the record cannot be read, its ledger entries remain', async () => {
      const target = recordsA[13]!;
      const g = (await portal.enrolled(target)).token;
      const ref = v.opened().vault.registry.recordRef(target);
      const asked = await api('POST', '/v1/portal/requests', g, { childId: target, kind: 'erasure', reason: XSS });
      assert.equal(asked.status, 201, asked.text);
      const clerk = await api('POST', `/v1/requests/${asked.json.id}/decide`, tokens.clerkA, { decision: 'accept' });
      assert.equal(clerk.status, 403, clerk.text);
      assert.equal(clerk.json.code, 'ERR_FORBIDDEN');
      const entriesBefore = await v
        .opened()
        .vault.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM audit_events WHERE record_ref = ?', [ref]);
      // Past its deadline and still pending, a request says so to the staff.
      await v
        .opened()
        .vault.db.run('UPDATE rights_requests SET deadline = ? WHERE id = ?', [
          '2026-01-02T15:59:59.999Z',
          asked.json.id,
        ]);
      const late = (await api('GET', '/v1/requests?status=pending', tokens.dpo)).json.requests.find(
        (x: { id: string }) => x.id === asked.json.id,
      );
      assert.equal(late.overdue, true);
      const ok = await api('POST', `/v1/requests/${asked.json.id}/decide`, tokens.dpo, { decision: 'accept' });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.json.status, 'accepted');
      const key = await v
        .opened()
        .vault.db.get('SELECT 1 AS x FROM record_keys k JOIN records r ON r.seq = k.record_seq WHERE r.id = ?', [
          target,
        ]);
      assert.equal(key, undefined, 'the record key is destroyed');
      const read = await api('GET', `/v1/records/${target}`, tokens.clinicianA);
      assert.equal(read.status, 404, read.text);
      await assert.rejects(v.opened().vault.registry.get(target), /erased/);
      const entriesAfter = await v
        .opened()
        .vault.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM audit_events WHERE record_ref = ?', [ref]);
      assert.ok(Number(entriesAfter!.n) > Number(entriesBefore!.n), 'the entries remain, the erasure added');
      // The parent still sees the request and its answer; the child is gone from the copy path.
      const seen = (await api('GET', '/v1/portal/requests', g)).json.requests[0];
      assert.equal(seen.status, 'accepted');
      assert.equal((await api('GET', `/v1/portal/children/${target}/copy`, g)).status, 404);
    });

    test('requests and copies are limited per guardian; another family’s id stays a 404', async () => {
      const target = recordsA[14]!;
      const g = (await portal.enrolled(target)).token;
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++)
        statuses.push((await api('POST', '/v1/portal/requests', g, { childId: target, kind: 'restriction' })).status);
      assert.deepEqual(statuses, [...Array(10).fill(201), 429]);
      const limited = await api('POST', '/v1/portal/requests', g, { childId: target, kind: 'copy' });
      assert.equal(limited.json.code, 'ERR_RATE_LIMITED');
      // The limit is checked after the child: another family's id and none still answer alike.
      assert.equal((await api('POST', '/v1/portal/requests', g, { childId: other, kind: 'copy' })).status, 404);
      const copies: number[] = [];
      for (let i = 0; i < 21; i++) copies.push((await api('GET', `/v1/portal/children/${target}/copy`, g)).status);
      assert.deepEqual(copies, [...Array(20).fill(200), 429]);
      assert.equal((await api('GET', `/v1/portal/children/${other}/copy`, g)).status, 404);
    });

    test('the staff’s reading of a family’s request shows in that child’s access history', async () => {
      const target = recordsA[15]!;
      const g = (await portal.enrolled(target)).token;
      const asked = await api('POST', '/v1/portal/requests', g, {
        childId: target,
        kind: 'correction',
        fields: { fatherName: NEW_FATHER },
      });
      assert.equal(asked.status, 201, asked.text);
      const listed = await api('GET', '/v1/requests?status=pending', tokens.clerkA);
      assert.ok(listed.json.requests.some((x: { id: string }) => x.id === asked.json.id));
      const history = await api('GET', `/v1/portal/children/${target}/accesses`, g);
      assert.equal(history.status, 200, history.text);
      const read = history.json.entries.find((e: { action: string }) => e.action === 'rights.list');
      assert.ok(read, 'the list that showed the corrected values is in the history');
      assert.equal(read.kind, 'read');
      assert.equal(read.who.kind, 'staff');
      // Another family's history does not get the entry for a list that did not hold its request.
      const others = await api('GET', `/v1/portal/children/${other}/accesses`, otherGuardian);
      assert.ok(!others.json.entries.some((e: { action: string }) => e.action === 'rights.list'));
    });
  });
}
