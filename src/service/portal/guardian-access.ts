/**
 * How a guardian gets into the parents' portal, without telling anyone which phones or codes exist.
 *
 * - Enrol: the invitation code printed on the paper and a phone number. Only if the code is live and
 *   the number is the mother's or the father's on that record (the current values, decrypted and
 *   normalised as schema/mobile.ts does) does a one-time code go to that phone.
 * - Log in: a phone number. Only if it is an enrolled guardian's does a code go to it.
 * - A session: the phone and its one-time code give a portal token (`tvp_…`, 256 random bits, kept
 *   as its SHA-256), scoped to the guardian's own records. Enrolling links the record first.
 *
 * Enrol and log in always answer the same (`202`, one body each) after the same time: every answer
 * waits for a floor (timing.ts `notBefore`) that covers the work of a match (a record decrypted, a
 * code stored and synced), and the message leaves off the request path (message-gateway.ts). A
 * wrong one-time code, an unknown phone, a dead code and a locked phone are one answer,
 * ERR_UNAUTHENTICATED, after the same statements and the same ledger entry. Limits (rate-limit.ts):
 * per client address and per phone number asked about, `429` — the phone's count is of requests, so
 * it holds for unknown phones exactly as for known ones and tells nothing; and, held in the database,
 * per phone that matched (otp-policy.ts: tries, sends, lockout), which act silently: the answer stays
 * `202`, as it does for phones that match nothing and are sent nothing anyway.
 */
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { TracevaultError } from '../../errors.ts';
import { constantTimeEqual, newId, tokenHash } from '../../crypto/ids.ts';
import { isAcceptedMobile, normaliseMobile } from '../../schema/mobile.ts';
import { GuardianRepo, type GuardianChild, type Relation } from '../../store/repos/guardians.ts';
import { InvitationRepo } from '../../store/repos/invitations.ts';
import { OneTimeCodeRepo, type OtpPurpose } from '../../store/repos/one-time-codes.ts';
import type { Gate } from '../gate.ts';
import { notBefore } from '../timing.ts';
import { digitsOf, newOneTimeCode, normaliseInvitationCode, sameText } from './codes.ts';
import { guardianEntry, GUARDIAN_ROLE, type Guardian, type GuardianContext } from './guardian-context.ts';
import type { MessageDispatcher } from './message-gateway.ts';
import { OTP_TEMPLATE, otpMessage } from './messages.ts';
import { afterFailure, lockedOut, nextSend, NO_COUNTERS, OTP_POLICY, type OtpPolicy } from './otp-policy.ts';
import type { PortalKeys } from './portal-keys.ts';
import { RateLimiter, type WindowLimit } from './rate-limit.ts';

export interface GuardianAccessOptions {
  /** Enrol, log in and session answers come no sooner than this after the request (default 200 ms). */
  readonly portalFloorMs?: number;
  /** Per client address and per kind of request (enrol, log in, session): default 60 a minute. */
  readonly portalAddressLimit?: WindowLimit;
  /** Enrolments and logins per phone number asked about, known or not: default 20 an hour. */
  readonly portalPhoneLimit?: WindowLimit;
  /** How long a portal session lasts (default one hour). */
  readonly portalSessionTtlMs?: number;
  readonly otpPolicy?: OtpPolicy;
}

/** The one answer of an enrolment or a login request, whatever matched. */
export interface Accepted {
  readonly status: 'accepted';
  readonly message: string;
}

export const ENROL_ACCEPTED: Accepted = Object.freeze({
  status: 'accepted',
  message:
    'If the invitation code is valid and the number is the mother’s or father’s on that record, ' +
    'a one-time code has been sent to it by SMS.',
});

export const LOGIN_ACCEPTED: Accepted = Object.freeze({
  status: 'accepted',
  message: 'If the number belongs to an enrolled guardian, a one-time code has been sent to it by SMS.',
});

export interface PortalSession {
  readonly token: string;
  readonly expiresAt: string;
}

/** Who failed a one-time code: nobody the entry could name (the phone may be anyone's). */
export const OTP_FAILED_PRINCIPAL = 'unauthenticated';

const DEFAULT_FLOOR_MS = 200;
const DEFAULT_ADDRESS_LIMIT: WindowLimit = { limit: 60, windowMs: 60_000 };
const DEFAULT_PHONE_LIMIT: WindowLimit = { limit: 20, windowMs: 3600_000 };
const SESSION_TTL_MS = 3600_000;

export class GuardianAccess {
  readonly #gate: Gate;
  readonly #keys: PortalKeys;
  readonly #messages: MessageDispatcher;
  readonly #guardians: GuardianRepo;
  readonly #invitations: InvitationRepo;
  readonly #otps: OneTimeCodeRepo;
  readonly #policy: OtpPolicy;
  readonly #floorMs: number;
  readonly #ttlMs: number;
  readonly #limits: Readonly<Record<'enrol' | 'login' | 'session', RateLimiter>>;
  /** Keyed by the phone's keyed reference: no number is held in memory in clear. */
  readonly #perPhone: RateLimiter;

  constructor(gate: Gate, keys: PortalKeys, messages: MessageDispatcher, opts: GuardianAccessOptions = {}) {
    const { db, tenantId } = gate.vault;
    this.#gate = gate;
    this.#keys = keys;
    this.#messages = messages;
    this.#guardians = new GuardianRepo(db, tenantId);
    this.#invitations = new InvitationRepo(db, tenantId);
    this.#otps = new OneTimeCodeRepo(tenantId);
    this.#policy = opts.otpPolicy ?? OTP_POLICY;
    this.#floorMs = opts.portalFloorMs ?? DEFAULT_FLOOR_MS;
    this.#ttlMs = opts.portalSessionTtlMs ?? SESSION_TTL_MS;
    const limit = opts.portalAddressLimit ?? DEFAULT_ADDRESS_LIMIT;
    this.#limits = { enrol: new RateLimiter(limit), login: new RateLimiter(limit), session: new RateLimiter(limit) };
    this.#perPhone = new RateLimiter(opts.portalPhoneLimit ?? DEFAULT_PHONE_LIMIT);
  }

  /** `POST /v1/portal/enrol {code, phone}`: always ENROL_ACCEPTED; a code goes out only on a match. */
  async enrol(address: string, input: { code: string; phone: string }): Promise<Accepted> {
    const started = performance.now();
    try {
      this.#take('enrol', address);
      const digits = normaliseMobile(input.phone);
      this.#takePhone(digits);
      const now = this.#gate.now().toISOString();
      const invitation = await this.#invitations.live(
        this.#keys.invitationHash(normaliseInvitationCode(input.code)),
        now,
      );
      const relation = invitation ? await this.#relationOn(invitation.recordId, digits) : undefined;
      if (invitation && relation) {
        await this.#sendCode(digits, {
          purpose: 'enrol',
          recordSeq: invitation.recordSeq,
          relation,
          invitationId: invitation.id,
        });
      }
      return ENROL_ACCEPTED;
    } finally {
      await notBefore(started, this.#floorMs);
    }
  }

  /** `POST /v1/portal/login {phone}`: always LOGIN_ACCEPTED; a code goes out only to an enrolled guardian. */
  async login(address: string, input: { phone: string }): Promise<Accepted> {
    const started = performance.now();
    try {
      this.#take('login', address);
      const digits = normaliseMobile(input.phone);
      this.#takePhone(digits);
      const guardianId = await this.#guardians.byPhoneRef(this.#keys.phoneRef(digits));
      if (guardianId && (await this.#guardians.hasChildren(guardianId))) {
        await this.#sendCode(digits, { purpose: 'login', recordSeq: null, relation: null, invitationId: null });
      }
      return LOGIN_ACCEPTED;
    } finally {
      await notBefore(started, this.#floorMs);
    }
  }

  /**
   * `POST /v1/portal/sessions {phone, otp}`: a portal session, or ERR_UNAUTHENTICATED whatever was
   * wrong. Redeeming an enrolment's code links its record to the guardian (created on its first
   * enrolment) with a `guardian.enrol` entry; every session is a `guardian.login` entry, every
   * failure a `guardian.login.failed` entry that names nobody.
   */
  async openSession(address: string, input: { phone: string; otp: string }, requestId: string): Promise<PortalSession> {
    const started = performance.now();
    try {
      this.#take('session', address);
      const session = await this.#redeem(normaliseMobile(input.phone), digitsOf(input.otp), requestId);
      if (!session) throw new TracevaultError('ERR_UNAUTHENTICATED');
      return session;
    } finally {
      await notBefore(started, this.#floorMs);
    }
  }

  /** The guardian of a portal token (ERR_UNAUTHENTICATED for anything else, staff tokens included). */
  async authenticate(token: string): Promise<Guardian> {
    const row = await this.#guardians.session(tokenHash(token.trim()), this.#gate.now().toISOString());
    if (!row) throw new TracevaultError('ERR_UNAUTHENTICATED');
    return { id: row.guardianId, sessionExpiresAt: row.expiresAt };
  }

  /** The records the guardian enrolled for (ids, relation, when): the scope of everything it may see. */
  async children(g: GuardianContext): Promise<GuardianChild[]> {
    return this.#guardians.children(g.guardian.id);
  }

  async logout(g: GuardianContext, token: string): Promise<void> {
    await this.#gate.commit(async (tx, events) => {
      await this.#guardians.closeSession(tx, tokenHash(token.trim()));
      events.push({ ...guardianEntry(g), action: 'guardian.logout', outcome: 'ok' });
    });
  }

  #take(kind: 'enrol' | 'login' | 'session', address: string): void {
    if (!this.#limits[kind].take(address, Date.now())) throw new TracevaultError('ERR_RATE_LIMITED');
  }

  #takePhone(digits: string): void {
    const key = this.#keys.phoneRef(digits).toString('base64');
    if (!this.#perPhone.take(key, Date.now())) throw new TracevaultError('ERR_RATE_LIMITED');
  }

  /** Which parent's number `digits` is on the record (current values), if either; both compared alike. */
  async #relationOn(recordId: string, digits: string): Promise<Relation | undefined> {
    if (!isAcceptedMobile(digits)) return undefined;
    let current;
    try {
      current = (await this.#gate.vault.registry.get(recordId)).current;
    } catch {
      return undefined;
    }
    const on = (field: string) => {
      const v = current.get(field)?.value;
      return typeof v === 'string' && sameText(normaliseMobile(v), digits);
    };
    const mother = on('motherPhone');
    const father = on('fatherPhone');
    return mother ? 'mother' : father ? 'father' : undefined;
  }

  /**
   * Stores a new one-time code for the phone (replacing any earlier one) and queues its SMS, if the
   * phone's limits allow. A fault here is reported as an unsent message, never answered: the answer
   * must not differ from that of a phone that matched nothing.
   */
  async #sendCode(
    digits: string,
    what: { purpose: OtpPurpose; recordSeq: number | null; relation: Relation | null; invitationId: string | null },
  ): Promise<void> {
    const gate = this.#gate;
    const phoneRef = this.#keys.phoneRef(digits);
    const p = this.#policy;
    try {
      const now = gate.now();
      const otp = await gate.commit(async (tx) => {
        const next = nextSend((await this.#otps.get(tx, phoneRef)) ?? NO_COUNTERS, now, p);
        if (!next.allowed) return undefined;
        const code = newOneTimeCode();
        await this.#otps.put(tx, phoneRef, {
          ...what,
          ...next.counters,
          codeHash: this.#keys.otpHash(phoneRef, code),
          expiresAt: new Date(now.getTime() + p.ttlMs).toISOString(),
          tries: 0,
        });
        return code;
      });
      if (otp) this.#messages.dispatch(otpMessage(digits, otp, what.purpose, Math.round(p.ttlMs / 60_000)), now);
    } catch (e) {
      this.#messages.reportUnsent('sms', OTP_TEMPLATE, e);
    }
  }

  /** Claims a try, compares, and opens the session, all in one transaction; undefined on any failure. */
  async #redeem(digits: string, otp: string, requestId: string): Promise<PortalSession | undefined> {
    const gate = this.#gate;
    const keys = this.#keys;
    const phoneRef = keys.phoneRef(digits);
    const p = this.#policy;
    const now = gate.now();
    const at = now.toISOString();
    return gate.commit(async (tx, events) => {
      // The same statements whether or not the phone has a row: a claim, a read, then an update.
      const claimed = await this.#otps.claimTry(tx, phoneRef, at, p.tries);
      const row = await this.#otps.get(tx, phoneRef);
      const live = claimed && row?.codeHash ? row : undefined;
      const expected = live?.codeHash ?? keys.otpHash(phoneRef, '');
      const matches = constantTimeEqual(expected, keys.otpHash(phoneRef, otp));
      if (!live || !matches || otp.length !== 6 || lockedOut(live, now, p)) {
        const counters = live ? afterFailure(live, now, p) : (row ?? NO_COUNTERS);
        const kill = !!live && (live.tries >= p.tries || lockedOut(counters, now, p));
        await this.#otps.failed(tx, phoneRef, { ...counters, kill });
        events.push({
          action: 'guardian.login.failed',
          principalId: OTP_FAILED_PRINCIPAL,
          requestId,
          outcome: 'denied',
        });
        return undefined;
      }
      await this.#otps.consume(tx, phoneRef);
      let guardianId = await this.#guardians.byPhoneRef(phoneRef, tx);
      if (!guardianId) {
        guardianId = newId('g');
        await this.#guardians.insert(tx, {
          id: guardianId,
          phoneRef,
          phoneSealed: keys.sealPhone(guardianId, digits),
          at,
        });
      }
      const entry = { principalId: guardianId, roles: GUARDIAN_ROLE, requestId, outcome: 'ok' } as const;
      if (live.purpose === 'enrol' && live.recordSeq !== null && live.relation && live.invitationId) {
        const link = {
          guardianId,
          recordSeq: live.recordSeq,
          relation: live.relation,
          invitationId: live.invitationId,
        };
        const recordId = await this.#guardians.link(tx, { ...link, at });
        if (recordId) {
          const detail = { invitation: live.invitationId, relation: live.relation };
          events.push({ ...entry, action: 'guardian.enrol', recordRef: gate.ref(recordId), detail });
        }
      }
      const token = `tvp_${randomBytes(32).toString('base64url')}`;
      const expiresAt = new Date(now.getTime() + this.#ttlMs).toISOString();
      await this.#guardians.openSession(tx, { tokenHash: tokenHash(token), guardianId, at, expiresAt });
      events.push({ ...entry, action: 'guardian.login', detail: { via: live.purpose ?? 'login' } });
      return { token, expiresAt };
    });
  }
}
