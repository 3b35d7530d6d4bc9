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
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo, Server } from 'node:net';
import { openDb } from '../store/dialect/open-db.ts';
import { Checkpointer } from '../ledger/checkpointer.ts';
import { cosignerKeyFromSeed, parseCosignerKey } from '../ledger/cosignature.ts';
import { ensureLedgerKey, LEDGER_FILES, loadLedgerSigner } from '../ledger/log-key.ts';
import { Ledger } from '../ledger/log.ts';
import { parseVerifierKey } from '../ledger/signed-note.ts';
import { serveWitness, Witness, WITNESS_SCHEMA } from '../ledger/witness.ts';
import { loadWitnesses, WITNESSES_FILE } from '../ledger/witness-client.ts';
import { LedgerHealthChecks } from '../service/ledger-health.ts';

for (const backend of BACKENDS) {
  describe(`HTTP API on ${backend.name}: the staff console's endpoints`, () => {
    const http = httpVault(backend);
    const { api, tokens, recordsA, seeded, logLines } = http;
    let vault: Vault, city: LoadResult;
    before(() => ({ vault, city } = http.opened()));

    const reads = async () =>
      Number((await vault.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'read'"))?.n);

    test('POST /v1/records/search: the same results and ledger entries as the GET, no value logged', async () => {
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
      assert.deepEqual([unknown.json.code, unknown.json.details.field], ['ERR_BAD_REQUEST', 'email']);
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
      // A clinic's nurse may list its districts' children due a dose, and record doses; a clinician neither.
      const clinic = await api('POST', '/v1/organizations', tokens.admin, {
        name: '历下区预防接种门诊',
        kind: 'vaccination_clinic',
        region: '370102',
      });
      const cn = await http.principal({
        displayName: 'nurse-c',
        roles: ['vaccination_nurse'],
        organizationId: clinic.json.id,
      });
      const c = (await api('GET', '/v1/me', cn.token)).json;
      assert.deepEqual([c.organization.kind, c.can.dueList, c.can.recordDose], ['vaccination_clinic', true, true]);
      assert.deepEqual([me.json.can.dueList, me.json.can.recordDose], [false, false]);
      assert.equal((await api('GET', '/v1/me')).status, 401);
    });

    test('POST /v1/policies/validate: ok, or the errors at line and column; nothing adopted', async () => {
      const cur = await api('GET', '/v1/policies/current', tokens.dpo);
      assert.deepEqual([cur.status, typeof cur.json.text, typeof cur.json.version], [200, 'string', 'number']);
      const ok = await api('POST', '/v1/policies/validate', tokens.dpo, { text: cur.json.text });
      assert.deepEqual([ok.status, ok.json.ok, ok.json.errors, ok.json.warnings], [200, true, [], []]);
      // A Chinese comment first: columns count characters, not bytes.
      const text =
        '// 接种门诊的规则\npermit (principal, action == Action::"read", resource)\nwhen { context.sameOrg && };\n';
      const bad = await api('POST', '/v1/policies/validate', tokens.dpo, { text });
      assert.equal(bad.json.ok, false);
      assert.deepEqual([bad.json.errors[0].line, bad.json.errors[0].column], [3, 27], bad.text);
      assert.match(bad.json.errors[0].message, /unexpected token/);
      const odd = 'permit (principal, action == Action::"raed", resource);';
      const warned = await api('POST', '/v1/policies/validate', tokens.dpo, { text: odd });
      assert.deepEqual([warned.json.ok, warned.json.warnings.length, warned.json.warnings[0].column], [true, 1, 30]);
      assert.equal((await api('POST', '/v1/policies/validate', tokens.clinicianA, { text: odd })).status, 403);
      assert.equal((await api('GET', '/v1/policies/current', tokens.dpo)).json.version, cur.json.version);
      // Saving from the editor: only from the version it was edited from.
      const v = cur.json.version as number;
      const stale = await api('PUT', '/v1/policies/current', tokens.dpo, {
        text: cur.json.text,
        expectedVersion: v - 1 || 99,
      });
      assert.deepEqual([stale.status, stale.json.details?.rule], [409, 'staleVersion']);
      const saved = await api('PUT', '/v1/policies/current', tokens.dpo, { text: cur.json.text, expectedVersion: v });
      assert.deepEqual([saved.status, saved.json.version], [200, v + 1]);
    });

    test('POST /v1/policies/preview: what a principal would see under a proposed text and the current', async () => {
      const cur = (await api('GET', '/v1/policies/current', tokens.dpo)).json;
      // The proposal: clinicians no longer reveal anything for treatment.
      const text = (cur.text as string).replace(/when \{ context\.purpose == "treatment"[^\n]*\n/, 'when { false };\n');
      assert.notEqual(text, cur.text);
      const clinician = (await api('GET', '/v1/me', tokens.clinicianA)).json.principalId as string;
      const entries = async () =>
        (await vault.db.all<{ entry: string }>("SELECT entry FROM audit_events WHERE action = 'policy.preview'")).map(
          (e) => e.entry,
        );
      const body = { text, principalId: clinician, purpose: 'treatment', recordId: recordsA[0] };
      const p = await api('POST', '/v1/policies/preview', tokens.dpo, body);
      assert.equal(p.status, 200, p.text);
      assert.deepEqual(p.json.standing, { sameOrg: true, inCare: false, inDistrict: false, consented: false });
      const phone = p.json.fields.find((f: { name: string }) => f.name === 'motherPhone');
      assert.deepEqual([phone.current, phone.proposed], ['clear', 'masked']);
      assert.ok(p.json.changed.includes('motherPhone') && !p.json.changed.includes('read'), p.text);
      assert.deepEqual(
        p.json.actions.find((a: { action: string }) => a.action === 'read'),
        { action: 'read', current: true, proposed: true },
      );
      assert.deepEqual(leaks(p.text, seeded), []);
      const logged = await entries();
      assert.equal(logged.length, 1);
      assert.match(logged[0]!, new RegExp(`"recordRef":"${vault.registry.recordRef(recordsA[0]!)}"`));
      // Without a record: the standing assumed; another hospital's record is hidden either way.
      const assumed = await api('POST', '/v1/policies/preview', tokens.dpo, {
        text,
        principalId: clinician,
        purpose: 'treatment',
        standing: { sameOrg: false },
      });
      assert.ok(assumed.json.fields.every((f: { current: string; proposed: string }) => f.current === 'hidden'));
      assert.equal((await entries()).length, 1, 'no record, no entry');
      const nope = async (b: object, token = tokens.dpo) => (await api('POST', '/v1/policies/preview', token, b)).json;
      assert.equal((await nope({ ...body, text: 'permit (' })).code, 'ERR_POLICY_INVALID');
      assert.equal((await nope({ ...body, principalId: 'p_nobody' })).code, 'ERR_NOT_FOUND');
      assert.equal((await nope({ ...body, recordId: 'r_nothing' })).code, 'ERR_NOT_FOUND');
      assert.equal((await nope({ ...body, purpose: 'curiosity' })).code, 'ERR_BAD_REQUEST');
      assert.equal((await nope(body, tokens.clinicianA)).code, 'ERR_FORBIDDEN');
      assert.equal((await api('GET', '/v1/policies/current', tokens.dpo)).json.version, cur.version, 'nothing adopted');
    });

    test('GET /v1/alerts/{id}: the alert with its principal and recent activity; keep blocked, then lift', async () => {
      const { services } = http.opened();
      await services.oversight.addPoison(null, recordsA[63]!);
      const c = await http.principal({
        displayName: 'c-ctx',
        roles: ['clinician'],
        organizationId: city.hospitals[0]!.orgId,
      });
      const reveal = (id: string) => api('GET', `/v1/records/${id}?purpose=treatment&reveal=motherPhone`, c.token);
      for (const id of recordsA.slice(60, 63)) assert.equal((await reveal(id)).status, 200);
      assert.equal((await reveal(recordsA[63]!)).json.code, 'ERR_GUARD_BLOCKED');
      const list = (await api('GET', '/v1/alerts', tokens.dpo)).json.alerts as { id: string; principalId: string }[];
      const alert = list.find((a) => a.principalId === c.id)!;
      assert.ok(alert);
      const r = await api('GET', `/v1/alerts/${alert.id}`, tokens.auditor);
      assert.equal(r.status, 200, r.text);
      assert.deepEqual([r.json.alert.rule, r.json.alert.action, r.json.alert.resolution], ['poison', 'block', null]);
      assert.deepEqual(
        [
          r.json.principal.displayName,
          r.json.principal.roles,
          r.json.principal.organization.id,
          r.json.principal.blocked,
        ],
        ['c-ctx', ['clinician'], city.hospitals[0]!.orgId, true],
      );
      const sum = (xs: { records: number }[]) => xs.reduce((n, x) => n + x.records, 0);
      assert.equal(r.json.activity.clearPerHour.length, 24);
      assert.equal(r.json.activity.clearPerDay.length, 28);
      assert.equal(sum(r.json.activity.clearPerHour), 3);
      assert.equal(sum(r.json.activity.clearPerDay), 3);
      assert.equal(r.json.activity.clearPerHour.at(-1).records, 3, 'this hour');
      assert.equal(r.json.activity.recentDisclosures.length, 3);
      for (const d of r.json.activity.recentDisclosures) {
        assert.deepEqual([d.purpose, d.records, d.fields], ['treatment', 1, 1]);
        assert.equal(typeof d.channel, 'string');
      }
      assert.deepEqual(r.json.activity.alertsByRule, { poison: 1 });
      assert.deepEqual(leaks(r.text, seeded), []);
      assert.equal((await api('GET', `/v1/alerts/${alert.id}`, tokens.clinicianA)).status, 403);
      assert.equal((await api('GET', '/v1/alerts/a_nothing', tokens.dpo)).status, 404);

      // Keep blocked: reviewed, off the open queue, the block stays.
      const keep = (body: object, token = tokens.dpo) =>
        api('POST', `/v1/alerts/${alert.id}/keep-blocked`, token, body);
      assert.equal((await keep({ reason: 'because I say so' })).status, 400);
      assert.equal((await keep({ reason: 'under_investigation' }, tokens.auditor)).status, 403);
      const kept = await keep({ reason: 'under_investigation' });
      assert.deepEqual([kept.status, kept.json.resolution], [200, 'kept_blocked'], kept.text);
      assert.equal((await reveal(recordsA[60]!)).json.code, 'ERR_GUARD_BLOCKED');
      const listed = (await api('GET', '/v1/alerts', tokens.dpo)).json.alerts.find(
        (a: { id: string }) => a.id === alert.id,
      );
      assert.equal(listed.resolution, 'kept_blocked');
      const entry = await vault.db.get<{ entry: string }>(
        "SELECT entry FROM audit_events WHERE action = 'alert.resolve' ORDER BY seq DESC LIMIT 1",
      );
      assert.match(entry!.entry, /"resolution":"kept_blocked","reason":"under_investigation"/);
      // Lifted later by a resolution.
      assert.equal((await api('POST', `/v1/alerts/${alert.id}/resolve`, tokens.dpo)).status, 200);
      assert.equal((await reveal(recordsA[61]!)).status, 200);
      const lifted = (await api('GET', `/v1/alerts/${alert.id}`, tokens.dpo)).json;
      assert.deepEqual([lifted.alert.resolution, lifted.principal.blocked], ['lifted', false]);
    });

    test('GET /v1/ledger/health and POST /v1/ledger/verify: checkpoint, witness, verification', async () => {
      const { services } = http.opened();
      const dir = vault.dir;
      ensureLedgerKey(dir);
      // A witness of our own, over HTTP, trusting this vault's log key.
      const wKey = cosignerKeyFromSeed('console.test/w1', Buffer.alloc(32, 9));
      const wdb = await openDb({ kind: 'sqlite', file: join(dir, 'witness.db') });
      await wdb.exec(WITNESS_SCHEMA);
      const logKey = parseVerifierKey(readFileSync(join(dir, LEDGER_FILES.verifier), 'utf8'));
      const server: Server = await serveWitness(new Witness(parseCosignerKey(wKey.signerKey), [logKey], wdb), 0);
      try {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        writeFileSync(join(dir, WITNESSES_FILE), JSON.stringify([{ url, verifierKey: wKey.verifierKey }]));
        const cp = new Checkpointer(vault.db, new Ledger(vault.db), loadLedgerSigner(dir), {
          witnesses: loadWitnesses(dir),
        });
        services.ledger.watch(cp);
        assert.deepEqual((await cp.tick()).signed, true);

        const h = await api('GET', '/v1/ledger/health', tokens.auditor);
        assert.equal(h.status, 200, h.text);
        const c = h.json.checkpoint;
        assert.ok(c.size > 100 && c.size <= h.json.entries && h.json.integrated >= c.size, h.text);
        assert.deepEqual([c.signatureValid, c.origin.startsWith('tracevault.local/ledger/')], [true, true]);
        assert.equal(Buffer.from(c.root, 'base64').length, 32);
        assert.equal(c.behind, h.json.entries - c.size);
        assert.equal(h.json.witnesses.length, 1);
        const w = h.json.witnesses[0];
        assert.deepEqual(
          [w.name, w.configured, w.lastCosignedSize, w.onLatest.valid],
          ['console.test/w1', true, c.size, true],
        );
        assert.ok(Math.abs(Date.parse(w.onLatest.at) - Date.now()) < 60_000, w.onLatest.at);
        assert.deepEqual([h.json.checkpointer.signed, h.json.checkpointer.error], [true, null]);
        assert.equal(h.json.lastVerification, null);
        assert.equal((await api('GET', '/v1/ledger/health', tokens.clinicianA)).status, 403);

        const v = await api('POST', '/v1/ledger/verify', tokens.dpo);
        assert.equal(v.status, 200, v.text);
        assert.deepEqual([v.json.status, v.json.ok, v.json.cosignatures], ['ok', true, { verified: 1, kept: 1 }]);
        assert.ok(v.json.entries >= c.size && v.json.checkpoints >= 1, v.text);
        assert.equal((await api('POST', '/v1/ledger/verify', tokens.clinicianA)).status, 403);
        const after = (await api('GET', '/v1/ledger/health', tokens.dpo)).json;
        assert.equal(after.lastVerification.status, 'ok');

        // A ledger larger than the time budget is answered incomplete, with the entries checked so far.
        const dpo = (await vault.principal((await api('GET', '/v1/me', tokens.dpo)).json.principalId))!;
        const hurried = new LedgerHealthChecks(services.gate, -1);
        const part = await hurried.verify({ principal: dpo, requestId: 'test' });
        assert.deepEqual([part.status, part.ok], ['incomplete', null]);
        assert.ok(part.entries > 0);
      } finally {
        await new Promise((r) => server.close(r));
        await wdb.close();
      }
    });
  });
}
