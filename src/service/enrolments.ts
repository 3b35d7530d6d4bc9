/**
 * Dual control over the accounts that act on records (issue 20, finding 9; ADR 0010). An
 * administrator who creates a principal that may act on records (or another administrator)
 * receives no credential for it: the principal waits, without a token or a password, until a
 * second administrator approves it. Each of the two receives one half of the enrolment, a code shown
 * once; the person enrols with both (POST /v1/enrolments) and receives the API token, and may set
 * a password. Neither administrator alone ever holds a credential of the principal.
 *
 * Refusals name no value. An enrolment that fails for any reason (unknown principal, a wrong code,
 * not approved, expired, already redeemed) is one answer, ERR_UNAUTHENTICATED, as a failed login is.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { TracevaultError } from '../errors.ts';
import { actsOnRecords } from '../access/data-access.ts';
import { needsSecondAdministrator } from '../access/roles.ts';
import { newToken, tokenHash } from '../crypto/ids.ts';
import { hashPassword } from '../crypto/password.ts';
import type { PrincipalInput } from '../store/vault.ts';
import { EnrolmentRepo, type PendingRow } from '../store/repos/enrolments.ts';
import { entryOf, type RequestContext } from './context.ts';
import type { Gate } from './gate.ts';

/** How long an enrolment may wait for its approval and its principal, from its creation. */
export const ENROLMENT_DAYS = 7;

/** One administrator's half of an enrolment, shown once. */
export interface EnrolmentHalf {
  readonly code: string;
  readonly expiresAt: string;
}

export interface Enrolment {
  readonly principalId: string;
  readonly creatorCode: string;
  readonly approverCode: string;
  /** Set at enrolment (the principal needs a login for it). */
  readonly password?: string;
}

export type PendingPrincipal = PendingRow;

const newCode = () => `te_${randomBytes(32).toString('base64url')}`;
const codeHash = (code: string) => createHash('sha256').update(code, 'utf8').digest();
const same = (code: string, hash: Buffer | null) => hash !== null && timingSafeEqual(codeHash(code), hash);

export class Enrolments {
  readonly #gate: Gate;
  readonly #repo: EnrolmentRepo;

  constructor(gate: Gate) {
    this.#gate = gate;
    this.#repo = new EnrolmentRepo(gate.vault.db, gate.vault.tenantId);
  }

  /**
   * Whether one administrator may not create this principal alone: its roles act on records
   * (access/roles.ts), or the current policy lets it act on one (access/data-access.ts).
   */
  async needsApproval(p: PrincipalInput & { readonly orgKind: string }): Promise<boolean> {
    if (needsSecondAdministrator(p.roles)) return true;
    const rels = p.relationships ?? [];
    const care = {
      inCare: rels.some((r) => r.kind !== 'district'),
      inDistrict: rels.some((r) => r.kind === 'district'),
    };
    return actsOnRecords(await this.#gate.policy(), { roles: p.roles, orgKind: p.orgKind }, care);
  }

  /** Creates the principal without a credential, waiting for approval; returns the creator's half. */
  async open(ctx: RequestContext, p: PrincipalInput): Promise<{ id: string } & EnrolmentHalf> {
    const gate = this.#gate;
    const now = gate.now();
    const expiresAt = new Date(now.getTime() + ENROLMENT_DAYS * 86_400_000).toISOString();
    const code = newCode();
    const { id } = await gate.commit(async (tx) => {
      // The row's token is made and cleared in this one transaction: no one ever receives it.
      const created = await gate.vault.createPrincipal({ id: ctx.principal.id, orgId: ctx.principal.orgId }, p, tx);
      await this.#repo.open(tx, {
        principalId: created.id,
        orgId: p.orgId ?? null,
        createdBy: ctx.principal.id,
        at: now.toISOString(),
        expiresAt,
        code: codeHash(code),
      });
      return { id: created.id };
    });
    return { id, code, expiresAt };
  }

  /** The enrolments not yet redeemed; of its own organisation for an administrator outside the operator. */
  async pending(ctx: RequestContext): Promise<PendingPrincipal[]> {
    await this.#gate.authorise(ctx, 'administer', { type: 'Api', area: 'principals' });
    const own = ctx.principal.orgKind === 'operator' ? undefined : (ctx.principal.orgId ?? '');
    return this.#repo.pending(this.#gate.now().toISOString(), own);
  }

  /** A second administrator approves: it receives the other half. Never the creator (ERR_SELF_APPROVAL). */
  async approve(ctx: RequestContext, principalId: string): Promise<{ id: string } & EnrolmentHalf> {
    const gate = this.#gate;
    await gate.authorise(ctx, 'administer', { type: 'Api', area: 'principals' });
    const e = await this.#repo.get(principalId);
    // An id from the request enters the ledger only once it is known to name an enrolment in reach.
    if (!e || !inReach(ctx, e.orgId)) throw new TracevaultError('ERR_NOT_FOUND');
    const base = { ...entryOf(ctx), action: 'principal.approve', detail: { principal: e.principalId } } as const;
    if (e.createdBy === ctx.principal.id) {
      await gate.refuse({ ...base, outcome: 'denied' }, new TracevaultError('ERR_SELF_APPROVAL'));
    }
    if (e.approvedBy !== null || e.enrolledAt !== null) throw new TracevaultError('ERR_CONFLICT', { field: 'status' });
    const now = gate.now().toISOString();
    if (e.expiresAt <= now) throw new TracevaultError('ERR_EXPIRED');
    const code = newCode();
    await gate.commit(async (tx, events) => {
      if (!(await this.#repo.approve(tx, e.principalId, ctx.principal.id, now, codeHash(code)))) {
        throw new TracevaultError('ERR_CONFLICT', { field: 'status' });
      }
      events.push({ ...base, outcome: 'ok' });
    });
    return { id: e.principalId, code, expiresAt: e.expiresAt };
  }

  /** The person redeems both halves for its API token (shown once), and may set its password. */
  async enrol(requestId: string, input: Enrolment): Promise<{ id: string; token: string }> {
    const gate = this.#gate;
    const e = await this.#repo.get(input.principalId);
    const now = gate.now().toISOString();
    // Both halves are always compared, so how long a refusal takes does not tell which was wrong.
    const creator = same(input.creatorCode, e?.creatorCode ?? null);
    const approver = same(input.approverCode, e?.approverCode ?? null);
    if (!e || !creator || !approver || e.enrolledAt !== null || e.expiresAt <= now) {
      throw new TracevaultError('ERR_UNAUTHENTICATED');
    }
    if (input.password !== undefined && !(await this.#repo.hasLogin(e.principalId))) {
      throw new TracevaultError('ERR_BAD_REQUEST', { field: 'password', rule: 'noLogin' });
    }
    const passwordHash = input.password === undefined ? undefined : await hashPassword(input.password);
    const token = newToken();
    await gate.commit(async (tx, events) => {
      const redeemed = await this.#repo.redeem(tx, e.principalId, now, { tokenHash: tokenHash(token), passwordHash });
      if (!redeemed) throw new TracevaultError('ERR_UNAUTHENTICATED');
      events.push({
        action: 'principal.enrol',
        principalId: e.principalId,
        organisationId: e.orgId ?? undefined,
        requestId,
        outcome: 'ok',
        detail: { principal: e.principalId },
      });
    });
    gate.forgetRelationships(e.principalId);
    return { id: e.principalId, token };
  }
}

/** An administrator outside the operator acts on its own organisation's principals only. */
export function inReach(ctx: RequestContext, orgId: string | null): boolean {
  return ctx.principal.orgKind === 'operator' || (orgId !== null && orgId === ctx.principal.orgId);
}
