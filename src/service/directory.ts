/**
 * Organisations and principals: an organisation has a known kind; a principal's roles suit its
 * organisation's kind and respect separation of duties (access/roles.ts); a login is a plain
 * account name; a password is stored only as its argon2id hash (crypto/password.ts). The vault
 * (store/vault.ts) writes what these functions have checked. The functions serve the synthetic
 * city's loader too (sim/), which acts as the system; the class is the administrator's use case.
 */
import { TracevaultError } from '../errors.ts';
import { checkRoles, isOrgKind } from '../access/roles.ts';
import { hashPassword } from '../crypto/password.ts';
import { isDistrictCode } from '../schema/address-district.ts';
import type { Actor } from '../store/registry.ts';
import type { PrincipalInput, Vault } from '../store/vault.ts';
import { actorOf, type RequestContext } from './context.ts';
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

/** Checks and creates a principal; returns its id and its API token (shown once). */
export async function createPrincipal(
  vault: Vault,
  actor: Actor | null,
  p: NewPrincipal,
): Promise<{ id: string; token: string }> {
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
  return vault.createPrincipal(actor, {
    displayName: p.displayName,
    roles,
    orgId: p.orgId,
    login: p.login,
    passwordHash,
    relationships: p.relationships,
  });
}

export class Directory {
  readonly #gate: Gate;

  constructor(gate: Gate) {
    this.#gate = gate;
  }

  async createOrganisation(ctx: RequestContext, org: NewOrganisation): Promise<string> {
    await this.#gate.authorise(ctx, 'administer', { type: 'Api', area: 'organisations' });
    return this.#gate.committed(() => createOrganisation(this.#gate.vault, actorOf(ctx), org));
  }

  async createPrincipal(ctx: RequestContext, p: NewPrincipal): Promise<{ id: string; token: string }> {
    await this.#gate.authorise(ctx, 'administer', { type: 'Api', area: 'principals' });
    const r = await this.#gate.committed(() => createPrincipal(this.#gate.vault, actorOf(ctx), p));
    this.#gate.forgetRelationships(r.id);
    return r;
  }
}
