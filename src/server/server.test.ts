/**
 * The HTTP API end to end, over real HTTP, on SQLite and on PostgreSQL: isolation between
 * hospitals, purposes, exports and their approval, aggregates only for statistics, the guard
 * stopping a scraper, login lockout, and fail-closed reads when the ledger cannot be written. Every
 * refused response and every log line is scanned for the seeded personal values.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { initVault, type Principal, type Vault } from '../store/vault.ts';
import { loadCity, type LoadResult } from '../sim/load.ts';
import { generateCity } from '../synth/city.ts';
import { Services } from '../service/services.ts';
import { DEFAULT_GUARD } from '../access/guard.ts';
import { Ledger } from '../ledger/log.ts';
import { buildServer } from './app.ts';
import { TardosCode } from '../disclose/tardos.ts';
import {
  accused,
  API_MARKED_KINDS,
  markRow,
  observe,
  PRINCIPAL_SCHEME,
  REVEAL_KEY_LABEL,
  scoreCandidates,
} from '../disclose/marks.ts';
import { BIRTH } from '../schema/record-type.ts';

const CITY = { seed: 'server-test', families: 260, hospitals: 2 } as const;

/** Every phone, resident id and name the synthetic city holds, for scanning outputs. */
function seededValues(): string[] {
  const out = new Set<string>();
  for (const f of generateCity(CITY).families()) {
    for (const c of [f.initial, ...f.later]) {
      for (const [k, v] of Object.entries(c.values)) {
        if (typeof v === 'string' && /Phone|ResidentId|Name$/.test(k) && v.length >= 2) out.add(v);
      }
    }
  }
  return [...out];
}

function leaks(text: string, values: readonly string[]): string[] {
  return values.filter((v) => text.includes(v));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
type Json = any;

interface Api {
  (
    method: string,
    path: string,
    token?: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; json: Json; text: string; headers: Headers }>;
}

for (const backend of BACKENDS) {
  describe(`HTTP API on ${backend.name}`, () => {
    let env: Awaited<ReturnType<typeof backend.fresh>>;
    let vault: Vault, admin: Principal, city: LoadResult, services: Services, app: FastifyInstance, base: string;
    const logLines: string[] = [];
    const refusedBodies: string[] = [];
    const tokens: Record<string, string> = {};
    const seeded = seededValues();
    let recordsA: string[] = [],
      recordsB: string[] = [];

    const api: Api = async (method, path, token, body, headers = {}) => {
      const res = await fetch(base + path, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status >= 400) refusedBodies.push(text);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, json, text, headers: res.headers };
    };

    before(async () => {
      env = await backend.fresh();
      ({ vault, admin } = await initVault(env.dir, { database: env.database }));
      city = await loadCity(vault, admin, CITY);
      // The quota rule is what this suite's scraper meets; the fast-scraper test uses the defaults.
      const guard = { ...DEFAULT_GUARD, velocityPerMinute: 10_000, scanWindow: 10_000 };
      services = await Services.open(vault, { guard, ledger: new Ledger(vault.db) });
      app = await buildServer(services, { log: { write: (l: string) => logLines.push(l) } });
      await app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      const adminToken = (
        await vault.createPrincipal(null, { displayName: 'test admin', roles: ['administrator'], orgId: admin.orgId })
      ).token;
      tokens.admin = adminToken;
      const [a, b] = city.hospitals;
      const make = async (name: string, roles: string[], organizationId: string | null, extra: object = {}) => {
        const r = await api('POST', '/v1/principals', adminToken, {
          displayName: name,
          roles,
          ...(organizationId ? { organizationId } : {}),
          ...extra,
        });
        assert.equal(r.status, 201, r.text);
        assert.match(r.json.token, /^tv_/);
        tokens[name] = r.json.token;
        return r.json.id as string;
      };
      const stats = await api('POST', '/v1/organizations', adminToken, { name: '市统计局', kind: 'statistics_office' });
      assert.equal(stats.status, 201, stats.text);
      await make('clinicianA', ['clinician'], a!.orgId);
      await make('clinicianA2', ['clinician'], a!.orgId);
      await make('clerkA', ['records_clerk'], a!.orgId);
      await make('clinicianB', ['clinician'], b!.orgId);
      await make('dpo', ['dpo'], admin.orgId, { login: 'dpo.li', password: 'correct horse battery' });
      await make('auditor', ['auditor'], admin.orgId);
      await make('statistician', ['statistician'], stats.json.id);
      recordsA = (
        await vault.db.all<{ id: string }>('SELECT id FROM records WHERE org_id = ? ORDER BY seq', [a!.orgId])
      ).map((r) => r.id);
      recordsB = (
        await vault.db.all<{ id: string }>('SELECT id FROM records WHERE org_id = ? ORDER BY seq', [b!.orgId])
      ).map((r) => r.id);
      assert.ok(recordsA.length > 110 && recordsB.length > 10, `${recordsA.length} / ${recordsB.length}`);
    });

    after(async () => {
      await app.close();
      await vault.close();
      await env.cleanup();
    });

    test(
      'a record is masked by default; a reveal with an allowed purpose is clear ' + 'and recorded as a disclosure',
      async () => {
        const id = recordsA[0]!;
        const masked = await api('GET', `/v1/records/${id}`, tokens.clinicianA);
        assert.equal(masked.status, 200, masked.text);
        assert.match(masked.json.fields.motherPhone, /^1\d\d\*{4}\d{4}$/);
        assert.deepEqual(masked.json.clear, []);
        assert.deepEqual(leaks(masked.text, seeded), []);
        const clear = await api('GET', `/v1/records/${id}?purpose=treatment&reveal=motherPhone`, tokens.clinicianA);
        assert.equal(clear.status, 200, clear.text);
        // Clear, in one of the renderings that mark it for its recipient (disclose/fingerprint.ts).
        const stored = (await vault.registry.get(id)).current.get('motherPhone')?.value as string | undefined;
        assert.match(clear.json.fields.motherPhone, /^1\d{2}[ -]\d{4}[ -]\d{4}$/);
        assert.equal(clear.json.fields.motherPhone.replace(/\D/g, ''), stored);
        // Reproducible bit for bit from what the disclosure keeps (its principal, scheme and versions) and the
        // tenant's keys.
        const marked = await vault.db.get<{ principal_id: string; fingerprint: string }>(
          'SELECT principal_id, fingerprint FROM disclosures WHERE id = ?',
          [clear.json.disclosureId],
        );
        assert.equal(marked?.fingerprint, PRINCIPAL_SCHEME);
        const code = new TardosCode(vault.keys.keyedId('fingerprint-bias', 'v1'));
        assert.deepEqual(
          markRow(
            BIRTH,
            { motherPhone: stored! },
            code,
            vault.keys.keyedId(REVEAL_KEY_LABEL, marked.principal_id),
            API_MARKED_KINDS,
          ),
          { motherPhone: clear.json.fields.motherPhone },
        );
        assert.deepEqual(clear.json.clear, ['motherPhone']);
        const d = await vault.db.get<{ purpose: string; channel: string; request_id: string }>(
          'SELECT purpose, channel, request_id FROM disclosures WHERE id = ?',
          [clear.json.disclosureId],
        );
        assert.equal(d?.purpose, 'treatment');
        assert.equal(d?.request_id, clear.headers.get('x-request-id'));
        const items = await vault.db.all<{ field: string; version: number }>(
          'SELECT field, version FROM disclosure_items WHERE disclosure_id = ?',
          [clear.json.disclosureId],
        );
        assert.deepEqual(
          items.map((i) => i.field),
          ['motherPhone'],
        );
        // The ledger entry names who, what, why and under which decision; no value.
        const entry = await vault.db.get<{ entry: string }>(
          "SELECT entry FROM audit_events WHERE action = 'reveal' ORDER BY seq DESC LIMIT 1",
        );
        const e = JSON.parse(entry!.entry);
        assert.equal(e.purpose, 'treatment');
        assert.equal(e.disclosureId, clear.json.disclosureId);
        assert.equal(e.requestId, clear.headers.get('x-request-id'));
        assert.equal(e.roles, 'clinician');
        assert.match(e.decision, /^allow@\d+$/);
        assert.ok(e.organisationId);
      },
    );

    test("hospital A cannot read hospital B's record, even by guessing ids", async () => {
      for (const path of [
        `/v1/records/${recordsB[0]}`,
        `/v1/records/${recordsB[1]}?purpose=treatment&reveal=motherPhone`,
        '/v1/records/r_aaaaaaaaaaaaaaaaaaaaaaaaaa',
      ]) {
        const r = await api('GET', path, tokens.clinicianA);
        assert.equal(r.status, 404, path);
        assert.equal(r.json.code, 'ERR_NOT_FOUND');
      }
      const b = await api('GET', `/v1/records/${recordsB[0]}`, tokens.clinicianB);
      assert.equal(b.status, 200);
      // Search finds only what the searcher may read.
      const phone = (await vault.registry.get(recordsB[0]!)).current.get('motherPhone')?.value as string;
      const s = await api('GET', `/v1/records?motherPhone=${encodeURIComponent(phone)}`, tokens.clinicianA);
      assert.equal(s.status, 200);
      assert.deepEqual(s.json.records, []);
      const s2 = await api('GET', `/v1/records?motherPhone=${encodeURIComponent(phone)}`, tokens.clinicianB);
      assert.ok(s2.json.records.some((r: { id: string }) => r.id === recordsB[0]));
      assert.deepEqual(leaks(s2.text, seeded), []);
      const patch = await api('PATCH', `/v1/records/${recordsB[0]}`, tokens.clinicianA, {
        fields: { ward: '产科1病区' },
      });
      assert.equal(patch.status, 404);
    });

    test('a reveal without an allowed purpose is refused', async () => {
      const id = recordsA[1]!;
      const none = await api('GET', `/v1/records/${id}?reveal=motherPhone`, tokens.clinicianA);
      assert.equal(none.status, 400);
      assert.equal(none.json.code, 'ERR_PURPOSE_REQUIRED');
      const wrong = await api('GET', `/v1/records/${id}?purpose=partner_contact&reveal=motherPhone`, tokens.clinicianA);
      assert.equal(wrong.status, 403);
      assert.equal(wrong.json.code, 'ERR_FORBIDDEN');
      const unknown = await api('GET', `/v1/records/${id}?purpose=curiosity&reveal=motherPhone`, tokens.clinicianA);
      assert.equal(unknown.status, 400);
      assert.equal(unknown.json.code, 'ERR_UNKNOWN_PURPOSE');
      const sensitive = await api(
        'GET',
        `/v1/records/${id}?purpose=treatment&reveal=motherResidentId`,
        tokens.clinicianA,
      );
      assert.equal(sensitive.json.code, 'ERR_JUSTIFICATION_REQUIRED');
      const justified = await api(
        'GET',
        `/v1/records/${id}?purpose=treatment&reveal=motherResidentId`,
        tokens.clinicianA,
        undefined,
        { 'x-justification': encodeURIComponent('identity check before discharge') },
      );
      assert.equal(justified.status, 200, justified.text);
      const sealed = await vault.db.get<{ justification: Buffer }>(
        'SELECT justification FROM disclosures WHERE id = ?',
        [justified.json.disclosureId],
      );
      assert.ok(
        sealed?.justification && !sealed.justification.toString('utf8').includes('discharge'),
        'justification is sealed',
      );
      const denied = await vault.db.get<{ n: number }>(
        'SELECT COUNT(*) AS n FROM audit_events WHERE entry LIKE \'%"outcome":"denied"%\'',
      );
      assert.ok(Number(denied?.n) >= 3, 'refusals are ledger entries');
    });

    test(
      "a partner reads a record only with the guardian's consent, recorded by the record's hospital " +
        'and withdrawn at once',
      async () => {
        const id = recordsA[5]!;
        const org = await api('POST', '/v1/organizations', tokens.admin, { name: '宝贝影像工作室', kind: 'partner' });
        assert.equal(org.status, 201, org.text);
        const partner = await api('POST', '/v1/principals', tokens.admin, {
          displayName: 'studio',
          roles: ['partner'],
          organizationId: org.json.id,
        });
        assert.equal(partner.status, 201, partner.text);
        const studio = partner.json.token as string;
        const read = `/v1/records/${id}?purpose=partner_contact&reveal=motherPhone`;
        const consents = `/v1/records/${id}/consents`;
        assert.equal((await api('GET', read, studio)).json.code, 'ERR_NOT_FOUND');
        // Another hospital and the partner itself meet a record that does not exist; a clinician of
        // hospital A may read the record but records a consent only for a partner and a consent-based purpose.
        for (const token of [tokens.clinicianB, studio]) {
          const r = await api('POST', consents, token, { organizationId: org.json.id });
          assert.equal(r.status, 404, r.text);
          assert.equal(r.json.code, 'ERR_NOT_FOUND');
        }
        const notPartner = await api('POST', consents, tokens.clerkA, { organizationId: city.hospitals[1]!.orgId });
        assert.equal(notPartner.status, 400);
        assert.deepEqual(
          [notPartner.json.code, notPartner.json.details.field],
          ['ERR_INVALID_FIELD', 'organizationId'],
        );
        const notByConsent = await api('POST', consents, tokens.clerkA, {
          organizationId: org.json.id,
          purpose: 'treatment',
        });
        assert.deepEqual([notByConsent.status, notByConsent.json.details.field], [400, 'purpose']);
        assert.equal(
          (await api('POST', consents, tokens.clerkA, { organizationId: org.json.id, purpose: 'curiosity' })).json.code,
          'ERR_UNKNOWN_PURPOSE',
        );

        const granted = await api('POST', consents, tokens.clerkA, { organisationId: org.json.id });
        assert.equal(granted.status, 201, granted.text);
        assert.deepEqual(
          { ...granted.json, grantedAt: undefined },
          { recordId: id, organizationId: org.json.id, purpose: 'partner_contact', grantedAt: undefined },
        );
        const again = await api('POST', consents, tokens.clinicianA, {
          organizationId: org.json.id,
          purpose: 'partner_contact',
        });
        assert.equal(again.json.grantedAt, granted.json.grantedAt, 'the first grant stands');
        const list = await api('GET', consents, tokens.clerkA);
        assert.deepEqual(list.json.consents, [granted.json]);
        // The partner, who may now read the record, may still not manage its consents.
        assert.equal((await api('GET', consents, studio)).json.code, 'ERR_FORBIDDEN');

        // With the consent: the phone in clear for partner_contact, and only the fields a partner may see.
        const clear = await api('GET', read, studio);
        assert.equal(clear.status, 200, clear.text);
        assert.deepEqual(clear.json.clear, ['motherPhone']);
        const stored = (await vault.registry.get(id)).current.get('motherPhone')?.value as string;
        assert.equal(clear.json.fields.motherPhone.replace(/\D/g, ''), stored);
        assert.equal(clear.json.fields.address, undefined);
        assert.equal(clear.json.fields.motherResidentId, undefined);
        assert.equal(
          (await api('GET', `/v1/records/${id}?purpose=partner_contact&reveal=address`, studio)).status,
          403,
        );

        // Withdrawn: the next read is refused; a second withdrawal finds nothing.
        assert.equal((await api('DELETE', `${consents}/${org.json.id}`, studio)).status, 403);
        const withdrawn = await api('DELETE', `${consents}/${org.json.id}?purpose=partner_contact`, tokens.clerkA);
        assert.equal(withdrawn.status, 204, withdrawn.text);
        assert.equal((await api('GET', read, studio)).json.code, 'ERR_NOT_FOUND');
        assert.equal((await api('DELETE', `${consents}/${org.json.id}`, tokens.dpo)).json.code, 'ERR_NOT_FOUND');
        assert.deepEqual((await api('GET', consents, tokens.dpo)).json.consents, []);

        // Every grant, withdrawal and listing is a ledger entry naming who and for whom, never a value.
        const entries = (
          await vault.db.all<{ entry: string }>(
            "SELECT entry FROM audit_events WHERE action LIKE 'consent.%' ORDER BY seq",
          )
        ).map((r) => JSON.parse(r.entry));
        const ok = entries
          .filter((e) => e.outcome === 'ok')
          .map((e) => `${e.action}:${e.detail.organizationId ?? ''}:${e.detail.removed ?? ''}`);
        assert.deepEqual(
          ok.filter((e) => !e.startsWith('consent.list')),
          [
            `consent.grant:${org.json.id}:`,
            `consent.grant:${org.json.id}:`,
            `consent.withdraw:${org.json.id}:1`,
            `consent.withdraw:${org.json.id}:0`,
          ],
        );
        assert.ok(entries.filter((e) => e.outcome === 'denied').length >= 4, 'refusals are ledger entries');
        assert.deepEqual(leaks(JSON.stringify(entries), seeded), []);
      },
    );

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
      },
    );

    test('the statistics office never receives a row; its aggregates suppress small cells', async () => {
      const t = tokens.statistician;
      for (const path of [
        `/v1/records/${recordsA[0]}`,
        `/v1/records/${recordsA[0]}?purpose=statistics&reveal=babySex`,
      ]) {
        assert.equal((await api('GET', path, t)).status, 404, path);
      }
      const phone = (await vault.registry.get(recordsA[0]!)).current.get('motherPhone')?.value as string;
      assert.deepEqual((await api('GET', `/v1/records?motherPhone=${phone}`, t)).json.records, []);
      assert.equal(
        (await api('POST', '/v1/exports', t, { purpose: 'statistics', fields: ['babySex'], format: 'csv' })).status,
        403,
      );
      for (const groupBy of ['hospital', 'birthMonth', 'babySex', 'district']) {
        const s = await api('GET', `/v1/stats?groupBy=${groupBy}`, t);
        assert.equal(s.status, 200, s.text);
        for (const c of s.json.cells) assert.ok(c.count === null ? c.suppressed : c.count >= 10, JSON.stringify(c));
        assert.equal(
          s.json.cells.filter((c: { suppressed: boolean }) => c.suppressed).length === 1,
          false,
          'never exactly one suppressed cell',
        );
        assert.deepEqual(leaks(s.text, seeded), []);
      }
      assert.equal((await api('GET', '/v1/stats?groupBy=hospital', tokens.clinicianA)).status, 403);
    });

    test('a scraper with a stolen clinician token is stopped within 100 clear records beyond normal', async () => {
      const t = tokens.clinicianA2;
      let clear = 0,
        stoppedBy = '';
      // Not in record order, so only the daily-volume rule can stop it (velocity and scans are off in this suite).
      const order = [...recordsA].sort((a, b) => (a.slice(-3) < b.slice(-3) ? -1 : 1));
      for (const id of order) {
        const r = await api('GET', `/v1/records/${id}?purpose=treatment&reveal=motherPhone,babyName`, t, undefined, {
          'x-justification': 'scripted%20scraper%20says%20ok',
        });
        if (r.status === 200) clear++;
        else {
          stoppedBy = r.json.code;
          break;
        }
      }
      assert.equal(stoppedBy, 'ERR_GUARD_BLOCKED');
      assert.ok(clear <= 100, `${clear} clear records`);
      // Blocked from now on, masked reads included, until a DPO resolves the alert.
      assert.equal((await api('GET', `/v1/records/${recordsA[0]}`, t)).json.code, 'ERR_GUARD_BLOCKED');
      const alerts = await api('GET', '/v1/alerts', tokens.auditor);
      assert.equal(alerts.status, 200);
      const alert = alerts.json.alerts.find(
        (a: { rule: string; action: string }) => a.rule === 'quota' && a.action === 'block',
      );
      assert.ok(alert, alerts.text);
      assert.equal((await api('GET', '/v1/alerts', tokens.clinicianA)).status, 403);
      assert.equal((await api('POST', `/v1/alerts/${alert.id}/resolve`, tokens.dpo)).status, 200);
      assert.equal((await api('GET', `/v1/records/${recordsA[0]}`, t)).status, 200);
    });

    test('a fast sequential scraper meets the default guard (velocity, scans) well before that', async () => {
      const strict = await Services.open(vault, { ledger: new Ledger(vault.db) });
      const app2 = await buildServer(strict);
      await app2.listen({ port: 0, host: '127.0.0.1' });
      try {
        const url = `http://127.0.0.1:${(app2.server.address() as AddressInfo).port}`;
        const t = (
          await vault.createPrincipal(null, {
            displayName: 'c3',
            roles: ['clinician'],
            orgId: city.hospitals[0]!.orgId,
          })
        ).token;
        let clear = 0;
        for (const id of recordsA) {
          const r = await fetch(`${url}/v1/records/${id}?purpose=treatment&reveal=motherPhone`, {
            headers: { authorization: `Bearer ${t}` },
          });
          const body = await r.text();
          if (r.status !== 200) {
            refusedBodies.push(body);
            assert.equal(JSON.parse(body).code, 'ERR_GUARD_BLOCKED');
            break;
          }
          clear++;
        }
        assert.ok(clear <= DEFAULT_GUARD.velocityPerMinute && clear < recordsA.length, `${clear} clear records`);
      } finally {
        await app2.close();
      }
    });

    test('login: sessions for people, lockout, and no answer tells which accounts exist', async () => {
      const ok = await api('POST', '/v1/sessions', undefined, { login: 'dpo.li', password: 'correct horse battery' });
      assert.equal(ok.status, 201, ok.text);
      assert.equal((await api('GET', '/v1/alerts', ok.json.token)).status, 200);
      const unknown = await api('POST', '/v1/sessions', undefined, {
        login: 'nobody.here',
        password: 'whatever whatever',
      });
      const wrong = await api('POST', '/v1/sessions', undefined, { login: 'dpo.li', password: 'not the password' });
      assert.equal(unknown.status, 401);
      assert.deepEqual(unknown.json, wrong.json);
      for (let i = 0; i < 4; i++)
        await api('POST', '/v1/sessions', undefined, { login: 'dpo.li', password: 'not the password' });
      // Five failures lock the account: the right password is refused, with the same answer.
      const locked = await api('POST', '/v1/sessions', undefined, {
        login: 'dpo.li',
        password: 'correct horse battery',
      });
      assert.equal(locked.status, 401);
      assert.deepEqual(locked.json, wrong.json);
      const row = await vault.db.get<{ locked_until: string | null }>(
        "SELECT locked_until FROM principals WHERE login = 'dpo.li'",
      );
      assert.ok(row?.locked_until);
      // Ten attempts a minute from one address, whatever the account.
      const codes: number[] = [];
      for (let i = 0; i < 3; i++)
        codes.push(
          (await api('POST', '/v1/sessions', undefined, { login: 'someone.else', password: 'guess guess guess' }))
            .status,
        );
      assert.deepEqual(codes, [401, 401, 429]);
      assert.equal((await api('DELETE', '/v1/sessions', ok.json.token)).status, 204);
    });

    test(
      'roles: separation of duties, unknown principals, ' + 'and policy changes by the DPO only, in the ledger',
      async () => {
        const both = await api('POST', '/v1/principals', tokens.admin, {
          displayName: 'x',
          roles: ['auditor', 'clinician'],
          organizationId: city.hospitals[0]!.orgId,
        });
        assert.equal(both.json.code, 'ERR_ROLE_CONFLICT');
        assert.equal(
          (await api('POST', '/v1/principals', tokens.clinicianA, { displayName: 'x', roles: ['clinician'] })).status,
          403,
        );
        assert.equal((await api('GET', '/v1/records/x', 'tv_not_a_token')).status, 401);
        assert.equal((await api('GET', '/v1/records/x')).status, 401);
        // Written as people write them: aliases for fields, roles and kinds.
        const clinic = await api('POST', '/v1/organizations', tokens.admin, {
          name: '社区预防接种门诊',
          kind: 'vaccination-clinic',
        });
        assert.deepEqual([clinic.status, clinic.json.kind], [201, 'vaccination_clinic']);
        const nurse = await api('POST', '/v1/principals', tokens.admin, {
          name: 'nurse',
          role: 'Vaccination Nurse',
          organisationId: clinic.json.id,
        });
        assert.deepEqual([nurse.status, nurse.json.roles], [201, ['vaccination_nurse']]);
        const record = {
          babyName: '钱七之子',
          babySex: '男',
          birthTime: '2026-11-20T03:17:00+08:00',
          hospital: 'x',
          motherName: '钱七',
        };
        assert.equal(
          (await api('POST', '/v1/records', tokens.clinicianA, { ...record, organizationId: city.hospitals[1]!.orgId }))
            .status,
          403,
        );
        assert.equal(
          (await api('POST', '/v1/records', tokens.clinicianA, { ...record, organizationId: city.hospitals[0]!.orgId }))
            .status,
          201,
        );
        const cur = await api('GET', '/v1/policies/current', tokens.dpo);
        assert.equal(cur.status, 200);
        assert.equal(
          (await api('PUT', '/v1/policies/current', tokens.clinicianA, { text: cur.json.text })).status,
          403,
        );
        assert.equal(
          (await api('PUT', '/v1/policies/current', tokens.dpo, { text: 'permit (' })).json.code,
          'ERR_POLICY_INVALID',
        );
        const put = await api('PUT', '/v1/policies/current', tokens.dpo, { text: cur.json.text });
        assert.equal(put.json.version, cur.json.version + 1);
        const plain = await api('PUT', '/v1/policies/current', tokens.dpo, cur.json.text, {
          'content-type': 'text/plain',
        });
        assert.equal(plain.json.version, cur.json.version + 2, plain.text);
        const e = await vault.db.get<{ n: number }>(
          "SELECT COUNT(*) AS n FROM audit_events WHERE action = 'policy.change'",
        );
        assert.ok(Number(e?.n) >= 2);
      },
    );

    test('administrators hash an identifier into the ledger references of its records', async () => {
      const rec = await vault.registry.get(recordsA[5]!);
      const phone = rec.current.get('motherPhone')?.value as string;
      const r = await api('POST', '/v1/ledger/hash-identifier', tokens.admin, { kind: 'phone', value: phone });
      assert.equal(r.status, 200, r.text);
      assert.ok(r.json.recordRefs.includes(vault.registry.recordRef(recordsA[5]!)));
      assert.equal(
        (await api('POST', '/v1/ledger/hash-identifier', tokens.dpo, { kind: 'phone', value: phone })).status,
        403,
      );
    });

    test('bad input: coded errors, size limits, unknown routes; OpenAPI and docs', async () => {
      assert.equal(
        (await api('POST', '/v1/records', tokens.clinicianA, '{"babyName": bad')).json.code,
        'ERR_BAD_REQUEST',
      );
      const invalid = await api('POST', '/v1/records', tokens.clinicianA, {
        fields: {
          babyName: '张三之子',
          babySex: '男',
          birthTime: '2026-11-20T03:17:00+08:00',
          hospital: 'x',
          motherName: '李四',
          motherPhone: '15400000000',
        },
      });
      assert.equal(invalid.status, 400);
      assert.equal(invalid.json.code, 'ERR_INVALID_FIELD');
      assert.ok(!invalid.text.includes('15400000000'));
      const ok = await api('POST', '/v1/records', tokens.clinicianA, {
        recordType: 'birth',
        babyName: '王五之女',
        babySex: '女',
        birthTime: '2026-11-20T03:17:00+08:00',
        hospital: 'x',
        motherName: '王五',
        motherPhone: '13912345678',
      });
      assert.equal(ok.status, 201, ok.text);
      const batch = await api('POST', '/v1/records/batch', tokens.clinicianA, {
        records: [
          {
            babyName: '赵六之子',
            babySex: '男',
            birthTime: '2026-11-21T03:17:00+08:00',
            hospital: 'x',
            motherName: '赵六',
          },
        ],
      });
      assert.equal(batch.status, 201, batch.text);
      const patched = await api('PATCH', `/v1/records/${ok.json.id}`, tokens.clinicianA, {
        fields: { motherPhone: '13912345679' },
      });
      assert.deepEqual(patched.json.changed, ['motherPhone']);
      const big = await api(
        'POST',
        '/v1/records',
        tokens.clinicianA,
        JSON.stringify({ babyName: 'x'.repeat(2 * 1024 * 1024) }),
      );
      assert.equal(big.status, 413);
      assert.equal(big.json.code, 'ERR_PAYLOAD_TOO_LARGE');
      assert.equal((await api('GET', '/v1/nothing-here', tokens.clinicianA)).json.code, 'ERR_NOT_FOUND');
      const doc = await api('GET', '/openapi.json');
      for (const p of [
        '/v1/organizations',
        '/v1/principals',
        '/v1/records',
        '/v1/records/batch',
        '/v1/records/{id}',
        '/v1/exports',
        '/v1/exports/{id}/approve',
        '/v1/exports/{id}/file',
        '/v1/alerts',
        '/v1/stats',
        '/v1/ledger/checkpoint',
      ]) {
        assert.ok(doc.json.paths[p], p);
      }
      assert.match((await api('GET', '/docs')).text, /Tracevault API/);
    });

    test('the ledger paths are served; no entry holds a personal value', async () => {
      const { Checkpointer } = await import('../ledger/checkpointer.ts');
      const { noteKeyFromSeed, parseSignerKey } = await import('../ledger/signed-note.ts');
      const signer = parseSignerKey(noteKeyFromSeed('tracevault.test/ledger', Buffer.alloc(32, 7)).signerKey);
      await new Checkpointer(vault.db, new Ledger(vault.db), signer).tick();
      const cp = await api('GET', '/v1/ledger/checkpoint');
      assert.equal(cp.status, 200);
      assert.match(cp.text, /^tracevault\.test\/ledger\n\d+\n/);
      const receipt = await api('GET', '/v1/ledger/receipt/0');
      assert.equal(receipt.status, 200);
      assert.match(receipt.headers.get('content-type') ?? '', /^text\/plain/);
      assert.equal((await api('GET', '/v1/ledger/receipt/-1')).json.code, 'ERR_BAD_REQUEST');
      const entries = await vault.db.all<{ entry: string }>('SELECT entry FROM audit_events');
      assert.deepEqual(leaks(entries.map((e) => e.entry).join('\n'), seeded), []);
    });

    test('if the ledger cannot be written, the read fails and nothing is returned', async () => {
      const id = recordsB[3]!;
      const before = await vault.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM disclosures');
      if (backend.name === 'sqlite') {
        await vault.db.exec(
          'CREATE TRIGGER ledger_full BEFORE INSERT ON audit_events ' +
            "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END",
        );
      } else {
        await vault.db.exec(
          'CREATE OR REPLACE FUNCTION ledger_full() RETURNS trigger LANGUAGE plpgsql AS $$ ' +
            "BEGIN RAISE EXCEPTION 'could not extend file: No space left on device'; END $$",
        );
        await vault.db.exec(
          'CREATE TRIGGER ledger_full BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION ledger_full()',
        );
      }
      try {
        for (const path of [`/v1/records/${id}`, `/v1/records/${id}?purpose=treatment&reveal=motherPhone`]) {
          const r = await api('GET', path, tokens.clinicianB);
          assert.equal(r.status, 503, r.text);
          assert.equal(r.json.code, 'ERR_LEDGER_UNAVAILABLE');
          assert.equal(r.json.fields, undefined);
          assert.deepEqual(leaks(r.text, seeded), []);
        }
      } finally {
        await vault.db.exec(
          backend.name === 'sqlite' ? 'DROP TRIGGER ledger_full' : 'DROP TRIGGER ledger_full ON audit_events',
        );
      }
      if (backend.name === 'sqlite') {
        // A read-only database: the same.
        await vault.db.exec('PRAGMA query_only = ON');
        try {
          const r = await api('GET', `/v1/records/${id}?purpose=treatment&reveal=motherPhone`, tokens.clinicianB);
          assert.equal(r.status, 503);
          assert.equal(r.json.fields, undefined);
        } finally {
          await vault.db.exec('PRAGMA query_only = OFF');
        }
      }
      const afterCount = await vault.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM disclosures');
      assert.equal(Number(afterCount?.n), Number(before?.n), 'no disclosure without its ledger entry');
      assert.equal(
        (await api('GET', `/v1/records/${id}`, tokens.clinicianB)).status,
        200,
        'reads resume once the ledger can be written',
      );
    });

    test('no refused response and no log line holds a personal value', () => {
      assert.ok(refusedBodies.length > 20 && logLines.length > 50);
      assert.deepEqual(leaks(refusedBodies.join('\n'), seeded), []);
      assert.deepEqual(leaks(logLines.join('\n'), seeded), []);
      assert.ok(
        logLines.every((l) => !l.includes('?')),
        'no query string is logged',
      );
    });
  });
}
