/**
 * The ledger over HTTP, on SQLite and on PostgreSQL (routes/ledger.ts, service/ledger.ts): public in
 * its hashes, private in its entries. Without a token: the checkpoint, every hash tile and proofs,
 * none of which shows a principal id, an action, a record reference or the tenant; entry bundles and
 * receipts answer 401. With a token of a role that may audit: the entries, salted, whose hashes are
 * the public ones, and receipts that verify offline. Failed logins leave the same trace for a name
 * that is no account as for one that is; logins differing only in case are one account.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { httpVault } from '../../test/helpers/http-vault.ts';
import type { Vault } from '../store/vault.ts';
import { Checkpointer } from '../ledger/checkpointer.ts';
import { openCheckpoint } from '../ledger/checkpoint.ts';
import { Ledger } from '../ledger/log.ts';
import { leafHash, verifyInclusion } from '../ledger/merkle.ts';
import { verifyReceipt } from '../ledger/receipt.ts';
import { noteKeyFromSeed, parseSignerKey, parseVerifierKey } from '../ledger/signed-note.ts';
import { entriesPath, tilePath, tilesForSize } from '../ledger/tiles.ts';

const ORIGIN = 'tracevault.test/ledger';
const key = noteKeyFromSeed(ORIGIN, Buffer.alloc(32, 7));
const signer = parseSignerKey(key.signerKey),
  verifier = parseVerifierKey(key.verifierKey);

for (const backend of BACKENDS) {
  describe(`HTTP API on ${backend.name}: the ledger`, () => {
    const http = httpVault(backend);
    const { api, tokens } = http;
    let vault: Vault;
    let size = 0;
    const baseUrl = () => http.base();

    before(async () => {
      ({ vault } = http.opened());
      // Logins, failed and not, so that the log holds what a stranger would most like to read.
      await api('POST', '/v1/sessions', undefined, { login: 'dpo.li', password: 'correct horse battery' });
      await api('POST', '/v1/sessions', undefined, { login: 'dpo.li', password: 'not the password' });
      await api('POST', '/v1/sessions', undefined, { login: 'nobody.here', password: 'not the password' });
      await new Checkpointer(vault.db, new Ledger(vault.db), signer).tick();
      size = openCheckpoint((await api('GET', '/v1/ledger/checkpoint')).text, verifier).checkpoint.size;
    });

    test('without a token: entry bundles and receipts are 401; other roles 403; auditors and DPOs 200', async () => {
      for (const path of [`/v1/ledger/${entriesPath(0)}`, '/v1/ledger/receipt/0']) {
        const none = await api('GET', path);
        assert.equal(none.status, 401, path);
        assert.equal(none.json.code, 'ERR_UNAUTHENTICATED');
        const clinician = await api('GET', path, tokens.clinicianA);
        assert.equal(clinician.status, 403, path);
        assert.equal(clinician.json.code, 'ERR_FORBIDDEN');
        for (const who of ['auditor', 'dpo']) assert.equal((await api('GET', path, tokens[who])).status, 200, who);
      }
      const bundle = await fetch(`${baseUrl()}/v1/ledger/${entriesPath(0)}`, {
        headers: { authorization: `Bearer ${tokens.auditor}` },
      });
      assert.equal(bundle.headers.get('cache-control'), 'private, max-age=31536000, immutable');
      // The document says so: no `security: []` on them, as on the public paths.
      const doc = (await api('GET', '/openapi.json')).json;
      assert.equal(doc.paths['/v1/ledger/tile/entries/{N}'].get.security, undefined);
      assert.equal(doc.paths['/v1/ledger/receipt/{index}'].get.security, undefined);
      assert.deepEqual(doc.paths['/v1/ledger/tile/{L}/{N}'].get.security, []);
    });

    test('the public paths show no principal id, action, record reference or tenant', async () => {
      const got: Buffer[] = [];
      const get = async (path: string) => {
        const r = await fetch(`${baseUrl()}/v1/ledger/${path}`);
        got.push(Buffer.from(await r.arrayBuffer()));
        return r.status;
      };
      assert.equal(await get('checkpoint'), 200);
      const tiles = tilesForSize(size);
      assert.ok(tiles.length > 2 && tiles.some((t) => t.level === 1), `${tiles.length} tiles`);
      for (const t of tiles) assert.equal(await get(tilePath(t.level, t.index, t.width)), 200);
      for (const i of [0, 1, 7, size - 1]) assert.equal(await get(`proof/inclusion?index=${i}&size=${size}`), 200);
      assert.equal(await get(`proof/consistency?old=3&size=${size}`), 200);
      // What a stranger gets from the private paths is an error, and nothing of the entries.
      for (let i = 0; i * 256 < size; i++) assert.equal(await get(entriesPath(i, Math.min(256, size - i * 256))), 401);
      assert.equal(await get('receipt/0'), 401);
      const db = vault.db;
      const col = async (sql: string) => (await db.all<{ v: string }>(sql)).map((r) => r.v);
      const needles = [
        ...(await col('SELECT id AS v FROM principals')),
        ...(await col('SELECT DISTINCT record_ref AS v FROM audit_events WHERE record_ref IS NOT NULL')),
        // An action as an entry writes it, quoted: four random bytes could spell `read`, six cannot be `"read"`.
        ...(await col('SELECT DISTINCT action AS v FROM audit_events')).map((a) => `"${a}"`),
        vault.tenantId,
      ];
      assert.ok(needles.length > 100, `${needles.length} needles`);
      const all = Buffer.concat(got);
      assert.ok(all.length > size * 32);
      assert.deepEqual(
        needles.filter((n) => all.includes(Buffer.from(n, 'utf8'))),
        [],
      );
    });

    test('an auditor reads salted entries whose hashes are the public ones; receipts verify offline', async () => {
      const auth = { authorization: `Bearer ${tokens.auditor}` };
      const bundle = Buffer.from(
        await (await fetch(`${baseUrl()}/v1/ledger/${entriesPath(0)}`, { headers: auth })).arrayBuffer(),
      );
      const tile = Buffer.from(await (await fetch(`${baseUrl()}/v1/ledger/${tilePath(0, 0)}`)).arrayBuffer());
      const salts = new Set<string>();
      for (let off = 0, i = 0; off < bundle.length; i++) {
        const len = bundle.readUInt16BE(off);
        const input = bundle.subarray(off + 2, off + 2 + len);
        off += 2 + len;
        assert.deepEqual(leafHash(input), tile.subarray(i * 32, i * 32 + 32), `entry ${i}`);
        const m = /^\d+\n[^\n]+\n[^\n]+\nsalt ([0-9a-f]{32})\n\{/.exec(input.toString('utf8'));
        assert.ok(m, `entry ${i} is salted`);
        salts.add(m[1]!);
      }
      assert.equal(salts.size, 256);
      const receipt = await api('GET', '/v1/ledger/receipt/5', tokens.dpo);
      assert.equal(receipt.status, 200);
      const check = verifyReceipt(receipt.text, verifier);
      assert.equal(check.valid, true);
      assert.match(check.entry!, /\nsalt [0-9a-f]{32}\n\{/);
      const proof = await api('GET', `/v1/ledger/proof/inclusion?index=5&size=${size}`);
      const cp = openCheckpoint((await api('GET', '/v1/ledger/checkpoint')).text, verifier).checkpoint;
      const hashes = (proof.json.proof as string[]).map((p) => Buffer.from(p, 'base64'));
      assert.ok(verifyInclusion(5, size, leafHash(Buffer.from(check.entry!, 'utf8')), hashes, cp.root));
    });

    test('a failed login answers and is written alike whether or not the name is an account', async () => {
      const head = Number((await vault.db.get<{ n: number }>('SELECT MAX(seq) AS n FROM audit_events'))!.n);
      const unknown = await api('POST', '/v1/sessions', undefined, { login: 'no.account', password: 'guess guess' });
      const real = await api('POST', '/v1/sessions', undefined, { login: 'dpo.li', password: 'guess guess' });
      assert.deepEqual([unknown.status, unknown.json], [real.status, real.json]);
      assert.equal(real.status, 401);
      const rows = await vault.db.all<{
        principal_id: string;
        action: string;
        record_ref: string | null;
        entry: string;
      }>('SELECT principal_id, action, record_ref, entry FROM audit_events WHERE seq > ? ORDER BY seq', [head]);
      assert.equal(rows.length, 2);
      const shape = (r: (typeof rows)[number]) => {
        const { requestId: _r, detail, ...rest } = JSON.parse(r.entry) as Record<string, unknown>;
        return [r.principal_id, r.action, r.record_ref, rest, Object.keys(detail as object)];
      };
      assert.deepEqual(shape(rows[0]!), shape(rows[1]!));
      const dpo = await vault.db.get<{ id: string }>("SELECT id AS id FROM principals WHERE login = 'dpo.li'");
      assert.ok(!rows.some((r) => r.entry.includes(dpo!.id) || r.principal_id === dpo!.id), 'the account is not named');
    });

    test('a login that differs only in case from an existing one is refused (409); a variant logs in', async () => {
      for (const login of ['DPO.LI', 'Dpo.Li']) {
        const r = await api('POST', '/v1/principals', tokens.admin, {
          displayName: 'twin',
          roles: ['auditor'],
          organizationId: http.opened().admin.orgId,
          login,
          password: 'another long password',
        });
        assert.equal(r.status, 409, r.text);
        assert.equal(r.json.code, 'ERR_CONFLICT');
      }
      const s = await api('POST', '/v1/sessions', undefined, { login: 'DPO.Li', password: 'correct horse battery' });
      assert.equal(s.status, 201, s.text);
    });
  });
}
