/**
 * Several servers on one vault (issue 23 item 1, ADR 0027), with real `tracevault serve` processes:
 *
 * - PostgreSQL, three servers on one schema: a scraper whose requests go round robin over the three
 *   is stopped at the same bound as one that reads from a single server (normal volume + 100 clear
 *   records; the counters are shared); a disabled principal is refused by all three within one
 *   second (a notification, not the 5-second cache running out), and so is a closed session;
 *   login attempts are throttled across the three; exactly one server signs checkpoints, and when
 *   it is killed another signs the next one within a few seconds, which the witness cosigns.
 * - SQLite: a second server on the same vault is refused at start with ERR_VAULT_IN_USE, and a
 *   server killed with `kill -9` leaves no lock behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo, Server } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { cosignerKeyFromSeed, parseCosignerKey } from '../src/ledger/cosignature.ts';
import { ensureLedgerKey, LEDGER_FILES } from '../src/ledger/log-key.ts';
import { parseVerifierKey } from '../src/ledger/signed-note.ts';
import { serveWitness, Witness, WITNESS_SCHEMA } from '../src/ledger/witness.ts';
import { WITNESSES_FILE } from '../src/ledger/witness-client.ts';
import { openDb } from '../src/store/dialect/open-db.ts';
import { hashPassword } from '../src/crypto/password.ts';
import type { Db } from '../src/store/db.ts';
import { BACKENDS, PG_URL } from './helpers/backends.ts';
import { call, startInstance, type Instance } from './helpers/instances.ts';
import { initVault } from '../src/store/vault.ts';
import { loadCity } from '../src/sim/load.ts';

/** What a determined scraper gives as its reason, each time. */
const JUSTIFICATION = encodeURIComponent('follow-up of a vaccination appointment');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fixed shuffle (no sequential or alphabetical run for the scan rule to see). */
function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

test('three servers on one PostgreSQL: one guard, disabling within 1 s, one checkpointer', async (t) => {
  const env = await BACKENDS.find((b) => b.name === 'postgres')!.fresh();
  const servers: Instance[] = [];
  const db = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${env.database.schema}` });
  let witness: Server | undefined;
  let wdb: Db | undefined;
  try {
    const { vault, admin } = await initVault(env.dir, { database: env.database });
    const city = await loadCity(vault, admin, { seed: 'multi-instance', families: 240, hospitals: 1 });
    const orgId = city.hospitals[0]!.orgId;
    const clinician = (name: string) =>
      vault.createPrincipal(admin, { displayName: name, roles: ['clinician'], orgId });
    const [alone, roundRobin, leaver] = [await clinician('c-one'), await clinician('c-rr'), await clinician('c-left')];
    const dpo = await vault.createPrincipal(admin, { displayName: 'dpo', roles: ['dpo'], orgId });
    const PASSWORD = 'correct horse battery staple';
    await vault.createPrincipal(admin, {
      displayName: 'nurse',
      roles: ['clinician'],
      orgId,
      login: 'nurse.multi',
      passwordHash: await hashPassword(PASSWORD),
    });
    const ids = (await vault.db.all<{ id: string }>("SELECT id FROM records WHERE record_type = 'birth'")).map(
      (r) => r.id,
    );
    await vault.close();
    const adminToken = readFileSync(join(env.dir, 'admin.token'), 'utf8').trim();
    // A witness over real HTTP, which every server submits its checkpoints to.
    ensureLedgerKey(env.dir);
    const logKey = readFileSync(join(env.dir, LEDGER_FILES.verifier), 'utf8').trim();
    const w = cosignerKeyFromSeed('witness.test/multi', Buffer.alloc(32, 5));
    wdb = await openDb({ kind: 'sqlite', file: join(env.dir, 'witness.db') });
    await wdb.exec(WITNESS_SCHEMA);
    witness = await serveWitness(new Witness(parseCosignerKey(w.signerKey), [parseVerifierKey(logKey)], wdb), 0);
    const witnessUrl = `http://127.0.0.1:${(witness.address() as AddressInfo).port}`;
    writeFileSync(join(env.dir, WITNESSES_FILE), JSON.stringify([{ url: witnessUrl, verifierKey: w.verifierKey }]));
    await db.connect();

    for (let i = 0; i < 3; i++) servers.push(await startInstance(env.dir));
    const [a, b, c] = servers as [Instance, Instance, Instance];

    // The quota is the rule under test: a DPO lifts the velocity limit (stored, every server adopts it).
    const cur = await call(a.url, 'GET', '/v1/guard/settings', dpo.token);
    assert.equal(cur.status, 200);
    const put = await call(a.url, 'PUT', '/v1/guard/settings', dpo.token, {
      expectedVersion: cur.json.version,
      settings: { ...cur.json.settings, velocityPerMinute: 100_000 },
    });
    assert.equal(put.status, 200, JSON.stringify(put.json));
    await sleep(1200);

    /** Clear reads (with a justification, as a determined scraper gives) until refused. */
    async function scrape(token: string, bases: readonly string[], records: readonly string[]) {
      let clear = 0;
      let code: string | undefined;
      for (let i = 0; i < records.length && !code; i += bases.length) {
        // One request to each server at the same moment: the shared counters serialise them.
        const answers = await Promise.all(
          bases.map(async (base, k) =>
            records[i + k] === undefined
              ? undefined
              : call(
                  base,
                  'GET',
                  `/v1/records/${records[i + k]}?purpose=treatment&reveal=motherPhone&justification=${JUSTIFICATION}`,
                  token,
                ),
          ),
        );
        for (const r of answers) {
          if (!r) continue;
          if (r.status === 200) clear++;
          else code ??= r.json.code as string;
        }
      }
      return { clear, code };
    }

    await t.test('a scraper is stopped at the same bound on one server and round robin over three', async () => {
      const one = await scrape(alone.token, [a.url], shuffled(ids, 7));
      const three = await scrape(roundRobin.token, [a.url, b.url, c.url], shuffled(ids, 11));
      console.log(`# scraper clear records: one server ${one.clear}, round robin over three ${three.clear}`);
      assert.deepEqual(one, { clear: 100, code: 'ERR_GUARD_BLOCKED' });
      assert.equal(three.code, 'ERR_GUARD_BLOCKED');
      assert.ok(three.clear <= 100, `${three.clear} clear records`);
      // The block is every server's.
      for (const s of servers) {
        const r = await call(
          s.url,
          'GET',
          `/v1/records/${ids[0]}?purpose=treatment&reveal=motherPhone`,
          roundRobin.token,
        );
        assert.deepEqual([r.status, r.json.code], [403, 'ERR_GUARD_BLOCKED']);
      }
    });

    await t.test('a disabled principal is refused by all three within one second', async () => {
      // Each server has the principal in its 5-second authentication cache.
      for (const s of servers) assert.equal((await call(s.url, 'GET', '/v1/me', leaver.token)).status, 200);
      const off = await call(a.url, 'DELETE', `/v1/principals/${leaver.id}`, adminToken);
      assert.equal(off.status, 200, JSON.stringify(off.json));
      const t0 = performance.now();
      const refusedAfter = await Promise.all(
        servers.map(async (s) => {
          for (;;) {
            const r = await call(s.url, 'GET', '/v1/me', leaver.token);
            if (r.status === 401) return performance.now() - t0;
            if (performance.now() - t0 > 3000) return Infinity;
            await sleep(10);
          }
        }),
      );
      console.log(`# disabled principal refused after ${refusedAfter.map((ms) => ms.toFixed(0)).join(', ')} ms`);
      for (const ms of refusedAfter) assert.ok(ms < 1000, `refused after ${ms} ms`);
    });

    await t.test('logins: a session ends on every server; attempts are throttled across them', async () => {
      const login = await call(a.url, 'POST', '/v1/sessions', undefined, { login: 'nurse.multi', password: PASSWORD });
      assert.equal(login.status, 201, JSON.stringify(login.json));
      const session = login.json.token as string;
      for (const s of servers) assert.equal((await call(s.url, 'GET', '/v1/me', session)).status, 200);
      assert.equal((await call(a.url, 'DELETE', '/v1/sessions', session)).status, 204);
      const t0 = performance.now();
      for (const s of servers) {
        while ((await call(s.url, 'GET', '/v1/me', session)).status === 200) {
          assert.ok(performance.now() - t0 < 1000, 'a closed session still works after 1 s');
          await sleep(10);
        }
      }
      // Ten attempts a minute from one address (the login above was one), counted by all three.
      const codes: number[] = [];
      for (let i = 0; i < 12; i++) {
        const s = servers[i % 3]!;
        codes.push((await call(s.url, 'POST', '/v1/sessions', undefined, { login: 'nobody', password: 'x' })).status);
      }
      console.log(`# login attempts round robin after one login: ${codes.join(' ')}`);
      assert.deepEqual(codes, [...Array<number>(9).fill(401), 429, 429, 429]);
    });

    await t.test('one server signs checkpoints; killed, another signs the next within seconds', async () => {
      const leaders = () => servers.filter((s) => /signs checkpoints/.test(s.output()));
      for (let i = 0; i < 50 && leaders().length === 0; i++) await sleep(100);
      assert.equal(leaders().length, 1, 'exactly one leader');
      const leader = leaders()[0]!;
      const last = async () =>
        Number((await db.query('SELECT MAX(size) AS n FROM ledger_checkpoints')).rows[0]?.n ?? 0);
      await sleep(1500);
      const before = await last();
      await leader.kill();
      const t0 = performance.now();
      const others = servers.filter((s) => s !== leader);
      // New entries arrive through the survivors (a read is a ledger entry).
      let signedAfter = Infinity;
      while (performance.now() - t0 < 10_000) {
        await call(others[0]!.url, 'GET', `/v1/records/${ids[1]}?purpose=treatment`, alone.token);
        if ((await last()) > before) {
          signedAfter = performance.now() - t0;
          break;
        }
        await sleep(100);
      }
      console.log(`# checkpoint leader killed: the next checkpoint after ${signedAfter.toFixed(0)} ms`);
      assert.ok(signedAfter < 5000, `${signedAfter} ms`);
      const now = leaders().filter((s) => s !== leader);
      assert.equal(now.length, 1, 'one new leader');
      // The witness cosigned the old leader's last checkpoint and accepts the new one's (consistency
      // from the size it last cosigned: the same log, whoever signs).
      const cosigned = async () =>
        (await db.query('SELECT size FROM ledger_cosignatures ORDER BY size')).rows.map((r) => Number(r.size));
      for (let i = 0; i < 50 && !(await cosigned()).some((n) => n > before); i++) await sleep(100);
      const sizes = await cosigned();
      console.log(`# witness cosigned sizes: ${sizes.join(', ')} (last before the kill: ${before})`);
      assert.ok(sizes.includes(before), "the old leader's last checkpoint was cosigned");
      assert.ok(
        sizes.some((n) => n > before),
        "the new leader's checkpoint was cosigned",
      );
    });
  } finally {
    for (const s of servers) await s.kill();
    await db.end().catch(() => undefined);
    if (witness) await new Promise((r) => witness!.close(r));
    await wdb?.close();
    await env.cleanup();
  }
});

test('SQLite: a second server on the same vault is refused; a killed one leaves no lock', async () => {
  const env = await BACKENDS.find((b) => b.name === 'sqlite')!.fresh();
  let first: Instance | undefined;
  let third: Instance | undefined;
  try {
    const { vault } = await initVault(env.dir, { database: env.database });
    await vault.close();
    first = await startInstance(env.dir);
    const second = await startInstance(env.dir).then(
      () => assert.fail('a second server started'),
      (e: { code: number; stderr: string }) => e,
    );
    assert.equal(second.code, 1);
    assert.match(second.stderr, /error ERR_VAULT_IN_USE: another server serves this SQLite vault/);
    await first.kill();
    third = await startInstance(env.dir);
    assert.equal((await call(third.url, 'GET', '/openapi.json')).status, 200);
  } finally {
    await first?.kill();
    await third?.kill();
    await env.cleanup();
  }
});
