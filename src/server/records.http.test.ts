/**
 * The HTTP API's records end to end, over real HTTP, on SQLite and on PostgreSQL (routes/records.ts):
 * masked reads and reveals with a purpose, isolation between hospitals, a partner's reads under the
 * guardian's consent, bad input, and fail-closed reads when the ledger cannot be written. Every
 * response read is scanned for the seeded personal values.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { httpVault, leaks } from '../../test/helpers/http-vault.ts';
import type { Vault } from '../store/vault.ts';
import type { LoadResult } from '../sim/load.ts';
import { TardosCode } from '../disclose/tardos.ts';
import { API_MARKED_KINDS, markRow, PRINCIPAL_SCHEME, REVEAL_KEY_LABEL } from '../disclose/marks.ts';
import { BIRTH } from '../schema/record-type.ts';

for (const backend of BACKENDS) {
  describe(`HTTP API on ${backend.name}: records`, () => {
    const http = httpVault(backend);
    const { api, tokens, seeded, recordsA, recordsB } = http;
    let vault: Vault, city: LoadResult;
    before(() => ({ vault, city } = http.opened()));

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

    test('a HEAD with reveal is refused before anything is disclosed; a masked HEAD answers', async () => {
      const id = recordsA[7]!;
      const reveal = `/v1/records/${id}?purpose=treatment&reveal=motherPhone`;
      const count = async (sql: string) => Number((await vault.db.get<{ n: number }>(sql))?.n);
      const disclosures = 'SELECT COUNT(*) AS n FROM disclosures';
      const entries = 'SELECT COUNT(*) AS n FROM audit_events';
      const [d0, e0] = [await count(disclosures), await count(entries)];
      // Fastify answers HEAD for every GET, with the GET's handler; the body is dropped, the disclosure was not.
      const head = await api('HEAD', reveal, tokens.clinicianA);
      assert.equal(head.status, 400);
      assert.equal(head.text, '');
      assert.deepEqual([await count(disclosures), await count(entries)], [d0, e0]);
      const masked = await api('HEAD', `/v1/records/${id}`, tokens.clinicianA);
      assert.equal(masked.status, 200);
      assert.equal(await count(disclosures), d0);
      // The same reveal by GET is a disclosure, and its ledger entry.
      const get = await api('GET', reveal, tokens.clinicianA);
      assert.equal(get.status, 200, get.text);
      assert.equal(await count(disclosures), d0 + 1);
    });

    test(
      "a partner reads a record only with the guardian's consent, recorded by the record's hospital " +
        'and withdrawn at once',
      async () => {
        const id = recordsA[5]!;
        const org = await api('POST', '/v1/organizations', tokens.admin, { name: '宝贝影像工作室', kind: 'partner' });
        assert.equal(org.status, 201, org.text);
        const partner = await http.principal({
          displayName: 'studio',
          roles: ['partner'],
          organizationId: org.json.id,
        });
        const studio = partner.token;
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
          motherPhone: '14400000000',
        },
      });
      assert.equal(invalid.status, 400);
      assert.equal(invalid.json.code, 'ERR_INVALID_FIELD');
      assert.ok(!invalid.text.includes('14400000000'));
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
      // The version history: both phones, masked, oldest first, each naming its recorder; a read in
      // the ledger; outside the caller's reach, not found.
      const hist = await api('GET', `/v1/records/${ok.json.id}/versions`, tokens.clinicianA);
      assert.equal(hist.status, 200, hist.text);
      const phones = hist.json.versions.filter((v: { field: string }) => v.field === 'motherPhone');
      assert.deepEqual(
        phones.map((v: { value: string; validTo: string | null }) => [v.value, v.validTo === null]),
        [
          ['139****5678', false],
          ['139****5679', true],
        ],
      );
      assert.ok(!hist.text.includes('13912345678') && !hist.text.includes('王五'), hist.text);
      assert.ok(hist.json.people[phones[1].recordedBy].displayName);
      assert.equal((await api('GET', `/v1/records/${ok.json.id}/versions`, tokens.clinicianB)).status, 404);
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
  });
}
