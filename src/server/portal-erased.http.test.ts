/**
 * A child whose record was erased, in the parents' portal, over real HTTP on SQLite and PostgreSQL
 * (issue 21, part 2: the family sees every event, erasure included). After a DPO accepts an erasure
 * request (its key destroyed): the child stays in each guardian's list marked `erased` with no label
 * values; its record answers `404 ERR_ERASED`; its whole history, with proofs, still verifies and
 * ends with the `erased` entry; a receipt still verifies offline; requests, consents, the copy and
 * reports refuse it with ERR_ERASED, the same for mother and father; another family still gets
 * ERR_NOT_FOUND for it, as for an id that does not exist; and a guardian can still log in.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { httpVault, leaks, type Json } from '../../test/helpers/http-vault.ts';
import { portalHarness } from '../../test/helpers/portal.ts';
import { Checkpointer } from '../ledger/checkpointer.ts';
import { openCheckpoint } from '../ledger/checkpoint.ts';
import { Ledger } from '../ledger/log.ts';
import { leafHash, verifyInclusion } from '../ledger/merkle.ts';
import { verifyReceipt } from '../ledger/receipt.ts';
import { noteKeyFromSeed, parseSignerKey, parseVerifierKey } from '../ledger/signed-note.ts';

const ORIGIN = 'tracevault.test/portal-erased';
const key = noteKeyFromSeed(ORIGIN, Buffer.alloc(32, 7));
const signer = parseSignerKey(key.signerKey),
  verifier = parseVerifierKey(key.verifierKey);

for (const backend of BACKENDS) {
  describe(`HTTP API on ${backend.name}: the parents' portal, an erased child`, () => {
    const v = httpVault(backend);
    const { api, tokens, recordsA, seeded } = v;
    const portal = portalHarness(v);
    let child: string, other: string;
    let mother: string, father: string, otherGuardian: string, motherPhone: string;
    const checkpoint = async () => {
      const { vault } = v.opened();
      await new Checkpointer(vault.db, new Ledger(vault.db), signer, { intervalMs: 0 }).tick();
    };

    before(async () => {
      portal.connect();
      [child, other] = [recordsA[30]!, recordsA[31]!];
      const m = await portal.enrolled(child);
      [mother, motherPhone] = [m.token, m.phone];
      otherGuardian = (await portal.enrolled(other)).token;
      // The father enrols too, with a code of his own.
      const phone = (await portal.phones(child)).father!;
      const code = await portal.invite(child);
      assert.equal((await api('POST', '/v1/portal/enrol', undefined, { code, phone })).status, 202);
      const s = await api('POST', '/v1/portal/sessions', undefined, { phone, otp: await portal.otpFor(phone) });
      assert.equal(s.status, 201, s.text);
      father = s.json.token;
      assert.equal((await api('GET', `/v1/records/${child}`, tokens.clinicianA)).status, 200);
      assert.equal((await api('GET', `/v1/portal/children/${child}`, mother)).status, 200);
      const asked = await api('POST', '/v1/portal/requests', mother, { childId: child, kind: 'erasure' });
      assert.equal(asked.status, 201, asked.text);
      const ok = await api('POST', `/v1/requests/${asked.json.id}/decide`, tokens.dpo, { decision: 'accept' });
      assert.equal(ok.status, 200, ok.text);
      await checkpoint();
    });

    test('the erased child stays in each guardian’s list, marked, with no label values', async () => {
      for (const g of [mother, father]) {
        const r = await api('GET', '/v1/portal/children', g);
        assert.equal(r.status, 200, r.text);
        const [c] = r.json.children;
        assert.equal(c.id, child);
        assert.equal(c.erased, true);
        assert.match(c.erasedAt, /^\d{4}-\d{2}-\d{2}T/);
        assert.deepEqual(c.label, { name: null, birthDate: null, hospital: null });
        assert.deepEqual(leaks(r.text, seeded), []);
      }
      const o = (await api('GET', '/v1/portal/children', otherGuardian)).json.children;
      assert.deepEqual(
        o.map((x: Json) => [x.id, x.erased, x.erasedAt]),
        [[other, false, null]],
      );
    });

    test('its record is a coded refusal, ERR_ERASED; another family’s guardian gets ERR_NOT_FOUND', async () => {
      for (const g of [mother, father]) {
        const r = await api('GET', `/v1/portal/children/${child}`, g);
        assert.equal(r.status, 404, r.text);
        assert.equal(r.json.code, 'ERR_ERASED');
        assert.deepEqual(leaks(r.text, seeded), []);
      }
      const theirs = await api('GET', `/v1/portal/children/${child}`, otherGuardian);
      const none = await api('GET', '/v1/portal/children/r_doesnotexist', otherGuardian);
      assert.equal(theirs.json.code, 'ERR_NOT_FOUND');
      assert.equal(theirs.status, none.status);
      assert.equal(theirs.json.code, none.json.code);
    });

    test('the whole history still verifies against the checkpoint and ends with the erasure', async () => {
      await api('GET', `/v1/portal/children/${child}`, mother); // a refusal names no record
      await checkpoint();
      const h = await api('GET', `/v1/portal/children/${child}/accesses`, father);
      assert.equal(h.status, 200, h.text);
      const cp = openCheckpoint(h.json.checkpoint, verifier).checkpoint;
      const entries = h.json.entries as Json[];
      // Newest first: the erasure is the last event, but for the DPO's decision that ordered it.
      const at = entries.findIndex((e) => e.kind === 'erased');
      assert.ok(at >= 0, 'an erased entry');
      assert.deepEqual(
        entries.slice(0, at).map((e) => e.kind),
        Array(at).fill('request_decided'),
      );
      const erased = entries[at]!;
      assert.equal(erased.who.role, 'dpo');
      const kinds = new Set(entries.map((e) => e.kind));
      for (const k of ['collected', 'read', 'invitation', 'enrolled', 'portal_read', 'request_made', 'erased'])
        assert.ok(kinds.has(k), k);
      for (const e of entries) {
        const leaf = Buffer.from(e.leaf, 'base64');
        const proof = (e.proof as string[]).map((p) => Buffer.from(p, 'base64'));
        assert.ok(verifyInclusion(e.index, cp.size, leafHash(leaf), proof, cp.root), `entry ${e.index}`);
      }
      const r = await api('GET', `/v1/portal/children/${child}/accesses/${erased.index}/receipt`, mother);
      assert.equal(r.status, 200, r.text);
      const check = verifyReceipt(r.text, verifier);
      assert.equal(check.valid, true);
      assert.equal(check.index, erased.index);
      const theirs = await api('GET', `/v1/portal/children/${child}/accesses`, otherGuardian);
      assert.equal(theirs.status, 404);
      assert.equal(theirs.json.code, 'ERR_NOT_FOUND');
    });

    test('requests, consents, the copy and reports refuse it alike: ERR_ERASED, for mother and father', async () => {
      const paths = (g: string) => [
        api('POST', '/v1/portal/requests', g, { childId: child, kind: 'copy' }),
        api('GET', `/v1/portal/children/${child}/copy`, g),
        api('GET', `/v1/portal/children/${child}/consents`, g),
        api('POST', '/v1/portal/reports', g, {
          at: new Date(Date.now() - 3600_000).toISOString(),
          childId: child,
          claimedToBe: '妇幼保健院摄影师',
          knew: ['babyName'],
        }),
      ];
      const answers = [];
      for (const g of [mother, father]) {
        const got = [];
        for (const r of await Promise.all(paths(g))) {
          assert.equal(r.status, 404, r.text);
          got.push({ status: r.status, code: r.json.code, message: r.json.message });
        }
        answers.push(got);
      }
      assert.deepEqual(answers[0], answers[1]);
      for (const a of answers[0]!) assert.equal(a.code, 'ERR_ERASED');
      // Another family's guardian: not found, as for an id that does not exist.
      for (const r of await Promise.all(paths(otherGuardian))) assert.equal(r.json.code, 'ERR_NOT_FOUND', r.text);
      // The request asked before the erasure is still listed, answered.
      const listed = (await api('GET', '/v1/portal/requests', mother)).json.requests;
      assert.ok(listed.some((x: Json) => x.kind === 'erasure' && x.status === 'accepted'));
    });

    test('a guardian whose only child was erased can still log in to see it', async () => {
      assert.equal((await api('POST', '/v1/portal/login', undefined, { phone: motherPhone })).status, 202);
      const s = await api('POST', '/v1/portal/sessions', undefined, {
        phone: motherPhone,
        otp: await portal.otpFor(motherPhone),
      });
      assert.equal(s.status, 201, s.text);
      const r = await api('GET', '/v1/portal/children', s.json.token);
      assert.equal(r.json.children[0].erased, true);
    });
  });
}
