/**
 * Organisations, roles and separation of duties. An organisation's kind bounds the roles its
 * principals may hold (a clinician works in a hospital, a statistician in a data centre or a
 * statistics office); some roles exclude each other: whoever audits does not operate, and whoever
 * administers accounts does not act on records or approve bulk exports.
 */
import { TracevaultError } from '../errors.ts';

export const ORG_KINDS = [
  'hospital',
  'vaccination_clinic',
  'data_centre',
  'statistics_office',
  'partner',
  'regulator',
  'operator',
] as const;
export type OrgKind = (typeof ORG_KINDS)[number];

export const ROLES = [
  'clinician',
  'records_clerk',
  'vaccination_nurse',
  'dpo',
  'auditor',
  'statistician',
  'partner',
  'investigator',
  'administrator',
] as const;
export type Role = (typeof ROLES)[number];

/** Where each role may be held. */
const ROLE_ORGS: Readonly<Record<Role, readonly OrgKind[]>> = {
  clinician: ['hospital'],
  records_clerk: ['hospital', 'vaccination_clinic'],
  vaccination_nurse: ['vaccination_clinic', 'hospital'],
  dpo: ['hospital', 'vaccination_clinic', 'data_centre', 'statistics_office', 'partner', 'regulator', 'operator'],
  auditor: ['hospital', 'vaccination_clinic', 'data_centre', 'statistics_office', 'regulator', 'operator'],
  statistician: ['data_centre', 'statistics_office'],
  partner: ['partner'],
  investigator: ['regulator', 'operator'],
  administrator: ['operator', 'hospital', 'vaccination_clinic'],
};

/**
 * Roles that act on records: read or reveal them, collect, change, erase, export them or record
 * consents. The list the rest derives from; access.test.ts checks it against the default policy
 * (a role is here exactly when that policy lets it act on a record), and service/directory.ts asks
 * the current policy too, so that a role a DPO's policy opens to records counts as well.
 */
export const DATA_ROLES: readonly Role[] = Object.freeze([
  'clinician',
  'records_clerk',
  'vaccination_nurse',
  'dpo',
  'investigator',
  'partner',
]);

/** Roles that act on records or accounts: an auditor holds none of them. */
const OPERATOR_ROLES: readonly Role[] = [...DATA_ROLES, 'statistician', 'administrator'];

/**
 * Pairs that one principal may never hold together: whoever audits does not operate; whoever
 * administers accounts neither acts on records (it could make itself the accounts it reads with)
 * nor is a DPO.
 */
const EXCLUSIVE: readonly (readonly [Role, Role])[] = [
  ...OPERATOR_ROLES.map((r) => ['auditor', r] as const),
  ...DATA_ROLES.map((r) => ['administrator', r] as const),
];

/**
 * Whether an administrator may not create a principal of these roles alone (issue 20, finding 9):
 * one that acts on records, or another administrator (who could then approve the first's accounts).
 */
export function needsSecondAdministrator(roles: readonly string[]): boolean {
  return roles.some((r) => r === 'administrator' || (DATA_ROLES as readonly string[]).includes(r));
}

export function isRole(r: string): r is Role {
  return (ROLES as readonly string[]).includes(r);
}

export function isOrgKind(k: string): k is OrgKind {
  return (ORG_KINDS as readonly string[]).includes(k);
}

/** Throws ERR_ROLE_CONFLICT unless these roles may be held together in an organisation of this kind. */
export function checkRoles(roles: readonly string[], orgKind: string): Role[] {
  if (roles.length === 0) throw new TracevaultError('ERR_ROLE_CONFLICT', { rule: 'noRole' });
  const out: Role[] = [];
  for (const r of new Set(roles)) {
    if (!isRole(r)) throw new TracevaultError('ERR_ROLE_CONFLICT', { field: 'roles', rule: 'unknownRole' });
    if (!isOrgKind(orgKind) || !ROLE_ORGS[r].includes(orgKind))
      throw new TracevaultError('ERR_ROLE_CONFLICT', { field: 'roles', rule: 'roleNotInOrganisationKind' });
    out.push(r);
  }
  for (const [a, b] of EXCLUSIVE) {
    if (out.includes(a) && out.includes(b))
      throw new TracevaultError('ERR_ROLE_CONFLICT', { field: 'roles', rule: 'separationOfDuties' });
  }
  return out;
}

const ROLE_ALIASES: Readonly<Record<string, Role>> = {
  records_clerk: 'records_clerk',
  clerk: 'records_clerk',
  registry_clerk: 'records_clerk',
  nurse: 'vaccination_nurse',
  vaccinator: 'vaccination_nurse',
  data_protection_officer: 'dpo',
  doctor: 'clinician',
  physician: 'clinician',
  admin: 'administrator',
  statistics: 'statistician',
  regulator: 'investigator',
};

const KIND_ALIASES: Readonly<Record<string, OrgKind>> = {
  clinic: 'vaccination_clinic',
  vaccination_center: 'vaccination_clinic',
  vaccination_centre: 'vaccination_clinic',
  data_center: 'data_centre',
  medical_data_centre: 'data_centre',
  medical_data_center: 'data_centre',
  statistics_bureau: 'statistics_office',
  statistics: 'statistics_office',
  partner_company: 'partner',
  authorised_partner: 'partner',
  authorized_partner: 'partner',
};

const token = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');

/**
 * A role as people write it (`records-clerk`, `Data Protection Officer`) in its canonical name; unknown names pass
 * through.
 */
export function canonicalRole(name: string): string {
  const t = token(name);
  return isRole(t) ? t : (ROLE_ALIASES[t] ?? name);
}

/** An organisation kind as people write it (`vaccination-clinic`, `data center`) in its canonical name. */
export function canonicalOrgKind(name: string): string {
  const t = token(name);
  return isOrgKind(t) ? t : (KIND_ALIASES[t] ?? name);
}
