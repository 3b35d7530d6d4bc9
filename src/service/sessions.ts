/**
 * Authentication and people's logins. A bearer token (API token or session) names a principal,
 * cached for a few seconds. A login gives a session token for eight hours: ten attempts a minute
 * from one address; five failures lock the account for fifteen minutes. Unknown login, wrong
 * password and locked account all give the same error after the same work, so no answer tells
 * which accounts exist: the password is checked against a dummy hash when there is no account
 * (crypto/password.ts), and every failure commits the same ledger entry in the same transaction,
 * so a ledger that cannot be written answers ERR_LEDGER_UNAVAILABLE whether or not the login exists.
 * That entry names the login by a keyed HMAC of its normalised form (`detail.login`), never by the
 * account: an auditor sees repeated failures against one login, real or not, and nobody learns from
 * the ledger which logins are accounts. A successful login's entry carries the same reference.
 */
import { TracevaultError } from '../errors.ts';
import { newToken, tokenHash } from '../crypto/ids.ts';
import { verifyPassword } from '../crypto/password.ts';
import { base32 } from '../crypto/ids.ts';
import { normaliseLogin } from '../store/login.ts';
import { AccountRepo } from '../store/repos/accounts.ts';
import type { Principal } from '../store/vault.ts';
import { entryOf, type RequestContext } from './context.ts';
import type { Gate } from './gate.ts';
import { whoAmI, type Me } from './me.ts';

export interface SessionOptions {
  readonly sessionTtlMs?: number;
  /** Several servers on one PostgreSQL: what the others say (store/dialect/pg-coordination.ts). */
  readonly notices?: AuthNotices;
}

/**
 * Notices between the servers of one vault: a principal disabled, a session closed. While they are
 * not `live` (the connection that hears them is down) no cached authentication is trusted.
 */
export interface AuthNotices {
  readonly live: boolean;
  subscribe(fn: (kind: 'principal' | 'session', id: string) => void): void;
  publish(kind: 'principal' | 'session', id: string): Promise<void>;
}

export interface LoginThrottle {
  /** Attempts allowed in a window from one address. */
  readonly perWindow: number;
  readonly windowMs: number;
}

export const LOGIN_THROTTLE: LoginThrottle = { perWindow: 10, windowMs: 60_000 };
const SESSION_TTL_MS = 8 * 3600_000;
const AUTH_CACHE_MS = 5_000;
const LOCK_AFTER = 5;
const LOCK_MS = 15 * 60_000;
const MAX_CACHED = 10_000;
/** Who a failed login's entry names: not the account, whose existence it would tell. */
export const LOGIN_FAILED_PRINCIPAL = 'unauthenticated';

/**
 * Whether one more attempt is allowed at `now`, given the times of earlier attempts from the same
 * address; returns the attempts still in the window, with this one if it is allowed.
 */
export function throttle(
  attempts: readonly number[],
  now: number,
  t: LoginThrottle = LOGIN_THROTTLE,
): { allowed: boolean; attempts: number[] } {
  const recent = attempts.filter((x) => now - x < t.windowMs);
  if (recent.length >= t.perWindow) return { allowed: false, attempts: recent };
  return { allowed: true, attempts: [...recent, now] };
}

export class Sessions {
  readonly #gate: Gate;
  readonly #accounts: AccountRepo;
  readonly #ttlMs: number;
  readonly #auth = new Map<string, { principal: Principal; until: number }>();
  readonly #attempts = new Map<string, number[]>();
  readonly #notices: AuthNotices | undefined;

  constructor(gate: Gate, opts: SessionOptions = {}) {
    this.#gate = gate;
    this.#accounts = new AccountRepo(gate.vault.db, gate.vault.tenantId);
    this.#ttlMs = opts.sessionTtlMs ?? SESSION_TTL_MS;
    this.#notices = opts.notices;
    this.#notices?.subscribe((kind, id) => (kind === 'principal' ? this.#forgetHere(id) : this.#auth.delete(id)));
  }

  /**
   * The principal behind a bearer token (API token or session); cached for a few seconds, unless
   * the notices of other servers cannot be heard (then every request is checked in the database).
   */
  async authenticate(token: string): Promise<Principal> {
    const key = tokenHash(token).toString('base64');
    const hit = this.#notices && !this.#notices.live ? undefined : this.#auth.get(key);
    if (hit && hit.until > Date.now()) return hit.principal;
    const principal = await this.#gate.vault.authenticate(token);
    if (this.#auth.size > MAX_CACHED) this.#auth.clear();
    this.#auth.set(key, { principal, until: Date.now() + AUTH_CACHE_MS });
    return principal;
  }

  /**
   * Forgets every cached authentication of a principal (it was just disabled): its next request in
   * this process is checked against the database, and refused.
   */
  forget(principalId: string): void {
    this.#forgetHere(principalId);
    // Every other server of the vault too (ADR 0027); a notice lost with its connection is covered
    // by `live` (the caches of a server that cannot hear are not used).
    void this.#notices?.publish('principal', principalId).catch(() => undefined);
  }

  #forgetHere(principalId: string): void {
    for (const [key, hit] of this.#auth) if (hit.principal.id === principalId) this.#auth.delete(key);
  }

  /** Whether one more login attempt from `address` is allowed (counted by every server on PostgreSQL). */
  async #allowed(address: string): Promise<boolean> {
    const gate = this.#gate;
    const now = Date.now();
    if (gate.sharedGuard.shared) {
      const key = base32(gate.vault.keys.keyedId('login-throttle', address).subarray(0, 16));
      return gate.sharedGuard.attempts(key, (earlier) => {
        const t = throttle(earlier, now);
        return { attempts: t.attempts, out: t.allowed };
      });
    }
    const t = throttle(this.#attempts.get(address) ?? [], now);
    if (this.#attempts.size > MAX_CACHED) this.#attempts.clear();
    this.#attempts.set(address, t.attempts);
    return t.allowed;
  }

  async login(
    address: string,
    login: string,
    password: string,
    requestId: string,
  ): Promise<{ token: string; expiresAt: string; principalId: string }> {
    const gate = this.#gate;
    if (!(await this.#allowed(address))) throw new TracevaultError('ERR_RATE_LIMITED');
    const name = typeof login === 'string' ? login : '';
    const row = await this.#accounts.byLogin(name);
    const loginRef = this.#loginRef(name);
    const now = gate.now();
    const passwordOk = await verifyPassword(row?.passwordHash ?? null, typeof password === 'string' ? password : '');
    const locked = row?.lockedUntil != null && row.lockedUntil > now.toISOString();
    if (!row || !passwordOk || locked || row.disabledAt) {
      const failures = (row?.failedLogins ?? 0) + 1;
      const lockedUntil =
        failures >= LOCK_AFTER ? new Date(now.getTime() + LOCK_MS).toISOString() : (row?.lockedUntil ?? null);
      await gate.commit(async (tx, events) => {
        // The same statement either way (without an account it matches no row): the same work.
        await this.#accounts.setFailures(tx, row?.id ?? '', locked ? row.failedLogins : failures, lockedUntil);
        events.push({
          action: 'login.failed',
          principalId: LOGIN_FAILED_PRINCIPAL,
          requestId,
          outcome: 'denied',
          detail: { login: loginRef },
        });
      });
      throw new TracevaultError('ERR_UNAUTHENTICATED');
    }
    const token = newToken();
    const expiresAt = new Date(now.getTime() + this.#ttlMs).toISOString();
    await gate.commit(async (tx, events) => {
      await this.#accounts.openSession(tx, {
        tokenHash: tokenHash(token),
        principalId: row.id,
        at: now.toISOString(),
        expiresAt,
      });
      events.push({
        action: 'login',
        principalId: row.id,
        organisationId: row.orgId ?? undefined,
        requestId,
        outcome: 'ok',
        detail: { login: loginRef },
      });
    });
    return { token, expiresAt, principalId: row.id };
  }

  /** The ledger's keyed reference to a login (HMAC of its normalised form, 128 bits): names no one. */
  #loginRef(login: string): string {
    return base32(this.#gate.vault.keys.keyedId('login-ref', normaliseLogin(login)).subarray(0, 16));
  }

  /** The caller's own account, for the console (GET /v1/me). */
  me(ctx: RequestContext): Promise<Me> {
    return whoAmI(this.#gate, ctx.principal);
  }

  async logout(ctx: RequestContext, token: string): Promise<void> {
    await this.#gate.commit(async (tx, events) => {
      await this.#accounts.closeSession(tx, tokenHash(token));
      events.push({ ...entryOf(ctx), action: 'logout', outcome: 'ok' });
    });
    const key = tokenHash(token).toString('base64');
    this.#auth.delete(key);
    void this.#notices?.publish('session', key).catch(() => undefined);
  }
}
