/**
 * The HTTP API's administration end to end, over real HTTP, on SQLite and on PostgreSQL
 * (routes/admin.ts): a principal that acts on records is never given to the administrator who
 * creates it; a second administrator approves it and the person enrols with both halves; roles
 * that cannot be held together are refused; the paths are documented.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { httpVault } from '../../test/helpers/http-vault.ts';
import type { LoadResult } from '../sim/load.ts';

for (const backend of BACKENDS) {
  describe(`HTTP API on ${backend.name}: administration`, () => {
    const http = httpVault(backend);
    const { api, tokens, recordsA } = http;
    let city: LoadResult;
    before(() => ({ city } = http.opened()));

    test('who creates a clinician gets no usable credential; a second administrator approves; it enrols', async () => {
      const hospital = city.hospitals[0]!.orgId;
      const body = { displayName: 'Dr Zhao', roles: ['clinician'], organizationId: hospital, login: 'dr.zhao' };
      const withPassword = await api('POST', '/v1/principals', tokens.admin, { ...body, password: 'chosen by admin' });
      assert.deepEqual(
        [withPassword.status, withPassword.json.details],
        [400, { field: 'password', rule: 'setAtEnrolment' }],
      );
      const created = await api('POST', '/v1/principals', tokens.admin, body);
      assert.equal(created.status, 201, created.text);
      assert.deepEqual([created.json.status, created.json.token], ['pending', undefined]);
      const { id } = created.json as { id: string };
      const creatorCode = created.json.enrolment.code as string;
      // Nothing the creator received opens anything.
      const read = `/v1/records/${recordsA[0]}?purpose=treatment&reveal=motherResidentId`;
      assert.equal((await api('GET', read, creatorCode)).status, 401);
      const pending = await api('GET', '/v1/principals/pending', tokens.admin2);
      assert.equal(pending.status, 200, pending.text);
      const row = pending.json.principals.find((p: { id: string }) => p.id === id);
      assert.deepEqual([row?.roles, row?.organizationId, row?.approvedBy], [['clinician'], hospital, null]);
      assert.equal((await api('GET', '/v1/principals/pending', tokens.clinicianA)).status, 403);
      // Not approved by its creator, nor by anyone but an administrator; once, by another.
      const self = await api('POST', `/v1/principals/${id}/approve`, tokens.admin);
      assert.deepEqual([self.status, self.json.code], [403, 'ERR_SELF_APPROVAL']);
      assert.equal((await api('POST', `/v1/principals/${id}/approve`, tokens.dpo)).status, 403);
      assert.equal((await api('POST', '/v1/principals/p_nope/approve', tokens.admin2)).status, 404);
      const approved = await api('POST', `/v1/principals/${id}/approve`, tokens.admin2);
      assert.equal(approved.status, 200, approved.text);
      assert.equal(approved.json.status, 'approved');
      const approverCode = approved.json.enrolment.code as string;
      assert.equal((await api('GET', read, approverCode)).status, 401);
      assert.equal((await api('POST', `/v1/principals/${id}/approve`, tokens.admin2)).status, 409);
      // The person enrols with both halves, no bearer token; a wrong half is 401 like any other failure.
      const enrol = (e: object) => api('POST', '/v1/enrolments', undefined, e);
      const halves = { principalId: id, creatorCode, approverCode };
      for (const wrong of [
        { ...halves, approverCode: creatorCode },
        { ...halves, principalId: 'p_nope' },
        { ...halves, creatorCode: approverCode },
      ]) {
        const r = await enrol(wrong);
        assert.deepEqual([r.status, r.json.code], [401, 'ERR_UNAUTHENTICATED']);
      }
      const enrolled = await enrol({ ...halves, password: 'my own passphrase' });
      assert.equal(enrolled.status, 201, enrolled.text);
      assert.equal(enrolled.json.id, id);
      const token = enrolled.json.token as string;
      const justification = { 'x-justification': 'ward round, bed 12' };
      const r = await api('GET', read, token, undefined, justification);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual(r.json.clear, ['motherResidentId']);
      const session = await api('POST', '/v1/sessions', undefined, { login: 'dr.zhao', password: 'my own passphrase' });
      assert.equal(session.status, 201, session.text);
      assert.equal((await enrol(halves)).status, 401, 'an enrolment is redeemed once');
    });

    test('roles that cannot be held together are refused: an auditor never acts on data', async () => {
      for (const [roles, org] of [
        [['auditor', 'dpo'], null],
        [['auditor', 'investigator'], null],
        [['administrator', 'clinician'], city.hospitals[0]!.orgId],
      ] as const) {
        const r = await api('POST', '/v1/principals', tokens.admin, {
          displayName: 'x',
          roles,
          ...(org ? { organizationId: org } : {}),
        });
        assert.deepEqual(
          [r.status, r.json.code, r.json.details?.rule],
          [400, 'ERR_ROLE_CONFLICT', 'separationOfDuties'],
        );
      }
      // An auditor alone acts on no record: active at once.
      const auditor = await api('POST', '/v1/principals', tokens.admin, { displayName: 'a2', roles: ['auditor'] });
      assert.deepEqual([auditor.status, auditor.json.status], [201, 'active']);
      assert.equal((await api('GET', '/v1/alerts', auditor.json.token)).status, 200);
    });

    test('the paths and their shapes are documented', async () => {
      const doc = await api('GET', '/openapi.json');
      for (const [path, method] of [
        ['/v1/principals', 'post'],
        ['/v1/principals/pending', 'get'],
        ['/v1/principals/{id}/approve', 'post'],
        ['/v1/enrolments', 'post'],
      ] as const) {
        assert.ok(doc.json.paths[path]?.[method], `${method} ${path}`);
      }
      assert.deepEqual(doc.json.paths['/v1/enrolments'].post.security, []);
    });
  });
}
