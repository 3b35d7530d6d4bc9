/**
 * Reports from the parents' portal name the source of a leak (issue 21 part 4), on SQLite and
 * PostgreSQL, over real HTTP and the command line. A synthetic city; two hospitals' records clerks
 * each take an approved export (no phones); two clinicians of hospital A each read 14 families with
 * the mothers' phones in clear. What one of them saw leaks to a scam call centre, which phones the
 * families as a "maternity hospital photographer". Twelve of those families' guardians enrol in the
 * portal and report the call, each ticking what the caller knew. An investigator sees the reports as
 * one cluster, traces the period's reports as a complaint set, and the trace names that clinician at
 * the ε bound of a complaint-set trace (1e-6); the other clinician and the clerks are in no confidence
 * set. The report names ids, never a value.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { BACKENDS } from './helpers/backends.ts';
import { initVault, type Vault } from '../src/store/vault.ts';
import { loadCity } from '../src/sim/load.ts';
import { Services } from '../src/service/services.ts';
import { Ledger } from '../src/ledger/log.ts';
import { DEFAULT_GUARD } from '../src/access/guard.ts';
import { buildServer } from '../src/server/app.ts';
import { OutboxGateway } from '../src/service/portal/outbox-gateway.ts';

const CITY = { seed: 'reports-trace', families: 240, hospitals: 2 } as const;
const SCAMMER = '171 0531 7788';
const KNEW = [
  ['babyName', 'birthTime', 'hospital', 'motherPhone'],
  ['babyName', 'hospital', 'motherPhone'],
  ['babyName', 'birthTime', 'motherName', 'motherPhone'],
] as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are asserted field by field
type Json = any;

for (const backend of BACKENDS) {
  describe(`reports from the portal traced as a complaint set, on ${backend.name}`, () => {
    let env: Awaited<ReturnType<typeof backend.fresh>>;
    let vault: Vault, services: Services, app: FastifyInstance, base: string, outbox: string;
    const tokens: Record<string, string> = {};
    const ids: Record<string, string> = {};
    const families: string[] = [];
    let exportedAt = '';

    const api = async (method: string, path: string, token?: string, body?: unknown) => {
      const res = await fetch(base + path, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      let json: Json;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, json, text, headers: res.headers };
    };

    const otpFor = async (phone: string) => {
      await services.portal.messages.drain();
      const lines = existsSync(outbox) ? readFileSync(outbox, 'utf8').split('\n').filter(Boolean) : [];
      const last = lines.map((l) => JSON.parse(l) as { to: string; text: string }).filter((m) => m.to === phone);
      return /(?<!\d)(\d{6})(?!\d)/.exec(last.at(-1)!.text)![1]!;
    };

    before(async () => {
      env = await backend.fresh();
      const { vault: v, admin } = await initVault(env.dir, { database: env.database });
      vault = v;
      const city = await loadCity(vault, admin, CITY);
      const guard = { ...DEFAULT_GUARD, velocityPerMinute: 10_000, scanWindow: 10_000 };
      services = await Services.open(vault, { guard, ledger: new Ledger(vault.db) });
      outbox = join(env.dir, 'outbox.jsonl');
      services.portal.messages.connect(new OutboxGateway(outbox));
      app = await buildServer(services, {});
      await app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const [a, b] = city.hospitals;
      const regulator = await vault.createOrganisation(admin, { name: '市网信办', kind: 'regulator' });
      for (const [name, roles, org] of [
        ['clinicianA', ['clinician'], a!.orgId],
        ['clinicianA2', ['clinician'], a!.orgId],
        ['clerkA', ['records_clerk'], a!.orgId],
        ['clerkB', ['records_clerk'], b!.orgId],
        ['dpo', ['dpo'], admin.orgId],
        ['investigator', ['investigator'], regulator],
      ] as const) {
        const r = await vault.createPrincipal(admin, { displayName: name, roles, orgId: org });
        tokens[name] = r.token;
        ids[name] = r.id;
      }
      // Each clerk takes an approved export for birth registration (no phones in it).
      const fields = ['babyName', 'motherName', 'birthTime', 'hospital', 'address'];
      for (const clerk of ['clerkA', 'clerkB']) {
        const req = await api('POST', '/v1/exports', tokens[clerk], {
          purpose: 'birth_registration',
          fields,
          format: 'csv',
        });
        assert.equal(req.status, 201, req.text);
        assert.equal((await api('POST', `/v1/exports/${req.json.id}/approve`, tokens.dpo)).status, 200);
        const file = await api('GET', `/v1/exports/${req.json.id}/file`, tokens[clerk]);
        assert.equal(file.status, 200);
      }
      // Two clinicians of hospital A read 14 families each with the mothers' phones in clear; what
      // clinicianA saw leaks to a scam call centre.
      const inA = await vault.db.all<{ id: string }>('SELECT id FROM records WHERE org_id = ? ORDER BY seq', [
        a!.orgId,
      ]);
      const seen = { clinicianA: inA.slice(0, 14), clinicianA2: inA.slice(14, 28) };
      const reveal = 'babyName,birthTime,motherName,motherPhone';
      for (const [who, recs] of Object.entries(seen))
        for (const { id } of recs) {
          const path =
            `/v1/records/${id}?purpose=treatment&reveal=${reveal}` +
            `&justification=${encodeURIComponent('产后随访，核对联系方式')}`;
          const r = await api('GET', path, tokens[who]);
          assert.equal(r.status, 200, r.text);
        }
      exportedAt = new Date().toISOString();
      families.push(...seen.clinicianA.slice(1, 13).map((r) => r.id));
      assert.equal(families.length, 12);
    });

    after(async () => {
      await app?.close();
      await vault?.close();
      await env?.cleanup();
    });

    test('twelve guardians report the calls; the trace of the reports names the leaking clinician', async () => {
      // The calls came in the last two hours, after the export; each guardian reports one.
      for (const [i, child] of families.entries()) {
        const invitation = await api('POST', `/v1/records/${child}/invitations`, tokens.clerkA);
        assert.equal(invitation.status, 201, invitation.text);
        const phone = (await vault.registry.get(child)).current.get('motherPhone')!.value as string;
        assert.equal(
          (await api('POST', '/v1/portal/enrol', undefined, { code: invitation.json.code, phone })).status,
          202,
        );
        const session = await api('POST', '/v1/portal/sessions', undefined, { phone, otp: await otpFor(phone) });
        assert.equal(session.status, 201, session.text);
        const report = await api('POST', '/v1/portal/reports', session.json.token, {
          at: new Date(Date.now() - (120 - i * 5) * 60_000).toISOString(),
          ...(i % 2 === 0 && { callerNumber: SCAMMER }),
          claimedToBe: i % 3 === 0 ? '妇幼保健院摄影师' : '妇幼保健院 摄影师',
          knew: KNEW[i % KNEW.length],
          quote: '宝宝出生满月，免费拍照，留个地址',
        });
        assert.equal(report.status, 201, report.text);
      }
      const from = new Date(Date.now() - 86_400_000).toISOString();
      const to = new Date(Date.now() + 60_000).toISOString();

      const clusters = await api('GET', `/v1/reports?from=${from}&to=${to}`, tokens.investigator);
      assert.equal(clusters.status, 200, clusters.text);
      assert.equal(clusters.json.clusters.length, 1, 'one claim, one number: one cluster');
      assert.equal(clusters.json.clusters[0].reports, 12);
      assert.equal(clusters.json.clusters[0].families, 12);

      const t = await api('POST', '/v1/traces', tokens.investigator, { reports: { from, to } });
      assert.equal(t.status, 201, t.text);
      const r = t.json;
      assert.equal(r.status, 'done');
      assert.equal(r.complaints, true);
      assert.equal(r.epsilon, 1e-6);
      assert.equal(r.rows.total, 12);
      assert.ok(r.rows.linked >= 11, JSON.stringify(r.rows));
      assert.equal(r.accused?.principalId, ids.clinicianA, JSON.stringify(r.candidates.slice(0, 3)));
      assert.ok(r.confidenceSets['0.000001'].includes(ids.clinicianA));
      for (const set of Object.values<string[]>(r.confidenceSets))
        for (const innocent of ['clinicianA2', 'clerkA', 'clerkB']) assert.ok(!set.includes(ids[innocent]!), innocent);
      // The first call bounds the window: the copy was taken before it.
      const firstCall = Date.now() - 125 * 60_000;
      if (r.window.to) assert.ok(Date.parse(r.window.to) <= firstCall + 10 * 60_000, r.window.to);
      assert.ok(families.every((f) => r.affected.direct.includes(f)));
      // No value of a family in the report.
      for (const child of families) {
        const cur = (await vault.registry.get(child)).current;
        for (const f of ['babyName', 'motherName', 'motherPhone'])
          assert.ok(!t.text.includes(String(cur.get(f)?.value)), f);
      }
      assert.ok(!t.text.includes('17105317788'), 'number');
      assert.ok(!t.text.includes('妇幼保健院摄影师') && !t.text.includes('免费拍照'), 'claim and quote');
      const entries = await vault.db.all<{ entry: string }>("SELECT entry FROM audit_events WHERE action = 'trace'");
      assert.ok(entries.some((e) => e.entry.includes(r.id)));
      assert.ok(Date.parse(exportedAt) < Date.now());
    });

    test('the command line traces the same reports (--reports FROM..TO)', { skip: backend.name !== 'sqlite' }, () => {
      const from = new Date(Date.now() - 86_400_000).toISOString();
      const to = new Date(Date.now() + 60_000).toISOString();
      const out = execFileSync(
        process.execPath,
        ['bin/tracevault.js', 'trace', '--reports', `${from}..${to}`, '--data', env.dir, '--json'],
        { encoding: 'utf8' },
      );
      assert.equal(JSON.parse(out).accused.principalId, ids.clinicianA);
      const text = execFileSync(
        process.execPath,
        ['bin/tracevault.js', 'trace', '--reports-from', from, '--reports-to', to, '--data', env.dir],
        { encoding: 'utf8' },
      );
      assert.match(text, new RegExp(`accused: ${ids.clinicianA}`));
    });
  });
}
