/**
 * Organisations and principals as access defines them: an organisation has a known kind; a
 * principal's roles suit its organisation's kind and respect separation of duties (roles.ts); a
 * login is a plain account name; a password is stored only as its argon2id hash (password.ts).
 * The vault (store/vault.ts) writes what these functions have checked.
 */
import { TracevaultError } from '../errors.ts';
import type { Actor } from '../store/registry.ts';
import type { PrincipalInput, Vault } from '../store/vault.ts';
import { hashPassword } from './password.ts';
import { checkRoles, isOrgKind } from './roles.ts';

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
export async function createPrincipal(vault: Vault, actor: Actor | null, p: NewPrincipal): Promise<{ id: string; token: string }> {
  const org = p.orgId ? await vault.organisation(p.orgId) : undefined;
  if (p.orgId && !org) throw new TracevaultError('ERR_NOT_FOUND', { field: 'organizationId' });
  const roles = checkRoles(p.roles, org?.kind ?? 'operator');
  if (p.login !== undefined && !/^[A-Za-z0-9._@-]{3,64}$/.test(p.login)) throw new TracevaultError('ERR_INVALID_FIELD', { field: 'login', rule: 'login' });
  const passwordHash = p.password !== undefined ? await hashPassword(p.password) : undefined;
  return vault.createPrincipal(actor, { displayName: p.displayName, roles, orgId: p.orgId, login: p.login, passwordHash, relationships: p.relationships });
}
