/**
 * What the staff console needs of the API beyond the rest, over real HTTP, on SQLite and on
 * PostgreSQL: a search whose value travels in the body (POST /v1/records/search), the caller's own
 * account (GET /v1/me), the policy editor's validation and preview, an alert with its context and
 * "keep blocked", and the ledger's health and verification. No personal value in a URL, a log line
 * or a refused answer (http-vault.ts checks the last two for the whole file).
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { httpVault, leaks } from '../../test/helpers/http-vault.ts';
import type { Vault } from '../store/vault.ts';
import type { LoadResult } from '../sim/load.ts';

for (const backend of BACKENDS) {
  describe(`HTTP API on ${backend.name}: the staff console's endpoints`, () => {
    const http = httpVault(backend);
    const { api, tokens, recordsA, seeded, logLines } = http;
    let vault: Vault, city: LoadResult;
    before(() => ({ vault, city } = http.opened()));

    const reads = async () =>
      Number((await vault.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'read'"))?.n);

    test('POST /v1/records/search: the same results and ledger entries as the GET, no value in a log line', async () => {
      const rec = await vault.registry.get(recordsA[3]!);
      const phone = rec.current.get('motherPhone')?.value as string;
      const name = rec.current.get('motherName')?.value as string;
      const linesBefore = logLines.length;
      const r0 = await reads();
      const post = await api('POST', '/v1/records/search', tokens.clinicianA, { motherPhone: phone });
      assert.equal(post.status, 200, post.text);
      const r1 = await reads();
      const get = await api('GET', `/v1/records?motherPhone=${encodeURIComponent(phone)}`, tokens.clinicianA);
      const r2 = await reads();
      assert.ok(post.json.records.some((x: { id: string }) => x.id === recordsA[3]));
      assert.deepEqual(post.json, get.json);
      assert.equal(r1 - r0, post.json.records.length, 'a read entry per record found');
      assert.equal(r2 - r1, r1 - r0, 'the same entries as the GET');
      assert.deepEqual(leaks(post.text, [phone, name]), [], 'masked');
      const byName = await api('POST', '/v1/records/search', tokens.clinicianA, { name });
      assert.ok(byName.json.records.some((x: { id: string }) => x.id === recordsA[3]));
      // The log lines of the POSTs hold no seeded value (the GET's URL did, which is why the console never uses it).
      const postLines = logLines.slice(linesBefore).filter((l) => l.includes('/v1/records/search'));
      assert.ok(postLines.length >= 2, `${postLines.length} log lines`);
      assert.deepEqual(leaks(postLines.join('\n'), seeded), []);
      // Exactly one key; nothing else.
      for (const body of [{}, { phone, name }]) {
        const bad = await api('POST', '/v1/records/search', tokens.clinicianA, body);
        assert.deepEqual([bad.status, bad.json.details?.rule], [400, 'exactlyOneSearchParameter']);
      }
      const unknown = await api('POST', '/v1/records/search', tokens.clinicianA, { email: 'x@y.cn' });
      assert.equal(unknown.json.code, 'ERR_UNKNOWN_FIELD');
      // Those who may not read rows find none; a stranger is not let in.
      assert.deepEqual((await api('POST', '/v1/records/search', tokens.statistician, { phone })).json.records, []);
      assert.equal((await api('POST', '/v1/records/search', undefined, { phone })).status, 401);
    });

    test('GET /v1/me: who the caller is and what the policy lets it do, never a token', async () => {
      const me = await api('GET', '/v1/me', tokens.clinicianA);
      assert.equal(me.status, 200, me.text);
      assert.equal(me.json.displayName, 'clinicianA');
      assert.deepEqual(me.json.roles, ['clinician']);
      assert.equal(me.json.organization.id, city.hospitals[0]!.orgId);
      assert.equal(me.json.organization.kind, 'hospital');
      assert.equal(typeof me.json.organization.name, 'string');
      assert.deepEqual(
        [me.json.can.readRecords, me.json.can.collect, me.json.can.approve, me.json.can.managePolicy],
        [true, true, false, false],
      );
      assert.ok(!me.text.includes(tokens.clinicianA!) && !/token/i.test(Object.keys(me.json).join()));
      const dpo = (await api('GET', '/v1/me', tokens.dpo)).json;
      assert.deepEqual(
        [dpo.can.approve, dpo.can.managePolicy, dpo.can.manageGuard, dpo.can.viewAlerts, dpo.can.administer],
        [true, true, true, true, false],
      );
      const admin = (await api('GET', '/v1/me', tokens.admin)).json;
      assert.deepEqual([admin.can.administer, admin.can.readRecords], [true, false]);
      const nurse = await http.principal({
        displayName: 'nurse-w',
        roles: ['vaccination_nurse'],
        organizationId: city.hospitals[0]!.orgId,
        relationships: [
          { kind: 'ward', value: '产科3病区' },
          { kind: 'district', value: '370102' },
          { kind: 'patient', value: recordsA[0] },
        ],
      });
      const n = (await api('GET', '/v1/me', nurse.token)).json;
      assert.deepEqual([n.wards, n.districts, n.patients], [['产科3病区'], ['370102'], 1]);
      assert.ok(!JSON.stringify(n).includes(recordsA[0]!), 'a patient relationship is counted, not named');
      assert.equal((await api('GET', '/v1/me')).status, 401);
    });
  });
}
