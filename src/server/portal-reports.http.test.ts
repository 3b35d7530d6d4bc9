/**
 * "Report a suspicious call" over real HTTP, on SQLite and on PostgreSQL (routes/portal-reports.ts,
 * service/portal/reports.ts): a guardian reports a call about its own child only (another family's id
 * is "not found", as one that does not exist); the number and what was said are sealed, never in the
 * ledger, a log line or an error; a guardian's reports are limited; investigators and DPOs see reports
 * clustered by claim and number, other roles are refused; a period without reports traces to 404.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { httpVault } from '../../test/helpers/http-vault.ts';
import { portalHarness } from '../../test/helpers/portal.ts';
import { REPORTS_PER_DAY } from '../service/portal/reports.ts';

const SCAM_NUMBER = '+86 171 0531 7788';
const QUOTE = '您好，我是妇幼保健院的摄影师，您家宝宝 3 月 2 日出院，想约新生儿照';
const XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">';

for (const backend of BACKENDS) {
  describe(`HTTP API on ${backend.name}: the parents' portal, report a suspicious call`, () => {
    const v = httpVault(backend);
    const { api, tokens, recordsA, logLines } = v;
    const portal = portalHarness(v);
    let child: string, other: string, guardian: string, otherGuardian: string, investigator: string;
    const hourAgo = () => new Date(Date.now() - 3_600_000).toISOString();

    before(async () => {
      portal.connect();
      const { vault, admin } = v.opened();
      [child, other] = [recordsA[11]!, recordsA[12]!];
      guardian = (await portal.enrolled(child)).token;
      otherGuardian = (await portal.enrolled(other)).token;
      const regulator = await vault.createOrganisation(admin, { name: '市网信办', kind: 'regulator' });
      investigator = (
        await vault.createPrincipal(admin, { displayName: 'investigator', roles: ['investigator'], orgId: regulator })
      ).token;
    });

    test('a report is stored sealed, one ledger entry with field names only, clustered for investigators', async () => {
      const r = await api('POST', '/v1/portal/reports', guardian, {
        at: hourAgo(),
        callerNumber: SCAM_NUMBER,
        claimedToBe: '妇幼保健院摄影师',
        knew: ['babyName', 'dischargeTime', 'hospital', 'babyName'],
        quote: QUOTE,
      });
      assert.equal(r.status, 201, r.text);
      assert.deepEqual(Object.keys(r.json), ['id']);
      assert.match(r.json.id, /^rp_/);
      // Another guardian, another claim written otherwise, the same number: one cluster.
      const o = await api('POST', '/v1/portal/reports', otherGuardian, {
        at: hourAgo(),
        callerNumber: '17105317788',
        claimedToBe: '  妇幼 保健院-摄影师 ',
        knew: ['babyName', 'motherPhone'],
      });
      assert.equal(o.status, 201, o.text);

      const { vault } = v.opened();
      const rows = await vault.db.all<{ sealed: Buffer; knew: string; record_seq: number }>(
        'SELECT sealed, knew, record_seq FROM call_reports WHERE id = ?',
        [r.json.id],
      );
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.knew, 'babyName,dischargeTime,hospital');
      const stored = Buffer.from(rows[0]!.sealed).toString('latin1');
      for (const secret of ['17105317788', '摄影师', '出院'])
        assert.ok(!stored.includes(secret) && !Buffer.from(rows[0]!.sealed).includes(Buffer.from(secret)));
      const entries = await vault.db.all<{ entry: string; record_ref: string }>(
        "SELECT entry, record_ref FROM audit_events WHERE action = 'call.report'",
      );
      assert.equal(entries.length, 2);
      assert.ok(entries.some((e) => e.entry.includes(r.json.id)));
      for (const e of entries) for (const s of ['7788', '摄影师', '出院', '宝宝']) assert.ok(!e.entry.includes(s), s);
      assert.ok(logLines.every((l) => !l.includes('7788') && !l.includes('摄影师')));
      // The family sees its own report in the child's access history.
      const history = await api('GET', `/v1/portal/children/${child}/accesses`, guardian);
      assert.equal(history.status, 200, history.text);
      assert.ok(history.json.entries.some((e: { kind: string }) => e.kind === 'call_reported'));

      const from = new Date(Date.now() - 86_400_000).toISOString();
      const to = new Date(Date.now() + 60_000).toISOString();
      const q = `/v1/reports?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
      for (const token of [investigator, tokens.dpo]) {
        const c = await api('GET', q, token);
        assert.equal(c.status, 200, c.text);
        assert.equal(c.json.reports, 2);
        assert.equal(c.json.clusters.length, 1);
        const cl = c.json.clusters[0];
        assert.equal(cl.reports, 2);
        assert.equal(cl.families, 2);
        assert.deepEqual(
          cl.callers.map((x: { masked: string }) => x.masked),
          ['171****7788'],
        );
        assert.equal(cl.callers[0].reports, 2);
        assert.deepEqual(cl.knew[0], { field: 'babyName', reports: 2 });
        assert.ok(!c.text.includes('17105317788') && !c.text.includes('出院'), 'no number, no quote');
        assert.ok(!c.text.includes(child) && !c.text.includes(other), 'no record id');
      }
      for (const token of [tokens.clerkA, tokens.clinicianA, tokens.auditor])
        assert.equal((await api('GET', q, token)).status, 403);
      assert.equal((await api('GET', q, guardian)).status, 401);
    });

    test('another family’s child is not found, as an id that does not exist; staff tokens are refused', async () => {
      const body = { at: hourAgo(), claimedToBe: '社保局', knew: ['babyName'] };
      const theirs = await api('POST', '/v1/portal/reports', guardian, { ...body, childId: other });
      const none = await api('POST', '/v1/portal/reports', guardian, { ...body, childId: 'r_doesnotexist' });
      assert.equal(theirs.status, 404);
      assert.equal(theirs.text, none.text);
      assert.equal((await api('POST', '/v1/portal/reports', tokens.clinicianA, body)).status, 401);
      assert.equal((await api('POST', '/v1/portal/reports', undefined, body)).status, 401);
      const own = await api('POST', '/v1/portal/reports', guardian, { ...body, childId: child });
      assert.equal(own.status, 201, own.text);
    });

    test('what a caller knew is a closed list of field names; a call in the future is refused', async () => {
      const base = { at: hourAgo(), claimedToBe: '医院', knew: ['babyName'] };
      for (const bad of [
        { ...base, knew: ['babyName', 'salary'] },
        { ...base, knew: 'babyName' },
        { ...base, at: new Date(Date.now() + 3_600_000).toISOString() },
        { ...base, at: 'yesterday' },
        { ...base, claimedToBe: '' },
        { ...base, callerNumber: 'call me' },
        { ...base, extra: 1 },
      ]) {
        const r = await api('POST', '/v1/portal/reports', otherGuardian, bad);
        assert.equal(r.status, 400, `${JSON.stringify(bad)}: ${r.text}`);
        assert.ok(!r.text.includes('salary') && !r.text.includes('call me'));
      }
    });

    test('a time without an offset is Beijing time', async () => {
      const ms = Math.floor((Date.now() - 30 * 60_000) / 60_000) * 60_000;
      const local = new Date(ms + 8 * 3_600_000).toISOString().slice(0, 16);
      const r = await api('POST', '/v1/portal/reports', otherGuardian, {
        at: local,
        claimedToBe: '快递员',
        knew: ['address'],
      });
      assert.equal(r.status, 201, r.text);
      const row = await v
        .opened()
        .vault.db.get<{ called_at: string }>('SELECT called_at FROM call_reports WHERE id = ?', [r.json.id]);
      assert.equal(row?.called_at, new Date(ms).toISOString());
    });

    test(`a guardian makes at most ${REPORTS_PER_DAY} reports a day`, async () => {
      const third = (await portal.enrolled(recordsA[13]!)).token;
      const body = { at: hourAgo(), claimedToBe: XSS, knew: ['hospital'], quote: XSS };
      for (let i = 0; i < REPORTS_PER_DAY; i++)
        assert.equal((await api('POST', '/v1/portal/reports', third, body)).status, 201);
      const over = await api('POST', '/v1/portal/reports', third, body);
      assert.equal(over.status, 429, over.text);
      assert.equal(over.json.code, 'ERR_RATE_LIMITED');
    });

    test('reports traced as a complaint set: investigators only; a period without reports is not found', async () => {
      const period = { reports: { from: '2001-01-01T00:00:00Z', to: '2001-02-01T00:00:00Z' } };
      const empty = await api('POST', '/v1/traces', investigator, period);
      assert.equal(empty.status, 404, empty.text);
      assert.equal((await api('POST', '/v1/traces', tokens.dpo, period)).status, 403);
      const bad = await api('POST', '/v1/traces', investigator, { reports: { from: 'x', to: 'y' } });
      assert.equal(bad.status, 400, bad.text);
      const shape = await api('POST', '/v1/traces', investigator, { reports: { from: 1 } });
      assert.equal(shape.status, 400, shape.text);
    });
  });
}
