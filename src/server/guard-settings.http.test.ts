/**
 * The guard's settings as data over real HTTP, on SQLite and on PostgreSQL (routes/guard.ts,
 * service/guard-settings.ts): a DPO changes a threshold, the change is a ledger entry, and the guard
 * acts on the new value at once; others are refused; a stale version is refused; nonsense values are
 * refused naming the property; an organisation's override lowers its principals' limits; another
 * process on the same vault runs the stored version.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { httpVault, leaks } from '../../test/helpers/http-vault.ts';
import type { Vault } from '../store/vault.ts';
import type { LoadResult } from '../sim/load.ts';
import { Services } from '../service/services.ts';
import { DEFAULT_GUARD } from '../access/guard.ts';

for (const backend of BACKENDS) {
  describe(`HTTP API on ${backend.name}: guard settings`, () => {
    const http = httpVault(backend);
    const { api, tokens, recordsA, recordsB, seeded } = http;
    let vault: Vault, city: LoadResult;
    before(() => ({ vault, city } = http.opened()));

    /** Reads records in clear until refused; the number read and the refusal's code. */
    async function readUntilRefused(token: string | undefined, ids: readonly string[]) {
      let clear = 0;
      for (const id of ids) {
        const r = await api('GET', `/v1/records/${id}?purpose=treatment&reveal=motherPhone`, token);
        if (r.status !== 200) return { clear, code: r.json.code as string };
        clear++;
      }
      return { clear, code: undefined };
    }

    test('a DPO lowers the velocity: a ledger entry, and the guard blocks sooner at once', async () => {
      const before = await api('GET', '/v1/guard/settings', tokens.dpo);
      assert.equal(before.status, 200, before.text);
      assert.equal(before.json.version, 0);
      assert.equal(before.json.settings.velocityPerMinute, 10_000);
      assert.equal(before.json.ruleDefaults.velocity, 'block');
      // Under the settings the server opened with, eight clear reads in a minute pass.
      const fast = await http.principal({
        displayName: 'c-fast',
        roles: ['clinician'],
        organizationId: city.hospitals[0]!.orgId,
      });
      assert.equal((await readUntilRefused(fast.token, recordsA.slice(0, 8))).clear, 8);

      // An override can only lower a limit: those above the new base come down with it.
      const roles = Object.fromEntries(
        Object.entries(before.json.settings.roles as Record<string, { velocityPerMinute?: number }>).map(([k, v]) => [
          k,
          { ...v, velocityPerMinute: Math.min(v.velocityPerMinute ?? 5, 5) },
        ]),
      );
      const settings = { ...before.json.settings, velocityPerMinute: 5, roles };
      const put = await api('PUT', '/v1/guard/settings', tokens.dpo, { expectedVersion: 0, settings });
      assert.equal(put.status, 200, put.text);
      assert.equal(put.json.version, 1);
      assert.equal(put.json.settings.velocityPerMinute, 5);
      const entries = await vault.db.all<{ entry: string }>(
        "SELECT entry FROM audit_events WHERE action = 'guard.change' ORDER BY seq",
      );
      assert.equal(entries.length, 1);
      const entry = JSON.parse(entries[0]!.entry) as { detail: Record<string, unknown>; principalId: string };
      assert.equal(entry.detail.version, 1);
      assert.equal(
        entry.detail.changed,
        'roles.dpo.velocityPerMinute,roles.investigator.velocityPerMinute,velocityPerMinute',
      );
      assert.match(String(entry.detail.sha256), /^[0-9a-f]{64}$/);
      assert.deepEqual(leaks(entries[0]!.entry, seeded), []);

      // A new principal meets the new velocity: the sixth clear read in a minute blocks it.
      const slow = await http.principal({
        displayName: 'c-slow',
        roles: ['clinician'],
        organizationId: city.hospitals[0]!.orgId,
      });
      const r = await readUntilRefused(slow.token, recordsA.slice(10, 30));
      assert.deepEqual(r, { clear: 5, code: 'ERR_GUARD_BLOCKED' });
      const alerts = await api('GET', '/v1/alerts', tokens.dpo);
      assert.ok(
        alerts.json.alerts.some(
          (a: { principalId: string; rule: string }) => a.principalId === slow.id && a.rule === 'velocity',
        ),
        alerts.text,
      );
      const after = await api('GET', '/v1/guard/settings', tokens.auditor);
      assert.deepEqual([after.status, after.json.version, after.json.changedBy], [200, 1, entry.principalId]);
    });

    test('only a DPO changes them, only from the newest version, only to values that make sense', async () => {
      const cur = (await api('GET', '/v1/guard/settings', tokens.dpo)).json;
      const put = (token: string | undefined, body: unknown) => api('PUT', '/v1/guard/settings', token, body);
      const ok = { expectedVersion: cur.version, settings: cur.settings };
      assert.equal((await api('GET', '/v1/guard/settings', tokens.clinicianA)).status, 403);
      assert.equal((await put(tokens.clinicianA, ok)).status, 403);
      assert.equal((await put(tokens.auditor, ok)).status, 403);
      const refused = await vault.db.get<{ n: number }>(
        "SELECT COUNT(*) AS n FROM audit_events WHERE action = 'policy.change' AND entry LIKE '%denied%'",
      );
      assert.ok(Number(refused?.n) >= 2, 'the refusals are ledger entries');
      // Stale: a version older than the newest (or one that does not exist yet).
      for (const v of [cur.version - 1, cur.version + 1]) {
        const r = await put(tokens.dpo, { ...ok, expectedVersion: v });
        assert.deepEqual([r.status, r.json.code, r.json.details?.rule], [409, 'ERR_CONFLICT', 'staleVersion']);
      }
      const s = cur.settings;
      const cases: [object, string, string][] = [
        [{ ...s, velocityPerMinute: 0 }, 'velocityPerMinute', 'range'],
        [{ ...s, headroom: 10, justifyAfter: 20 }, 'justifyAfter', 'justifyAfterHeadroom'],
        [{ ...s, night: [3, 3] }, 'night', 'night'],
        [{ ...s, scanWindow: 2 }, 'scanWindow', 'range'],
        [{ ...s, peerFactor: 0.5 }, 'peerFactor', 'range'],
        [{ ...s, actions: { quota: 'alert' } }, 'actions.quota', 'unknownRule'],
        [{ ...s, roles: { dpo: { headroom: s.headroom + 1 } } }, 'roles.dpo.headroom', 'aboveBase'],
        [{ ...s, roles: { wizard: { headroom: 1 } } }, 'roles.wizard', 'unknownRole'],
        [{ ...s, organisations: { o_nowhere: { headroom: 1 } } }, 'organisations.o_nowhere', 'unknownOrganisation'],
      ];
      for (const [settings, field, rule] of cases) {
        const r = await put(tokens.dpo, { expectedVersion: cur.version, settings });
        assert.deepEqual([r.status, r.json.code, r.json.details], [400, 'ERR_INVALID_FIELD', { field, rule }], field);
      }
      const typed = await put(tokens.dpo, { expectedVersion: cur.version, settings: { ...s, headroom: 'lots' } });
      assert.deepEqual(
        [typed.status, typed.json.code, typed.json.details.field],
        [400, 'ERR_BAD_REQUEST', 'settings.headroom'],
      );
      const extra = await put(tokens.dpo, { expectedVersion: cur.version, settings: { ...s, sleep: true } });
      assert.deepEqual([extra.json.code, extra.json.details.field], ['ERR_BAD_REQUEST', 'settings.sleep']);
      // Nothing refused was stored.
      assert.equal((await api('GET', '/v1/guard/settings', tokens.dpo)).json.version, cur.version);
      // Two DPOs saving from the same version at once: one is stored, the other told so.
      const both = await Promise.all(
        [1, 2].map((n) =>
          put(tokens.dpo, { expectedVersion: cur.version, settings: { ...s, peerMinimum: s.peerMinimum + n } }),
        ),
      );
      assert.deepEqual(both.map((r) => r.status).sort(), [200, 409], both.map((r) => r.text).join('\n'));
      assert.equal((await api('GET', '/v1/guard/settings', tokens.dpo)).json.version, cur.version + 1);
    });

    test("an organisation's override lowers its principals' limits, not others'", async () => {
      const cur = (await api('GET', '/v1/guard/settings', tokens.dpo)).json;
      const b = city.hospitals[1]!.orgId;
      const settings = { ...cur.settings, organisations: { [b]: { velocityPerMinute: 2 } } };
      const put = await api('PUT', '/v1/guard/settings', tokens.dpo, { expectedVersion: cur.version, settings });
      assert.equal(put.status, 200, put.text);
      const entry = await vault.db.get<{ entry: string }>(
        "SELECT entry FROM audit_events WHERE action = 'guard.change' ORDER BY seq DESC LIMIT 1",
      );
      assert.match(entry!.entry, new RegExp(`"changed":"organisations\\.${b}"`));
      const inB = await http.principal({ displayName: 'c-b', roles: ['clinician'], organizationId: b });
      assert.deepEqual(await readUntilRefused(inB.token, recordsB.slice(0, 6)), {
        clear: 2,
        code: 'ERR_GUARD_BLOCKED',
      });
      const inA = await http.principal({
        displayName: 'c-a',
        roles: ['clinician'],
        organizationId: city.hospitals[0]!.orgId,
      });
      assert.equal((await readUntilRefused(inA.token, recordsA.slice(40, 44))).clear, 4);
    });

    test('another process on the same vault runs the stored settings, not its own defaults', async () => {
      const cur = (await api('GET', '/v1/guard/settings', tokens.dpo)).json;
      const other = await Services.open(vault, { guard: DEFAULT_GUARD });
      assert.equal(other.gate.guard.config.velocityPerMinute, 5);
      assert.equal((await other.gate.guardState.current()).version, cur.version);
      // A change made through this server reaches the other process's guard within a second.
      const put = await api('PUT', '/v1/guard/settings', tokens.dpo, {
        expectedVersion: cur.version,
        settings: { ...cur.settings, actions: { velocity: 'justify' } },
      });
      assert.equal(put.status, 200, put.text);
      await new Promise((r) => setTimeout(r, 1100));
      assert.equal((await other.gate.guardState.current()).version, cur.version + 1);
      assert.equal(other.gate.guard.config.actions?.velocity, 'justify');
    });

    test('every version is kept and listed, newest first, with what each changed', async () => {
      const cur = (await api('GET', '/v1/guard/settings', tokens.auditor)).json;
      const r = await api('GET', '/v1/guard/settings/versions', tokens.auditor);
      assert.equal(r.status, 200, r.text);
      const versions = r.json.versions as { version: number; changed: string[]; changedBy: string }[];
      assert.deepEqual(
        versions.map((v) => v.version),
        Array.from({ length: cur.version }, (_, i) => cur.version - i),
      );
      assert.ok(versions.at(-1)!.changed.includes('velocityPerMinute'), JSON.stringify(versions.at(-1)));
      assert.deepEqual(versions[0]!.changed, ['actions.velocity']);
      assert.equal((await api('GET', '/v1/guard/settings/versions', tokens.clinicianA)).status, 403);
    });
  });
}
