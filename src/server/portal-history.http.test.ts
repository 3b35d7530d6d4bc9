/**
 * A guardian's children and their access history over real HTTP, on SQLite and on PostgreSQL
 * (routes/portal-children.ts, service/portal/history.ts): the children list (own only, masked), the
 * record as the portal shows it (a read that shows in the history), every event on the record with
 * its ledger index and an inclusion proof that verifies against the signed checkpoint, an export and
 * a reveal among them, the staff member's name only once the organisation publishes it, a receipt
 * that verifies offline, and another family's child answered exactly as an id that does not exist.
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

const ORIGIN = 'tracevault.test/portal-history';
const key = noteKeyFromSeed(ORIGIN, Buffer.alloc(32, 5));
const signer = parseSignerKey(key.signerKey),
  verifier = parseVerifierKey(key.verifierKey);

/** A refusal's body without its request id: what must not differ between two refusals. */
const refusal = (r: { status: number; json: Json }) => {
  const { requestId: _r, ...rest } = (r.json ?? {}) as Record<string, unknown>;
  return { status: r.status, ...rest };
};

for (const backend of BACKENDS) {
  describe(`HTTP API on ${backend.name}: the parents' portal, access history with proofs`, () => {
    const v = httpVault(backend);
    const { api, tokens, recordsA, seeded } = v;
    const portal = portalHarness(v);
    let child: string, other: string;
    let guardian: string, otherGuardian: string;
    const checkpoint = async () => {
      const { vault } = v.opened();
      await new Checkpointer(vault.db, new Ledger(vault.db), signer, { intervalMs: 0 }).tick();
    };

    before(async () => {
      portal.connect();
      [child, other] = [recordsA[20]!, recordsA[21]!];
      guardian = (await portal.enrolled(child)).token;
      otherGuardian = (await portal.enrolled(other)).token;
      // Staff at work on the child's record: a masked read, a reveal for treatment, a change.
      assert.equal((await api('GET', `/v1/records/${child}`, tokens.clinicianA)).status, 200);
      const reveal = await api('GET', `/v1/records/${child}?purpose=treatment&reveal=motherPhone`, tokens.clinicianA);
      assert.equal(reveal.status, 200, reveal.text);
      const ward = await api('PATCH', `/v1/records/${child}`, tokens.clinicianA, { ward: '新生儿科2病区' });
      assert.equal(ward.status, 200, ward.text);
      // An export of hospital A's births, the child's among them.
      const req = await api('POST', '/v1/exports', tokens.clerkA, {
        purpose: 'birth_registration',
        fields: ['babyName', 'birthTime'],
        format: 'csv',
      });
      assert.equal(req.status, 201, req.text);
      assert.equal((await api('POST', `/v1/exports/${req.json.id}/approve`, tokens.dpo)).status, 200);
      assert.equal((await api('GET', `/v1/exports/${req.json.id}/file`, tokens.clerkA)).status, 200);
    });

    test('the children list holds the session’s own child only, recognisable but masked', async () => {
      const r = await api('GET', '/v1/portal/children', guardian);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.children.length, 1);
      const [c] = r.json.children;
      assert.equal(c.id, child);
      assert.equal(c.relation, 'mother');
      assert.match(c.label.name, /\*/);
      assert.match(c.label.birthDate, /^\d{4}-\d{2}-\d{2}$/);
      assert.ok(c.label.hospital);
      assert.deepEqual(leaks(r.text, seeded), []);
      const o = await api('GET', '/v1/portal/children', otherGuardian);
      assert.deepEqual(
        o.json.children.map((x: Json) => x.id),
        [other],
      );
    });

    test('the record as the portal shows it is masked, and reading it shows in the history', async () => {
      const r = await api('GET', `/v1/portal/children/${child}`, guardian);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.id, child);
      assert.match(r.json.fields.motherPhone, /^\d{3}\*{4}\d{4}$/);
      assert.match(r.json.fields.babyName, /\*/);
      assert.deepEqual(leaks(r.text, seeded), []);
      const h = await api('GET', `/v1/portal/children/${child}/accesses`, guardian);
      const mine = h.json.entries.filter((e: Json) => e.kind === 'portal_read');
      assert.ok(mine.length >= 2, 'the list and the record read are both there');
      assert.ok(mine.every((e: Json) => e.who.you && e.who.role === 'guardian' && e.who.organization === null));
    });

    test('every event is there with who, what, why, and an inclusion proof to the signed checkpoint', async () => {
      await checkpoint();
      const r = await api('GET', `/v1/portal/children/${child}/accesses`, guardian);
      assert.equal(r.status, 200, r.text);
      const h = r.json;
      assert.equal(h.childId, child);
      assert.equal(h.truncated, false);
      const cp = openCheckpoint(h.checkpoint, verifier).checkpoint;
      assert.equal(cp.size, h.size);
      const kinds = new Set(h.entries.map((e: Json) => e.kind));
      for (const k of ['collected', 'read', 'revealed', 'changed', 'exported', 'invitation', 'enrolled', 'portal_read'])
        assert.ok(kinds.has(k), k);
      // Newest first, each with a proof that verifies, its leaf about this record and no personal value.
      const indices = h.entries.map((e: Json) => e.index);
      assert.deepEqual(
        indices,
        [...indices].sort((a, b) => b - a),
      );
      for (const e of h.entries) {
        assert.ok(e.proof, `entry ${e.index} is covered by the checkpoint`);
        const leaf = Buffer.from(e.leaf, 'base64');
        const proof = e.proof.map((p: string) => Buffer.from(p, 'base64'));
        assert.ok(verifyInclusion(e.index, cp.size, leafHash(leaf), proof, cp.root), `entry ${e.index}`);
        assert.deepEqual(leaks(leaf.toString('utf8'), seeded), []);
        const lines = leaf.toString('utf8').split('\n');
        assert.equal(lines[2], e.at);
        assert.equal(JSON.parse(lines.at(-1)!).action, e.action);
      }
      const reveal = h.entries.find((e: Json) => e.kind === 'revealed');
      assert.deepEqual(reveal.fields, ['motherPhone']);
      assert.equal(reveal.purpose, 'treatment');
      assert.match(reveal.legalBasis, /PIPL art\. 13/);
      assert.equal(reveal.who.kind, 'staff');
      assert.equal(reveal.who.role, 'clinician');
      assert.equal(reveal.who.organization, v.opened().city.hospitals[0]!.name);
      assert.equal(reveal.who.staffName, null, 'no name unless the organisation publishes it');
      const exported = h.entries.find((e: Json) => e.kind === 'exported');
      assert.deepEqual(exported.fields, ['babyName', 'birthTime']);
      assert.equal(exported.who.role, 'records_clerk');
      // The export's entry lists no record: the rows it covered are indexed beside the ledger.
      assert.ok(!Buffer.from(exported.leaf, 'base64').toString('utf8').includes('covers'));
      assert.deepEqual(leaks(r.text, seeded), []);
      // The other family's history holds none of this child's reveal or change.
      const o = await api('GET', `/v1/portal/children/${other}/accesses`, otherGuardian);
      assert.equal(o.status, 200);
      const theirs = new Set(o.json.entries.map((e: Json) => e.index));
      assert.ok(!theirs.has(reveal.index));
    });

    test('the staff member’s name shows once the organisation’s policy publishes it', async () => {
      const org = v.opened().city.hospitals[0]!.orgId;
      const path = `/v1/organizations/${org}/publication`;
      assert.equal((await api('PUT', path, tokens.clerkA, { staffNames: true })).status, 403);
      assert.equal((await api('PUT', path, guardian, { staffNames: true })).status, 401);
      assert.equal(
        (await api('PUT', '/v1/organizations/o_nowhere/publication', tokens.dpo, { staffNames: true })).status,
        404,
      );
      const before = (await api('GET', `/v1/portal/children/${child}/accesses`, guardian)).json;
      assert.equal(before.entries.find((e: Json) => e.kind === 'revealed').who.staffName, null);
      const set = await api('PUT', path, tokens.dpo, { staffNames: true });
      assert.equal(set.status, 200, set.text);
      assert.deepEqual(set.json, { organizationId: org, staffNames: true });
      const h = (await api('GET', `/v1/portal/children/${child}/accesses`, guardian)).json;
      assert.equal(h.entries.find((e: Json) => e.kind === 'revealed').who.staffName, 'clinicianA');
      assert.equal((await api('PUT', path, tokens.dpo, { staffNames: false })).status, 200);
      const after = (await api('GET', `/v1/portal/children/${child}/accesses`, guardian)).json;
      assert.equal(after.entries.find((e: Json) => e.kind === 'revealed').who.staffName, null);
    });

    test('a receipt for an entry of the child verifies offline; one of another child’s is not found', async () => {
      await checkpoint();
      const h = (await api('GET', `/v1/portal/children/${child}/accesses`, guardian)).json;
      const reveal = h.entries.find((e: Json) => e.kind === 'revealed');
      const r = await api('GET', `/v1/portal/children/${child}/accesses/${reveal.index}/receipt`, guardian);
      assert.equal(r.status, 200, r.text);
      assert.match(r.headers.get('content-disposition') ?? '', /attachment; filename="tracevault-receipt-\d+\.txt"/);
      const check = verifyReceipt(r.text, verifier);
      assert.equal(check.valid, true);
      assert.equal(check.index, reveal.index);
      assert.equal(check.entry, Buffer.from(reveal.leaf, 'base64').toString('utf8'));
      const theirs = (await api('GET', `/v1/portal/children/${other}/accesses`, otherGuardian)).json.entries;
      const notOurs = theirs.find((e: Json) => !h.entries.some((m: Json) => m.index === e.index));
      const cross = await api('GET', `/v1/portal/children/${child}/accesses/${notOurs.index}/receipt`, guardian);
      assert.equal(cross.status, 404);
      for (const bad of ['-1', 'x', '99999999', '1e3'])
        assert.equal((await api('GET', `/v1/portal/children/${child}/accesses/${bad}/receipt`, guardian)).status, 404);
    });

    test('a consent given, a partner’s read and the consent withdrawn are in the history', async () => {
      const org = await api('POST', '/v1/organizations', tokens.admin, { name: '宝贝影像工作室', kind: 'partner' });
      assert.equal(org.status, 201, org.text);
      const studio = (await v.principal({ displayName: 'studio', roles: ['partner'], organizationId: org.json.id }))
        .token;
      const consents = `/v1/records/${child}/consents`;
      assert.equal((await api('POST', consents, tokens.clerkA, { organizationId: org.json.id })).status, 201);
      const read = await api('GET', `/v1/records/${child}?purpose=partner_contact&reveal=motherPhone`, studio);
      assert.equal(read.status, 200, read.text);
      const withdraw = await api('DELETE', `${consents}/${org.json.id}?purpose=partner_contact`, tokens.clerkA);
      assert.equal(withdraw.status, 204, withdraw.text);
      assert.equal((await api('GET', `/v1/records/${child}?purpose=partner_contact`, studio)).status, 404);
      await checkpoint();
      const h = (await api('GET', `/v1/portal/children/${child}/accesses`, guardian)).json;
      const [refused, partner] = h.entries.filter((e: Json) => e.kind === 'partner');
      assert.equal(refused.outcome, 'denied', 'the read after the withdrawal, refused');
      assert.equal(partner.outcome, 'ok');
      assert.deepEqual(partner.fields, ['motherPhone']);
      assert.equal(partner.purpose, 'partner_contact');
      assert.deepEqual(
        [partner.who.organization, partner.who.organizationKind, partner.who.role],
        ['宝贝影像工作室', 'partner', 'partner'],
      );
      const kinds = h.entries.map((e: Json) => e.kind);
      assert.ok(kinds.indexOf('consent_withdrawn') < h.entries.indexOf(partner), 'newest first');
      assert.ok(kinds.includes('consent_given'));
      assert.ok(
        h.entries.every((e: Json) => e.proof),
        'all covered by the checkpoint',
      );
    });

    test('a copy the family took of the record is in its history, as the family’s own', async () => {
      const copy = await api('GET', `/v1/portal/children/${child}/copy?format=json`, guardian);
      assert.equal(copy.status, 200, copy.text);
      const h = (await api('GET', `/v1/portal/children/${child}/accesses`, guardian)).json;
      const copied = h.entries.find((e: Json) => e.kind === 'copied');
      assert.ok(copied, 'the copy is an entry about the record');
      assert.deepEqual([copied.who.kind, copied.who.you, copied.who.organization], ['guardian', true, null]);
    });

    test('the next page: `before` an index gives the older entries only', async () => {
      const all = (await api('GET', `/v1/portal/children/${child}/accesses`, guardian)).json.entries;
      const indices = all.map((e: Json) => e.index);
      const page = await api('GET', `/v1/portal/children/${child}/accesses?before=${indices[2]}`, guardian);
      assert.equal(page.status, 200, page.text);
      assert.deepEqual(
        page.json.entries.map((e: Json) => e.index),
        indices.slice(3),
      );
      assert.equal((await api('GET', `/v1/portal/children/${child}/accesses?before=-1`, guardian)).status, 400);
    });

    test('another family’s child is answered exactly as an id that does not exist, on every path', async () => {
      const nowhere = `${other.slice(0, -4)}zzzz`;
      for (const path of ['', '/accesses', '/accesses/0/receipt']) {
        const theirs = await api('GET', `/v1/portal/children/${other}${path}`, guardian);
        const none = await api('GET', `/v1/portal/children/${nowhere}${path}`, guardian);
        assert.equal(theirs.status, 404, path);
        assert.deepEqual(refusal(theirs), refusal(none), path);
        assert.equal(theirs.json.code, 'ERR_NOT_FOUND');
        // A staff token, or none, is no portal token.
        assert.equal((await api('GET', `/v1/portal/children/${child}${path}`, tokens.clinicianA)).status, 401);
        assert.equal((await api('GET', `/v1/portal/children/${child}${path}`)).status, 401);
      }
      assert.equal((await api('GET', '/v1/portal/children', tokens.dpo)).status, 401);
      // The refusals' entries name no record: the other family's history does not show the attempt.
      await checkpoint();
      const o = (await api('GET', `/v1/portal/children/${other}/accesses`, otherGuardian)).json;
      assert.ok(o.entries.every((e: Json) => e.outcome === 'ok'));
    });
  });
}
