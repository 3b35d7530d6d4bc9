/**
 * The HTTP API's oversight end to end, over real HTTP, on SQLite and on PostgreSQL (routes/oversight.ts,
 * routes/sessions.ts, routes/admin.ts, routes/ledger.ts): aggregates only for statistics, the guard
 * stopping a scraper and its alerts, login lockout, roles and policy changes, and the ledger's paths.
 * Every refused response and every log line of this suite is scanned for the seeded personal values.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { httpVault, leaks } from '../../test/helpers/http-vault.ts';
import type { Vault } from '../store/vault.ts';
import type { LoadResult } from '../sim/load.ts';
import { Services } from '../service/services.ts';
import { DEFAULT_GUARD } from '../access/guard.ts';
import { Ledger } from '../ledger/log.ts';
import { buildServer } from './app.ts';

for (const backend of BACKENDS) {
  describe(`HTTP API on ${backend.name}: oversight`, () => {
    const http = httpVault(backend);
    const { api, tokens, seeded, recordsA, refusedBodies, logLines } = http;
    let vault: Vault, city: LoadResult;
    before(() => ({ vault, city } = http.opened()));

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

    test('the ledger paths are served; no entry holds a personal value', async () => {
      const { Checkpointer } = await import('../ledger/checkpointer.ts');
      const { noteKeyFromSeed, parseSignerKey } = await import('../ledger/signed-note.ts');
      const signer = parseSignerKey(noteKeyFromSeed('tracevault.test/ledger', Buffer.alloc(32, 7)).signerKey);
      await new Checkpointer(vault.db, new Ledger(vault.db), signer).tick();
      const cp = await api('GET', '/v1/ledger/checkpoint');
      assert.equal(cp.status, 200);
      assert.match(cp.text, /^tracevault\.test\/ledger\n\d+\n/);
      const receipt = await api('GET', '/v1/ledger/receipt/0', tokens.auditor);
      assert.equal(receipt.status, 200);
      assert.match(receipt.headers.get('content-type') ?? '', /^text\/plain/);
      assert.equal((await api('GET', '/v1/ledger/receipt/-1', tokens.auditor)).json.code, 'ERR_BAD_REQUEST');
      const entries = await vault.db.all<{ entry: string }>('SELECT entry FROM audit_events');
      assert.deepEqual(leaks(entries.map((e) => e.entry).join('\n'), seeded), []);
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
