/**
 * Who the caller is, for the staff console's role-aware navigation (GET /v1/me): the principal's
 * name, roles, organisation and care relationships, and what the current policy lets it do in each
 * area of the console. Never a token. A ward and a district are places, not people, and are shown;
 * a patient relationship names a record, so only their number is.
 */
import type { Action, PolicyContext, Resource } from '../access/policy.ts';
import type { Principal } from '../store/vault.ts';
import { AccountRepo } from '../store/repos/accounts.ts';
import type { Gate } from './gate.ts';

export interface Me {
  readonly principalId: string;
  readonly displayName: string;
  readonly roles: readonly string[];
  readonly organization: { id: string; name: string; kind: string; region: string | null } | null;
  readonly wards: readonly string[];
  readonly districts: readonly string[];
  readonly patients: number;
  /** What the current policy lets the principal do, by console area (the server still decides each request). */
  readonly can: Readonly<Record<string, boolean>>;
}

/** Each console area and the policy question that opens it. */
const AREAS: Readonly<Record<string, readonly [Action, Resource]>> = {
  readRecords: ['read', { type: 'Record', recordType: 'birth' }],
  collect: ['collect', { type: 'Record', recordType: 'birth' }],
  export: ['export', { type: 'Record', recordType: 'birth' }],
  approve: ['approve', { type: 'Api', area: 'exports' }],
  viewAlerts: ['view_alerts', { type: 'Api', area: 'alerts' }],
  managePolicy: ['manage_policy', { type: 'Api', area: 'policies' }],
  manageGuard: ['manage_policy', { type: 'Api', area: 'guard' }],
  audit: ['audit', { type: 'Api', area: 'ledger' }],
  aggregate: ['aggregate', { type: 'Api', area: 'stats' }],
  administer: ['administer', { type: 'Api', area: 'principals' }],
  trace: ['trace', { type: 'Api', area: 'traces' }],
  investigate: ['investigate', { type: 'Api', area: 'reports' }],
  hashIdentifier: ['hash_identifier', { type: 'Api', area: 'ledger' }],
  dueList: ['due_list', { type: 'Record', recordType: 'birth' }],
  recordDose: ['record_dose', { type: 'Record', recordType: 'birth' }],
};

/** The standings a record may have for this principal: an area on records opens if any of them allows. */
function standings(p: Principal, rels: readonly { kind: string }[]): PolicyContext[] {
  const out: PolicyContext[] = [{ purpose: 'investigation' }, { purpose: 'data_subject_request' }];
  if (p.orgId) out.push({ sameOrg: true }, { sameOrg: true, purpose: 'vaccination' });
  if (rels.some((r) => r.kind === 'ward' || r.kind === 'patient')) out.push({ inCare: true });
  if (rels.some((r) => r.kind === 'district') || p.orgKind === 'vaccination_clinic')
    out.push({ inDistrict: true }, { inDistrict: true, purpose: 'vaccination' });
  if (p.orgKind === 'partner') out.push({ consented: true });
  return out;
}

export async function whoAmI(gate: Gate, p: Principal): Promise<Me> {
  const policy = await gate.policy();
  const rels = await new AccountRepo(gate.vault.db, gate.vault.tenantId).relationships(p.id);
  const mine = standings(p, rels);
  const can = Object.fromEntries(
    Object.entries(AREAS).map(([area, [action, resource]]) => [
      area,
      resource.type === 'Record'
        ? mine.some((s) => policy.allows(p, action, resource, s))
        : policy.allows(p, action, resource),
    ]),
  );
  const org = p.orgId ? ((await gate.vault.organisation(p.orgId)) ?? null) : null;
  const of = (kind: string) => rels.filter((r) => r.kind === kind).map((r) => r.value);
  return {
    principalId: p.id,
    displayName: p.displayName,
    roles: p.roles,
    organization: org,
    wards: of('ward').sort(),
    districts: of('district').sort(),
    patients: of('patient').length,
    can,
  };
}
