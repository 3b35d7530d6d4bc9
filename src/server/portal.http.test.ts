/**
 * The parents' portal's way in, over real HTTP, on SQLite and on PostgreSQL (routes/portal.ts,
 * service/portal/): an invitation printed by the record's organisation, enrolment with its code and
 * a parent's phone, the one-time code read from the outbox file, a portal session that sees its own
 * child only; the same answer, the same silence and the same time for codes and phones that match
 * nothing; one-time codes that cannot be brute-forced; limits per address and per phone; portal and
 * staff tokens each refused on the other's routes; no personal value, code or number in the ledger.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { httpVault, leaks } from '../../test/helpers/http-vault.ts';
import { portalHarness } from '../../test/helpers/portal.ts';
import { ENROL_ACCEPTED, LOGIN_ACCEPTED } from '../service/portal/guardian-access.ts';

/** A valid mobile number on no record of the city (its prefix, 199, is allocated; the city's are not this). */
const nobody = (i: number) => `1990000${String(1000 + i).slice(-4)}`;

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

for (const backend of BACKENDS) {
  describe(`HTTP API on ${backend.name}: the parents' portal, getting in`, () => {
    const v = httpVault(backend);
    const { api, tokens, recordsA, recordsB, seeded } = v;
    const portal = portalHarness(v);
    before(() => portal.connect());

    test('invitation → enrol → one-time code from the outbox → session → the own child only', async () => {
      const rec = recordsA[1]!;
      const inv = await api('POST', `/v1/records/${rec}/invitations`, tokens.clinicianA);
      assert.equal(inv.status, 201, inv.text);
      assert.deepEqual(Object.keys(inv.json).sort(), ['code', 'expiresAt']);
      assert.match(inv.json.code, /^[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}$/);
      const days = (Date.parse(inv.json.expiresAt) - Date.now()) / 86_400_000;
      assert.ok(days > 29.9 && days <= 30, `${days}`);
      const { mother } = await portal.phones(rec);
      // Typed from paper: lower case, spaces instead of dashes, +86 and dashes in the number.
      const typed = inv.json.code.toLowerCase().replaceAll('-', ' ');
      const phone = `+86 ${mother!.slice(0, 3)}-${mother!.slice(3, 7)}-${mother!.slice(7)}`;
      const e = await api('POST', '/v1/portal/enrol', undefined, { code: typed, phone });
      assert.equal(e.status, 202, e.text);
      assert.deepEqual(e.json, ENROL_ACCEPTED);
      const sms = (await portal.messages()).filter((m) => m.to === mother);
      assert.equal(sms.length, 1);
      assert.deepEqual(Object.keys(sms[0]!).sort(), ['at', 'channel', 'template', 'text', 'to']);
      assert.equal(sms[0]!.channel, 'sms');
      assert.equal(sms[0]!.template, 'portal.otp');
      // No personal value but the recipient's own number, and that only in `to`.
      assert.deepEqual(leaks(sms[0]!.text, seeded), []);
      const otp = await portal.otpFor(mother!);
      const s = await api('POST', '/v1/portal/sessions', undefined, { phone: mother, otp });
      assert.equal(s.status, 201, s.text);
      assert.match(s.json.token, /^tvp_/);
      const me = await api('GET', '/v1/portal/me', s.json.token);
      assert.equal(me.status, 200, me.text);
      assert.deepEqual(
        me.json.children.map((c: { id: string; relation: string }) => [c.id, c.relation]),
        [[rec, 'mother']],
      );
      // The code was spent.
      const again = await api('POST', '/v1/portal/sessions', undefined, { phone: mother, otp });
      assert.equal(again.status, 401);
      // The ledger: the invitation, the enrolment and the login, each naming the record by its keyed reference.
      const { vault, services } = v.opened();
      const ref = services.gate.ref(rec);
      const rows = await vault.db.all<{ action: string; record_ref: string | null; entry: string }>(
        "SELECT action, record_ref, entry FROM audit_events WHERE action IN ('invitation.issue', 'guardian.enrol') " +
          'ORDER BY seq',
      );
      assert.deepEqual(
        rows.map((r) => [r.action, r.record_ref]),
        [
          ['invitation.issue', ref],
          ['guardian.enrol', ref],
        ],
      );
      const all = (await vault.db.all<{ entry: string }>('SELECT entry FROM audit_events')).map((r) => r.entry);
      const text = all.join('\n');
      for (const secret of [inv.json.code, inv.json.code.replaceAll('-', ''), otp, mother!, s.json.token]) {
        assert.ok(!text.includes(secret), 'no code, number or token in the ledger');
      }
      assert.deepEqual(leaks(text, seeded), []);
    });

    test('invitations come from the record’s organisation only', async () => {
      const rec = recordsA[2]!;
      assert.equal((await api('POST', `/v1/records/${rec}/invitations`, tokens.clerkA)).status, 201);
      // Another hospital, an auditor, the statistician: the record is not found for them.
      for (const who of ['clinicianB', 'auditor', 'statistician', 'admin']) {
        const r = await api('POST', `/v1/records/${rec}/invitations`, tokens[who]);
        assert.equal(r.status, 404, who);
      }
      assert.equal((await api('POST', '/v1/records/r_nosuchrecord/invitations', tokens.clinicianA)).status, 404);
      assert.equal((await api('POST', `/v1/records/${rec}/invitations`)).status, 401);
    });

    test('a wrong code, a phone not on the record, another family’s phone: the same 202, no message', async () => {
      const rec = recordsA[3]!;
      const code = await portal.invite(rec);
      const { mother } = await portal.phones(rec);
      const other = (await portal.phones(recordsB[0]!)).mother!;
      const before = (await portal.messages()).length;
      const tries = [
        { code: 'ABCD-EFGH-JKLM-NPQR', phone: mother! },
        { code: 'not even a code', phone: mother! },
        { code, phone: nobody(1) },
        { code, phone: other },
        { code, phone: 'not a phone' },
      ];
      for (const body of tries) {
        const r = await api('POST', '/v1/portal/enrol', undefined, body);
        assert.equal(r.status, 202, r.text);
        assert.deepEqual(r.json, ENROL_ACCEPTED);
      }
      assert.equal((await portal.messages()).length, before, 'no message went out');
      // A body that is not an enrolment is a 400 naming the field, never the value.
      const bad = await api('POST', '/v1/portal/enrol', undefined, { code, phone: mother, extra: 1 });
      assert.equal(bad.status, 400);
      assert.deepEqual(
        [bad.json.code, bad.json.details.field, bad.json.details.in],
        ['ERR_BAD_REQUEST', 'extra', 'body'],
      );
    });

    test('the father’s phone enrols too; later logins by phone; unknown phones: the same 202, nothing', async () => {
      let rec: string | undefined;
      for (const id of recordsA.slice(4)) if ((await portal.phones(id)).father) rec = rec ?? id;
      assert.ok(rec, 'a record with a father’s phone');
      const code = await portal.invite(rec);
      const { father } = await portal.phones(rec);
      assert.equal((await api('POST', '/v1/portal/enrol', undefined, { code, phone: father })).status, 202);
      const s1 = await api('POST', '/v1/portal/sessions', undefined, {
        phone: father,
        otp: await portal.otpFor(father!),
      });
      assert.equal(s1.status, 201, s1.text);
      const me = await api('GET', '/v1/portal/me', s1.json.token);
      assert.deepEqual(
        me.json.children.map((c: { relation: string }) => c.relation),
        ['father'],
      );
      // Log out: the token is dead.
      assert.equal((await api('DELETE', '/v1/portal/sessions', s1.json.token)).status, 204);
      assert.equal((await api('GET', '/v1/portal/me', s1.json.token)).status, 401);

      const before = (await portal.messages()).length;
      const unknown = await api('POST', '/v1/portal/login', undefined, { phone: nobody(2) });
      assert.equal(unknown.status, 202);
      assert.deepEqual(unknown.json, LOGIN_ACCEPTED);
      assert.equal((await portal.messages()).length, before);
      const known = await api('POST', '/v1/portal/login', undefined, { phone: father });
      assert.equal(known.status, 202);
      assert.equal(known.text, unknown.text);
      const s2 = await api('POST', '/v1/portal/sessions', undefined, {
        phone: father,
        otp: await portal.otpFor(father!),
      });
      assert.equal(s2.status, 201, s2.text);
      assert.equal((await api('GET', '/v1/portal/me', s2.json.token)).json.children[0].id, rec);
    });

    test('one-time codes cannot be brute-forced: five wrong tries kill the code', async () => {
      const rec = recordsA[20]!;
      const code = await portal.invite(rec);
      const { mother } = await portal.phones(rec);
      await api('POST', '/v1/portal/enrol', undefined, { code, phone: mother });
      const otp = await portal.otpFor(mother!);
      const wrong = String((Number(otp) + 1) % 1_000_000).padStart(6, '0');
      const bodies = new Set<string>();
      for (let i = 0; i < 5; i++) {
        const r = await api('POST', '/v1/portal/sessions', undefined, { phone: mother, otp: wrong });
        assert.equal(r.status, 401);
        bodies.add(r.text);
      }
      // The right code, now: dead.
      const late = await api('POST', '/v1/portal/sessions', undefined, { phone: mother, otp });
      assert.equal(late.status, 401);
      bodies.add(late.text);
      // An unknown phone gets the very same answer.
      bodies.add((await api('POST', '/v1/portal/sessions', undefined, { phone: nobody(3), otp })).text);
      assert.equal(bodies.size, 1, [...bodies].join('\n'));
      assert.equal(JSON.parse([...bodies][0]!).code, 'ERR_UNAUTHENTICATED');
      // A new code works again (the phone is not locked after five).
      await api('POST', '/v1/portal/enrol', undefined, { code, phone: mother });
      const fresh = await portal.otpFor(mother!);
      assert.notEqual(fresh, otp);
      assert.equal((await api('POST', '/v1/portal/sessions', undefined, { phone: mother, otp: fresh })).status, 201);
      const failed = await v
        .opened()
        .vault.db.all<{ entry: string }>("SELECT entry FROM audit_events WHERE action = 'guardian.login.failed'");
      assert.ok(failed.length >= 7);
      assert.ok(failed.every((f) => JSON.parse(f.entry).principalId === 'unauthenticated'));
    });

    test('portal tokens are refused on staff routes, staff tokens on portal routes', async () => {
      const rec = recordsA[30]!;
      const { token } = await portal.enrolled(rec);
      for (const [method, path] of [
        ['GET', `/v1/records/${rec}`],
        ['GET', '/v1/alerts'],
        ['POST', `/v1/records/${rec}/invitations`],
        ['GET', '/v1/stats?groupBy=hospital'],
      ] as const) {
        const r = await api(method, path, token);
        assert.equal(r.status, 401, `${method} ${path}`);
        assert.equal(r.json.code, 'ERR_UNAUTHENTICATED');
      }
      const call = await api('POST', '/v1/calls', token, { recordId: rec, purpose: 'vaccination' });
      assert.equal(call.status, 401);
      for (const staff of ['clinicianA', 'admin', 'dpo']) {
        assert.equal((await api('GET', '/v1/portal/me', tokens[staff])).status, 401, staff);
        assert.equal((await api('GET', '/v1/portal/calls', tokens[staff])).status, 401, staff);
      }
      assert.equal((await api('GET', '/v1/portal/me')).status, 401);
    });

    test('enrolment takes the same time for a registered and an unregistered phone', async (t) => {
      const records = recordsA.slice(40, 48);
      const codes = await Promise.all(records.map((r) => portal.invite(r)));
      const phones = await Promise.all(records.map(async (r) => (await portal.phones(r)).mother!));
      const time = async (body: object) => {
        const t = performance.now();
        const r = await api('POST', '/v1/portal/enrol', undefined, body);
        assert.equal(r.status, 202);
        assert.deepEqual(r.json, ENROL_ACCEPTED);
        return performance.now() - t;
      };
      const registered: number[] = [];
      const unregistered: number[] = [];
      for (let i = 0; i < records.length; i++) {
        // Alternated, so that drift in the machine's load falls on both alike.
        registered.push(await time({ code: codes[i], phone: phones[i] }));
        unregistered.push(await time({ code: codes[i], phone: nobody(10 + i) }));
      }
      const [a, b] = [median(registered), median(unregistered)];
      t.diagnostic(`enrol medians: registered ${a.toFixed(1)} ms, unregistered ${b.toFixed(1)} ms`);
      assert.ok(a >= 199 && b >= 199, `the floor holds: ${a} / ${b}`);
      assert.ok(Math.abs(a - b) < 25, `medians ${a.toFixed(1)} ms and ${b.toFixed(1)} ms`);
      assert.equal((await portal.messages()).filter((m) => phones.includes(m.to)).length, records.length);
    });

    test('at most five codes an hour go to one phone; the answer stays the same', async () => {
      const rec = recordsA[60]!;
      const code = await portal.invite(rec);
      const { mother } = await portal.phones(rec);
      for (let i = 0; i < 7; i++) {
        const r = await api('POST', '/v1/portal/enrol', undefined, { code, phone: mother });
        assert.equal(r.status, 202);
        assert.deepEqual(r.json, ENROL_ACCEPTED);
      }
      assert.equal((await portal.messages()).filter((m) => m.to === mother).length, 5);
    });

    test('the routes are in /openapi.json, each with its token scheme', async () => {
      const doc = (await api('GET', '/openapi.json')).json;
      assert.ok(doc.components.securitySchemes.portal);
      for (const path of ['/v1/portal/enrol', '/v1/portal/login', '/v1/portal/sessions']) {
        assert.deepEqual(doc.paths[path].post.security, [], path);
        assert.ok(doc.paths[path].post.requestBody, path);
      }
      assert.ok(doc.paths['/v1/portal/enrol'].post.responses['202']);
      for (const [path, method] of [
        ['/v1/portal/me', 'get'],
        ['/v1/portal/calls', 'get'],
        ['/v1/portal/calls/verify', 'post'],
        ['/v1/portal/sessions', 'delete'],
      ]) {
        assert.deepEqual(doc.paths[path!][method!].security, [{ portal: [] }], path);
      }
      // Staff routes: the document's default, the staff bearer scheme.
      assert.equal(doc.paths['/v1/records/{id}/invitations'].post.security, undefined);
      assert.ok(doc.paths['/v1/records/{id}/invitations'].post.responses['201']);
      assert.ok(doc.paths['/v1/calls'].post.requestBody);
    });

    test('over twenty requests an hour about one phone: 429, for a known phone as for an unknown one', async () => {
      const { mother } = await portal.phones(recordsA[4]!);
      const known = (await portal.enrolled(recordsA[4]!)).phone;
      assert.equal(known, mother);
      for (const phone of [known, nobody(50)]) {
        const answers = [];
        for (let i = 0; i < 21; i++) answers.push(await api('POST', '/v1/portal/login', undefined, { phone }));
        // The enrolment above counted once for the known phone.
        const ok = phone === known ? 19 : 20;
        assert.deepEqual(
          answers.map((r) => r.status),
          [...Array(ok).fill(202), ...Array(21 - ok).fill(429)],
          phone === known ? 'known' : 'unknown',
        );
        assert.equal(answers.at(-1)!.json.code, 'ERR_RATE_LIMITED');
      }
    });

    test('too many requests from one address: 429, whatever the phone', async () => {
      const answers = await Promise.all(
        Array.from({ length: 70 }, (_, i) => api('POST', '/v1/portal/login', undefined, { phone: nobody(100 + i) })),
      );
      const limited = answers.filter((r) => r.status === 429);
      assert.ok(limited.length >= 10, `${limited.length} refused`);
      assert.ok(answers.filter((r) => r.status === 202).length <= 60);
      assert.ok(limited.every((r) => r.json.code === 'ERR_RATE_LIMITED'));
    });
  });
}
