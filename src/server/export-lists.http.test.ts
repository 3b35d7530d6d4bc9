/**
 * Export requests as lists over real HTTP, on SQLite and on PostgreSQL (routes/export-lists.ts): a
 * DPO's queue of pending requests side by side with what each asks (fields, purpose, filter, the
 * records it selects, who asks, why); a requester sees its own only.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { httpVault, type Json } from '../../test/helpers/http-vault.ts';
import type { LoadResult } from '../sim/load.ts';

for (const backend of BACKENDS) {
  describe(`HTTP API on ${backend.name}: export requests listed`, () => {
    const http = httpVault(backend);
    const { api, tokens, recordsA } = http;
    let city: LoadResult;
    before(() => ({ city } = http.opened()));

    test('a DPO sees the pending requests with what they ask; a requester its own only', async () => {
      const clerk = await api('POST', '/v1/exports', tokens.clerkA, {
        purpose: 'birth_registration',
        fields: ['babyName', 'birthTime'],
        format: 'csv',
        justification: '出生登记月度核对',
      });
      assert.equal(clerk.status, 201, clerk.text);
      const dpoOwn = await api('POST', '/v1/exports', tokens.dpo, {
        purpose: 'data_subject_request',
        fields: ['babyName'],
        format: 'jsonl',
        filter: { organizationId: city.hospitals[1]!.orgId },
      });
      assert.equal(dpoOwn.status, 201, dpoOwn.text);
      const decided = await api('POST', '/v1/exports', tokens.clerkA, {
        purpose: 'birth_registration',
        fields: ['babyName'],
        format: 'csv',
      });
      assert.equal((await api('POST', `/v1/exports/${decided.json.id}/refuse`, tokens.dpo)).status, 200);

      const queue = await api('GET', '/v1/exports?status=pending', tokens.dpo);
      assert.equal(queue.status, 200, queue.text);
      const rows = queue.json.exports as Json[];
      assert.deepEqual(
        rows.map((r) => r.id),
        [clerk.json.id, dpoOwn.json.id],
        'pending only, oldest first',
      );
      const first = rows[0];
      assert.deepEqual(
        [first.purpose, first.fields, first.format, first.justification, first.kind],
        ['birth_registration', ['babyName', 'birthTime'], 'csv', '出生登记月度核对', 'records'],
      );
      assert.deepEqual(first.requester, {
        displayName: 'clerkA',
        roles: ['records_clerk'],
        organizationId: city.hospitals[0]!.orgId,
        organizationName: city.hospitals[0]!.name,
      });
      assert.equal(first.filter.organizationId, city.hospitals[0]!.orgId);
      assert.equal(first.estimatedRows, recordsA.length, "the filter selects hospital A's records");
      assert.equal(rows[1].estimatedRows, http.recordsB.length);
      assert.equal(queue.json.total, 2);

      const all = await api('GET', '/v1/exports', tokens.dpo);
      assert.equal(all.json.total, 3);
      assert.equal(all.json.exports[0].id, decided.json.id, 'newest first');
      assert.equal(all.json.exports[0].status, 'refused');
      const mine = await api('GET', '/v1/exports?mine=true', tokens.dpo);
      assert.deepEqual(
        (mine.json.exports as Json[]).map((r) => r.id),
        [dpoOwn.json.id],
      );
      // A requester sees its own, whatever it asks for; another principal nothing of them.
      const own = await api('GET', '/v1/exports', tokens.clerkA);
      assert.deepEqual(
        new Set((own.json.exports as Json[]).map((r) => r.id)),
        new Set([clerk.json.id, decided.json.id]),
      );
      const ownPending = await api('GET', '/v1/exports?status=pending', tokens.clerkA);
      assert.deepEqual(
        (ownPending.json.exports as Json[]).map((r) => r.id),
        [clerk.json.id],
      );
      const other = await api('GET', '/v1/exports?status=pending', tokens.clinicianB);
      assert.deepEqual([other.status, other.json.total], [200, 0]);
      const page = await api('GET', '/v1/exports?limit=1&offset=1', tokens.dpo);
      assert.deepEqual([page.json.exports.length, page.json.total], [1, 3]);
      assert.equal((await api('GET', '/v1/exports?status=nope', tokens.dpo)).status, 400);
    });
  });
}
