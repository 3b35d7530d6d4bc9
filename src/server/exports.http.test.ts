/**
 * The HTTP API's exports and canaries end to end, over real HTTP, on SQLite and on PostgreSQL
 * (routes/exports.ts, routes/canaries.ts): an export's approval by someone other than its requester,
 * the file as a fingerprinted disclosure holding its own canaries, canary-aware exports, and the
 * operator's contact points naming a disclosure when a canary is quoted.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { httpVault } from '../../test/helpers/http-vault.ts';
import type { Principal, Vault } from '../store/vault.ts';
import type { LoadResult } from '../sim/load.ts';
import type { Services } from '../service/services.ts';
import { TardosCode } from '../disclose/tardos.ts';
import { accused, observe, scoreCandidates } from '../disclose/marks.ts';
import { BIRTH } from '../schema/record-type.ts';

for (const backend of BACKENDS) {
  describe(`HTTP API on ${backend.name}: exports`, () => {
    const http = httpVault(backend);
    const { api, tokens } = http;
    let vault: Vault, admin: Principal, city: LoadResult, services: Services;
    before(() => ({ vault, admin, city, services } = http.opened()));

    test(
      'the approver of an export is never its requester; ' + 'the file is a disclosure and neutralises formulas',
      async () => {
        const fields = ['babyName', 'motherName', 'birthTime', 'babySex', 'address', 'hospital'];
        const req = await api('POST', '/v1/exports', tokens.clerkA, {
          purpose: 'birth_registration',
          fields,
          format: 'csv',
        });
        assert.equal(req.status, 201, req.text);
        assert.equal(req.json.status, 'pending');
        const early = await api('GET', `/v1/exports/${req.json.id}/file`, tokens.clerkA);
        assert.equal(early.json.code, 'ERR_APPROVAL_REQUIRED');
        const self = await api('POST', `/v1/exports/${req.json.id}/approve`, tokens.clerkA);
        assert.equal(self.status, 403);
        // A DPO who requests cannot approve their own request either.
        const dpoReq = await api('POST', '/v1/exports', tokens.dpo, {
          purpose: 'data_subject_request',
          fields: ['babyName'],
          format: 'jsonl',
          filter: { organizationId: city.hospitals[0]!.orgId },
        });
        assert.equal(dpoReq.status, 201, dpoReq.text);
        const dpoSelf = await api('POST', `/v1/exports/${dpoReq.json.id}/approve`, tokens.dpo);
        assert.equal(dpoSelf.json.code, 'ERR_SELF_APPROVAL');
        const ok = await api('POST', `/v1/exports/${req.json.id}/approve`, tokens.dpo);
        assert.equal(ok.status, 200, ok.text);
        assert.equal(ok.json.status, 'approved');
        assert.equal(ok.json.decidedBy !== ok.json.requestedBy, true);
        const other = await api('GET', `/v1/exports/${req.json.id}/file`, tokens.clinicianA);
        assert.equal(other.status, 404);
        const file = await api('GET', `/v1/exports/${req.json.id}/file`, tokens.clerkA);
        assert.equal(file.status, 200);
        assert.match(file.headers.get('content-type') ?? '', /text\/csv/);
        const lines = file.text
          .replace(/^\uFEFF/, '')
          .trim()
          .split('\r\n');
        assert.equal(lines[0], fields.join(','));
        assert.equal(lines.length - 1, Number(file.headers.get('x-record-count')));
        const disclosureId = file.headers.get('x-disclosure-id')!;
        const items = await vault.db.get<{ n: number }>(
          'SELECT COUNT(*) AS n FROM disclosure_items WHERE disclosure_id = ?',
          [disclosureId],
        );
        assert.ok(Number(items?.n) >= (lines.length - 1) * 4);
        // The file is fingerprinted for its disclosure: a copy of a third of its rows names it among others.
        const { parse } = await import('csv-parse/sync');
        const rows = parse<Record<string, string>>(file.text.replace(/^\uFEFF/, ''), { columns: true }).filter(
          (_, i) => i % 3 === 0,
        );
        const code = new TardosCode(vault.keys.keyedId('fingerprint-bias', 'v1'));
        const candidates = [disclosureId, 'd_other1', 'd_other2'].map((id) => ({
          id,
          key: vault.keys.keyedId('fingerprint-disclosure', id),
        }));
        assert.deepEqual(
          accused(scoreCandidates(code, observe(BIRTH, rows), candidates), 1e-6).map((c) => c.id),
          [disclosureId],
        );
        assert.equal(
          (
            await vault.db.get<{ fingerprint: string }>('SELECT fingerprint FROM disclosures WHERE id = ?', [
              disclosureId,
            ])
          )?.fingerprint,
          'tardos-v1',
        );
        // It carries canaries minted for this disclosure alone (no other recipient holds these rows: half the 2%
        // density, at least one), without id numbers.
        const all = parse<Record<string, string>>(file.text.replace(/^\uFEFF/, ''), { columns: true });
        // The canary mapping is an investigator's alone (a DPO is refused).
        const investigatorOrg = await vault.createOrganisation({ id: admin.id }, { name: '稽查组', kind: 'regulator' });
        const investigator = (
          await vault.createPrincipal(null, {
            displayName: 'investigator',
            roles: ['investigator'],
            orgId: investigatorOrg,
          })
        ).token;
        await assert.rejects(
          services.canaries.find({ principal: await vault.authenticate(tokens.dpo!), requestId: 't' }, all),
          { code: 'ERR_FORBIDDEN' },
        );
        const hits = await services.canaries.find(
          { principal: await vault.authenticate(investigator), requestId: 't' },
          all,
        );
        assert.ok(
          hits.length >= Math.max(1, Math.round((all.length - hits.length) * 0.01)),
          `${hits.length} canaries in ${all.length} rows`,
        );
        assert.ok(hits.every((h) => h.disclosureId === disclosureId && h.rows.length === 1));
        const real = await vault.db.get<{ n: number }>(
          'SELECT COUNT(*) AS n FROM records WHERE org_id = ? AND erased_at IS NULL',
          [city.hospitals[0]!.orgId],
        );
        assert.equal(all.length - hits.length, Number(real?.n), 'every real row once, canaries besides');
        await assert.rejects(
          services.canaries.find({ principal: await vault.authenticate(tokens.clerkA!), requestId: 't' }, all),
          { code: 'ERR_FORBIDDEN' },
        );
        const bad = await api('POST', '/v1/exports', tokens.clinicianA, {
          purpose: 'treatment',
          fields: ['motherPhone'],
          format: 'csv',
        });
        assert.equal(bad.status, 403);
      },
    );

    test('the justification reaches the approver, not the ledger or a log; a HEAD of the file is refused', async () => {
      const { recordsA, logLines } = http;
      const mother = (await vault.registry.get(recordsA[3]!)).current.get('motherName')?.value as string;
      const why = `核对${mother}家新生儿的出生登记`;
      const req = await api('POST', '/v1/exports', tokens.clerkA, {
        purpose: 'birth_registration',
        fields: ['babyName', 'birthTime'],
        format: 'csv',
        justification: why,
      });
      assert.equal(req.status, 201, req.text);
      const seen = await api('GET', `/v1/exports/${req.json.id}`, tokens.dpo);
      assert.deepEqual([seen.status, seen.json.status, seen.json.justification], [200, 'pending', why]);
      const ok = await api('POST', `/v1/exports/${req.json.id}/approve`, tokens.dpo);
      assert.deepEqual([ok.status, ok.json.justification], [200, why]);
      const entries = await vault.db.all<{ entry: string }>('SELECT entry FROM audit_events');
      assert.ok(
        entries.every((e) => !e.entry.includes(mother)),
        'no ledger entry holds it',
      );
      assert.ok(
        logLines.every((l) => !l.includes(mother)),
        'no log line holds it',
      );
      // A HEAD runs the file's handler: refused before the file is made, so nothing is disclosed or counted.
      const head = await api('HEAD', `/v1/exports/${req.json.id}/file`, tokens.clerkA);
      assert.equal(head.status, 400);
      const n = await vault.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM disclosures WHERE export_id = ?', [
        req.json.id,
      ]);
      assert.equal(Number(n?.n), 0);
      assert.equal((await api('GET', `/v1/exports/${req.json.id}`, tokens.clerkA)).json.downloads, 0);
      const file = await api('GET', `/v1/exports/${req.json.id}/file`, tokens.clerkA);
      assert.equal(file.status, 200, file.text);
    });

    test('a canary-aware export flags its canaries; the same export later holds the same canaries, grown', async () => {
      const fields = ['babyName', 'babySex', 'motherName', 'birthTime', 'hospital', 'address'];
      const take = async () => {
        const req = await api('POST', '/v1/exports', tokens.clerkA, {
          purpose: 'birth_registration',
          fields,
          format: 'jsonl',
          canaryAware: true,
        });
        assert.equal(req.status, 201, req.text);
        assert.equal(req.json.canaryAware, true);
        assert.equal((await api('POST', `/v1/exports/${req.json.id}/approve`, tokens.dpo)).status, 200);
        const file = await api('GET', `/v1/exports/${req.json.id}/file`, tokens.clerkA);
        assert.equal(file.status, 200, file.text);
        return file.text
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, string>);
      };
      const first = await take();
      const flagged = first.filter((r) => r.canary === '1');
      assert.ok(flagged.length >= 1);
      const invOrg = await vault.createOrganisation({ id: admin.id }, { name: '稽查二组', kind: 'regulator' });
      const inv = await vault.authenticate(
        (await vault.createPrincipal(null, { displayName: 'investigator 2', roles: ['investigator'], orgId: invOrg }))
          .token,
      );
      const hits = await services.canaries.find({ principal: inv, requestId: 't' }, first);
      // (A canary carried over from this clerk's earlier export with the same filter is found for both disclosures.)
      assert.deepEqual(
        [...new Set(hits.flatMap((h) => h.rows))].sort((a, b) => a - b),
        first.flatMap((r, i) => (r.canary === '1' ? [i] : [])),
      );
      const second = await take();
      const key = (r: Record<string, string>) => `${r.motherName}|${r.birthTime!.replace(/\D/g, '')}`;
      const again = new Set(second.filter((r) => r.canary === '1').map(key));
      for (const c of flagged) assert.ok(again.has(key(c)), 'every earlier canary is in the later snapshot');
      assert.equal(second.filter((r) => r.canary !== '1').length, first.filter((r) => r.canary !== '1').length);
    });

    test(
      "canaries carry the operator's contact points; a call quoting a canary names its disclosure, " +
        'a bare call names no one',
      async () => {
        const reg = await vault.createOrganisation({ id: admin.id }, { name: '市网信办', kind: 'regulator' });
        const inv = (
          await vault.createPrincipal(null, { displayName: 'investigator', roles: ['investigator'], orgId: reg })
        ).token;
        const c = await api('POST', '/v1/canaries/contacts', tokens.dpo, { kind: 'phone', value: '139 0531 0001' });
        assert.equal(c.status, 201, c.text);
        assert.equal(
          (await api('POST', '/v1/canaries/contacts', tokens.dpo, { kind: 'phone', value: '13905310001' })).json.code,
          'ERR_CONFLICT',
        );
        assert.equal(
          (await api('POST', '/v1/canaries/contacts', tokens.clerkA, { kind: 'phone', value: '13905310002' })).status,
          403,
        );
        const req = await api('POST', '/v1/exports', inv, {
          purpose: 'investigation',
          fields: ['babyName', 'motherName', 'motherPhone', 'birthTime'],
          format: 'jsonl',
          filter: { organizationId: city.hospitals[1]!.orgId },
        });
        assert.equal(req.status, 201, req.text);
        assert.equal((await api('POST', `/v1/exports/${req.json.id}/approve`, tokens.dpo)).status, 200);
        const file = await api('GET', `/v1/exports/${req.json.id}/file`, inv);
        assert.equal(file.status, 200);
        const rows = file.text
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, string>);
        const lookup = await api('POST', '/v1/canaries/lookup', inv, { rows });
        assert.ok(lookup.json.hits.length >= 1, lookup.text);
        const canary = rows[lookup.json.hits[0].rows[0]]!;
        assert.equal(canary.motherPhone!.replace(/\D/g, ''), '13905310001', 'the canary carries the contact point');
        const bare = await api('POST', '/v1/canaries/hits', tokens.dpo, {
          contact: '13905310001',
          at: '2026-11-23T10:00:00+08:00',
          quote: '您好，我是医院的新生儿摄影师',
        });
        assert.deepEqual([bare.status, bare.json.confirmed, bare.json.disclosureIds], [201, false, []]);
        const hit = await api('POST', '/v1/canaries/hits', tokens.dpo, {
          contact: '139-0531-0001',
          at: '2026-11-23T10:05:00+08:00',
          quote: `恭喜您，${canary.babyName}的满月照可以预约了`,
        });
        assert.equal(hit.json.confirmed, true, hit.text);
        assert.deepEqual(
          hit.json.disclosureIds,
          [],
          "a DPO records the call; the canary's disclosure is named to investigators only",
        );
        const again = await api('POST', '/v1/canaries/hits', inv, {
          contact: '139-0531-0001',
          at: '2026-11-23T10:06:00+08:00',
          quote: `恭喜您，${canary.babyName}的满月照可以预约了`,
        });
        assert.deepEqual(again.json.disclosureIds, [file.headers.get('x-disclosure-id')]);
        const stored = await vault.db.get<{ quote: Buffer }>('SELECT quote FROM canary_hits WHERE confirmed = 1');
        assert.ok(!stored!.quote.toString('utf8').includes(String(canary.babyName)), 'quotes are sealed');
        // The hits listed: newest first, the confirmed one naming its disclosure and recipient to the
        // investigator only, what the caller said never.
        const listed = await api('GET', '/v1/canaries/hits', inv);
        assert.equal(listed.status, 200, listed.text);
        assert.deepEqual(
          listed.json.hits.map((h: { confirmed: boolean }) => h.confirmed),
          [true, true, false],
        );
        const did = file.headers.get('x-disclosure-id')!;
        assert.equal(listed.json.hits[0].disclosureId, did);
        assert.equal(listed.json.disclosures[did].channel, 'export');
        assert.ok(listed.json.people[listed.json.disclosures[did].principalId].displayName);
        assert.ok(!listed.text.includes(String(canary.babyName)), 'no quote in the list');
        const toDpo = await api('GET', '/v1/canaries/hits', tokens.dpo);
        assert.deepEqual(
          toDpo.json.hits.map((h: { disclosureId: string | null }) => h.disclosureId),
          [null, null, null],
        );
        assert.equal((await api('GET', '/v1/canaries/hits', tokens.clinicianA)).status, 403);
      },
    );
  });
}
