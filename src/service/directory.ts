/**
 * Organisations and principals: an organisation has a known kind; a principal's roles suit its
 * organisation's kind and respect separation of duties (access/roles.ts); a login is a plain
 * account name; a password is stored only as its argon2id hash (crypto/password.ts). The vault
 * (store/vault.ts) writes what these functions have checked. The functions serve the synthetic
 * city's loader too (sim/), which acts as the system on the vault's host (it holds the keys); the
 * class is the administrator's use case, under dual control: a principal that may act on records,
 * or another administrator, is not created by one administrator alone (enrolments.ts, ADR 0010),
 * and an administrator outside the operator creates principals of its own organisation only.
 */
import { TracevaultError } from '../errors.ts';
import { checkRoles, isOrgKind } from '../access/roles.ts';
import { hashPassword } from '../crypto/password.ts';
import { isDistrictCode } from '../schema/address-district.ts';
import type { Actor } from '../store/registry.ts';
import type { PrincipalInput, Vault } from '../store/vault.ts';
import { actorOf, entryOf, type RequestContext } from './context.ts';
import { Enrolments, inReach, type Enrolment, type EnrolmentHalf, type PendingPrincipal } from './enrolments.ts';
import type { Gate } from './gate.ts';

export interface NewOrganisation {
  readonly name: string;
  readonly kind: string;
  readonly region?: string | null;
}

/** A principal as an administrator asks for it: a password, which is hashed before it is stored. */
export interface NewPrincipal extends Omit<PrincipalInput, 'passwordHash'> {
  readonly password?: string;
}

export async function createOrganisation(vault: Vault, actor: Actor, org: NewOrganisation): Promise<string> {
  if (!isOrgKind(org.kind)) throw new TracevaultError('ERR_INVALID_FIELD', { field: 'kind', rule: 'organisationKind' });
  return vault.createOrganisation(actor, org);
}

/** Checks and creates a principal (the system's path: no second administrator); returns its id and token. */
export async function createPrincipal(
  vault: Vault,
  actor: Actor | null,
  p: NewPrincipal,
): Promise<{ id: string; token: string }> {
  return vault.createPrincipal(actor, await checkPrincipal(vault, p));
}

/** A principal as written: roles that suit its organisation and each other, a checked login, a hashed password. */
export async function checkPrincipal(vault: Vault, p: NewPrincipal): Promise<PrincipalInput & { orgKind: string }> {
  const org = p.orgId ? await vault.organisation(p.orgId) : undefined;
  if (p.orgId && !org) throw new TracevaultError('ERR_NOT_FOUND', { field: 'organizationId' });
  const roles = checkRoles(p.roles, org?.kind ?? 'operator');
  if (p.login !== undefined && !/^[A-Za-z0-9._@-]{3,64}$/.test(p.login)) {
    throw new TracevaultError('ERR_INVALID_FIELD', { field: 'login', rule: 'login' });
  }
  // A district is where children live, by its GB/T 2260 county code (a name can be ambiguous).
  if ((p.relationships ?? []).some((r) => r.kind === 'district' && !isDistrictCode(r.value))) {
    throw new TracevaultError('ERR_INVALID_FIELD', { field: 'relationships', rule: 'districtCode' });
  }
  const passwordHash = p.password !== undefined ? await hashPassword(p.password) : undefined;
  return {
    displayName: p.displayName,
    roles,
    orgId: p.orgId,
    orgKind: org?.kind ?? 'operator',
    login: p.login,
    passwordHash,
    relationships: p.relationships,
  };
}

/** What an administrator receives: a token at once, or, under dual control, its half of the enrolment. */
export type CreatedPrincipal =
  | { readonly id: string; readonly status: 'active'; readonly token: string }
  | { readonly id: string; readonly status: 'pending'; readonly enrolment: EnrolmentHalf };

export class Directory {
  readonly #gate: Gate;
  readonly #enrolments: Enrolments;

  constructor(gate: Gate) {
    this.#gate = gate;
    this.#enrolments = new Enrolments(gate);
  }

  async createOrganisation(ctx: RequestContext, org: NewOrganisation): Promise<string> {
    await this.#gate.authorise(ctx, 'administer', { type: 'Api', area: 'organisations' });
    return this.#gate.committed(() => createOrganisation(this.#gate.vault, actorOf(ctx), org));
  }

  /**
   * Creates a principal. One that may act on records, or an administrator, waits for a second
   * administrator (`approve`) and gets no credential now: the creator receives its half of the
   * enrolment, and a password, which the creator would know, is refused (the person sets its own).
   */
  async createPrincipal(ctx: RequestContext, p: NewPrincipal): Promise<CreatedPrincipal> {
    const gate = this.#gate;
    await gate.authorise(ctx, 'administer', { type: 'Api', area: 'principals' });
    if (!inReach(ctx, p.orgId ?? null)) {
      await gate.refuse(
        { ...entryOf(ctx), action: 'principal.create', outcome: 'denied', detail: { rule: 'otherOrganisation' } },
        new TracevaultError('ERR_FORBIDDEN', { rule: 'otherOrganisation' }),
      );
    }
    const checked = await gate.committed(() => checkPrincipal(gate.vault, { ...p, password: undefined }));
    if (await this.#enrolments.needsApproval(checked)) {
      if (p.password !== undefined) {
        throw new TracevaultError('ERR_BAD_REQUEST', { field: 'password', rule: 'setAtEnrolment' });
      }
      const { id, code, expiresAt } = await this.#enrolments.open(ctx, checked);
      gate.forgetRelationships(id);
      return { id, status: 'pending', enrolment: { code, expiresAt } };
    }
    const r = await gate.committed(() => createPrincipal(gate.vault, actorOf(ctx), p));
    gate.forgetRelationships(r.id);
    return { id: r.id, status: 'active', token: r.token };
  }

  /** The principals waiting for a second administrator or for their enrolment. */
  async pending(ctx: RequestContext): Promise<PendingPrincipal[]> {
    return this.#enrolments.pending(ctx);
  }

  /** A second administrator approves a waiting principal and receives the other half of its enrolment. */
  async approve(ctx: RequestContext, principalId: string): Promise<{ id: string } & EnrolmentHalf> {
    return this.#enrolments.approve(ctx, principalId);
  }

  /** The person enrols with both halves: its API token, shown once (no bearer token needed). */
  async enrol(requestId: string, e: Enrolment): Promise<{ id: string; token: string }> {
    return this.#enrolments.enrol(requestId, e);
  }
}
