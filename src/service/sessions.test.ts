/**
 * Sessions: the login throttle as a pure function; logins that succeed, fail and lock the account,
 * all failures alike; ten attempts a minute from one address; a logout that ends the session.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { serviceVault, type ServiceVault } from '../../test/helpers/service-vault.ts';
import { LOGIN_FAILED_PRINCIPAL, LOGIN_THROTTLE, throttle } from './sessions.ts';

describe('throttle', () => {
  const now = 1_000_000;

  test('allows up to the limit within the window, counting this attempt', () => {
    assert.deepEqual(throttle([], now), { allowed: true, attempts: [now] });
    const nine = Array.from({ length: 9 }, (_, i) => now - 1000 * (i + 1));
    const tenth = throttle(nine, now);
    assert.equal(tenth.allowed, true);
    assert.deepEqual(tenth.attempts, [...nine, now]);
    const eleventh = throttle(tenth.attempts, now + 1);
    assert.equal(eleventh.allowed, false);
    assert.deepEqual(eleventh.attempts, tenth.attempts, 'a refused attempt is not counted');
    assert.equal(nine.length, 9, 'the input is not changed');
  });

  test('attempts leave the window after windowMs', () => {
    const full = Array.from({ length: LOGIN_THROTTLE.perWindow }, () => now);
    assert.equal(throttle(full, now + LOGIN_THROTTLE.windowMs - 1).allowed, false);
    assert.deepEqual(throttle(full, now + LOGIN_THROTTLE.windowMs), {
      allowed: true,
      attempts: [now + LOGIN_THROTTLE.windowMs],
    });
    const mixed = [now - 120_000, now - 59_000, now - 30_000];
    assert.deepEqual(throttle(mixed, now).attempts, [now - 59_000, now - 30_000, now]);
  });

  test('takes another limit and window', () => {
    const t = { perWindow: 2, windowMs: 100 };
    assert.equal(throttle([now - 10, now - 5], now, t).allowed, false);
    assert.deepEqual(throttle([now - 100, now - 5], now, t), { allowed: true, attempts: [now - 5, now] });
  });
});

for (const backend of BACKENDS) {
  describe(`sessions on ${backend.name}`, () => {
    let sv: ServiceVault;
    const password = 'correct horse battery';
    const wrong = 'not the password';
    let id = '';
    before(async () => {
      sv = await serviceVault(backend);
      const ctx = await sv.principal({
        displayName: 'dpo with a login',
        roles: ['dpo'],
        orgId: sv.orgs.operator,
        login: 'dpo.li',
        password,
      });
      id = ctx.principal.id;
    });
    after(async () => {
      await sv?.close();
    });

    const loginRow = () =>
      sv.vault.db.get<{ failed_logins: number; locked_until: string | null }>(
        'SELECT failed_logins, locked_until FROM principals WHERE id = ?',
        [id],
      );

    test('a login gives a session token for eight hours that authenticates; the entry names no secret', async () => {
      const sessions = sv.services.sessions;
      const head = await sv.head();
      const t0 = Date.now();
      const s = await sessions.login('10.0.0.1', 'dpo.li', password, 'req-login');
      assert.equal(s.principalId, id);
      assert.match(s.token, /^tv_/);
      const ttl = Date.parse(s.expiresAt) - t0;
      assert.ok(ttl >= 8 * 3600_000 - 1000 && ttl <= 8 * 3600_000 + 5000, `${ttl}`);
      const p = await sessions.authenticate(s.token);
      assert.deepEqual([p.id, p.roles, p.orgId], [id, ['dpo'], sv.orgs.operator]);
      const e = await sv.onlyEntrySince(head);
      assert.deepEqual([e.action, e.outcome, e.principalId, e.requestId], ['login', 'ok', id, 'req-login']);
      assert.equal(e.organisationId, sv.orgs.operator);
      const text = JSON.stringify(e);
      assert.ok(!text.includes(password) && !text.includes(s.token));
    });

    test('unknown login, wrong password and locked account: the same ERR_UNAUTHENTICATED', async () => {
      const sessions = sv.services.sessions;
      const address = '10.0.0.2';
      const head = await sv.head();
      const unknown = await sv.refused(sessions.login(address, 'nobody.here', password, 'r1'), 'ERR_UNAUTHENTICATED');
      const failed = await sv.refused(sessions.login(address, 'dpo.li', wrong, 'r2'), 'ERR_UNAUTHENTICATED');
      assert.deepEqual([failed.message, failed.details], [unknown.message, unknown.details]);
      const [u, e] = await sv.entriesSince(head);
      assert.deepEqual(
        [e!.action, e!.outcome, e!.principalId, e!.requestId],
        ['login.failed', 'denied', LOGIN_FAILED_PRINCIPAL, 'r2'],
      );
      assert.equal(Number((await loginRow())?.failed_logins), 1);
      // Five failures lock the account for fifteen minutes.
      for (let i = 0; i < 4; i++)
        await sv.refused(sessions.login(address, 'dpo.li', wrong, 'r3'), 'ERR_UNAUTHENTICATED');
      const row = await loginRow();
      assert.equal(Number(row?.failed_logins), 5);
      const lock = Date.parse(row!.locked_until!) - Date.now();
      assert.ok(lock > 14 * 60_000 && lock <= 15 * 60_000, `${lock}`);
      // Every failure against one login carries the same keyed reference, the lock shows in none.
      const fifth = (await sv.entriesSince(head)).at(-1)!;
      assert.deepEqual(fifth.detail, e!.detail);
      assert.notDeepEqual(u!.detail, e!.detail);
      // The right password is refused now, with the same answer; the count does not grow.
      const mark = await sv.head();
      const locked = await sv.refused(sessions.login(address, 'dpo.li', password, 'r4'), 'ERR_UNAUTHENTICATED');
      assert.deepEqual([locked.message, locked.details], [unknown.message, unknown.details]);
      const after = await sv.onlyEntrySince(mark);
      assert.deepEqual([after.action, after.detail], ['login.failed', e!.detail]);
      assert.equal(Number((await loginRow())?.failed_logins), 5);
      const entries = JSON.stringify(await sv.entriesSince(head));
      assert.ok(!entries.includes(password) && !entries.includes(wrong), 'no password in the ledger');
      assert.ok(!entries.includes('dpo.li') && !entries.includes('nobody.here'), 'no login name in the ledger');
      // An account unlocked (by its lock running out) logs in, and its failures are reset.
      await sv.vault.db.run('UPDATE principals SET locked_until = ? WHERE id = ?', ['2000-01-01T00:00:00.000Z', id]);
      const ok = await sv.head();
      await sessions.login('10.0.0.3', 'dpo.li', password, 'r5');
      assert.deepEqual({ ...(await loginRow()) }, { failed_logins: 0, locked_until: null });
      // The success names the account, with the login's reference: an auditor links the failures to it.
      assert.deepEqual((await sv.onlyEntrySince(ok)).detail, e!.detail);
    });

    test('a failed login leaves the same trace whether or not the login is an account', async () => {
      const sessions = sv.services.sessions;
      const head = await sv.head();
      const a = await sv.refused(sessions.login('10.0.1.1', 'no.such.account', wrong, 'r'), 'ERR_UNAUTHENTICATED');
      const b = await sv.refused(sessions.login('10.0.1.2', 'dpo.li', wrong, 'r'), 'ERR_UNAUTHENTICATED');
      assert.deepEqual([a.code, a.message, a.details], [b.code, b.message, b.details]);
      // One entry each, alike but for the keyed reference of the login (same form, same length).
      const rows = await sv.vault.db.all<{ principal_id: string; action: string; record_ref: string | null }>(
        'SELECT principal_id, action, record_ref FROM audit_events WHERE seq > ? ORDER BY seq',
        [head],
      );
      assert.equal(rows.length, 2);
      assert.deepEqual({ ...rows[0] }, { ...rows[1] });
      const [x, y] = await sv.entriesSince(head);
      const { detail: dx, seq: _sx, ...restX } = x!;
      const { detail: dy, seq: _sy, ...restY } = y!;
      assert.deepEqual(restX, restY);
      assert.deepEqual(Object.keys(dx!), ['login']);
      assert.deepEqual(Object.keys(dy!), ['login']);
      assert.match(String(dx!.login), /^[a-z2-7]{26}$/);
      assert.match(String(dy!.login), /^[a-z2-7]{26}$/);
      // The reference is the login's, whatever its case: repeated guesses at one name are seen together.
      const mark = await sv.head();
      await sv.refused(sessions.login('10.0.1.3', 'No.Such.Account', wrong, 'r'), 'ERR_UNAUTHENTICATED');
      assert.deepEqual((await sv.onlyEntrySince(mark)).detail, dx);
      // With the ledger down, the same answer too: a failure is written for an account and for no account.
      await sv.withLedgerFault(async () => {
        const c = await sv.refused(sessions.login('10.0.1.4', 'no.such.account', wrong, 'r'), 'ERR_LEDGER_UNAVAILABLE');
        const d = await sv.refused(sessions.login('10.0.1.5', 'dpo.li', wrong, 'r'), 'ERR_LEDGER_UNAVAILABLE');
        assert.deepEqual([c.message, c.details], [d.message, d.details]);
      });
      await sv.vault.db.run('UPDATE principals SET failed_logins = 0 WHERE id = ?', [id]);
    });

    test('logins are case-blind: a variant logs in; no second account differs only in case', async () => {
      const sessions = sv.services.sessions;
      for (const variant of ['DPO.LI', 'Dpo.Li', 'ｄｐｏ.ｌｉ'])
        assert.equal((await sessions.login('10.0.2.1', variant, password, 'r')).principalId, id, variant);
      for (const login of ['DPO.LI', 'dpo.li', 'Dpo.li']) {
        await sv.refused(
          sv.principal({ displayName: 'twin', roles: ['auditor'], orgId: sv.orgs.operator, login, password }),
          'ERR_CONFLICT',
        );
      }
      // A new login is stored as it is looked up: normalised.
      const ctx = await sv.principal({
        displayName: 'mixed case',
        roles: ['auditor'],
        orgId: sv.orgs.operator,
        login: 'Auditor.Wang',
        password,
      });
      const stored = await sv.vault.db.get<{ login: string }>('SELECT login FROM principals WHERE id = ?', [
        ctx.principal.id,
      ]);
      assert.equal(stored?.login, 'auditor.wang');
      assert.equal((await sessions.login('10.0.2.2', 'AUDITOR.WANG', password, 'r')).principalId, ctx.principal.id);
    });

    test('ten attempts a minute from one address, whatever the account; then ERR_RATE_LIMITED', async () => {
      const sessions = sv.services.sessions;
      const address = '10.0.0.9';
      for (let i = 0; i < 10; i++) {
        await sv.refused(sessions.login(address, `someone.${i}`, 'guess guess', 'r'), 'ERR_UNAUTHENTICATED');
      }
      const head = await sv.head();
      await sv.refused(sessions.login(address, 'dpo.li', password, 'r'), 'ERR_RATE_LIMITED');
      assert.equal(await sv.head(), head, 'a throttled attempt reaches no account');
      assert.equal(Number((await loginRow())?.failed_logins), 0);
      // Another address is not throttled.
      assert.equal((await sessions.login('10.0.0.10', 'dpo.li', password, 'r')).principalId, id);
    });

    test('logout ends the session, with its entry', async () => {
      const sessions = sv.services.sessions;
      const { token } = await sessions.login('10.0.0.11', 'dpo.li', password, 'req-in');
      const ctx = { principal: await sessions.authenticate(token), requestId: 'req-out' };
      const head = await sv.head();
      await sessions.logout(ctx, token);
      const e = await sv.onlyEntrySince(head);
      assert.deepEqual([e.action, e.outcome, e.principalId, e.requestId], ['logout', 'ok', id, 'req-out']);
      await sv.refused(sessions.authenticate(token), 'ERR_UNAUTHENTICATED');
      await sv.refused(sv.vault.authenticate(token), 'ERR_UNAUTHENTICATED');
    });

    test('no ledger entry holds a personal value', async () => {
      sv.assertNoPersonal(JSON.stringify(await sv.entriesSince(0)));
    });
  });
}
