/**
 * The people of the demo city, one of each role that matters: a clinician on a ward, a
 * vaccination clinic and its nurse, the registry's data-protection officer and auditor, a
 * statistics office, a regulator's investigator, a second administrator. They are made here as the
 * system, on the vault's host (over HTTP, dual control applies: service/enrolments.ts). People get a
 * login and a password; every one gets an API token. Demo only: the passwords are printed.
 */
import type { Principal, Vault } from '../store/vault.ts';
import type { LoadResult } from './load.ts';
import type { Services } from '../service/services.ts';
import { BIRTH, validateRecord } from '../schema/record-type.ts';
import { generateCity } from '../synth/city.ts';
import { createOrganisation, createPrincipal } from '../service/directory.ts';

export interface DemoCredential {
  readonly role: string;
  /** The person's name as the console and the trace report show it (synthetic). */
  readonly displayName?: string;
  readonly principalId: string;
  readonly organization: string;
  readonly login?: string;
  readonly password?: string;
  readonly token: string;
}

/**
 * The demo people's names (synthetic, as the city's families are): what the console, the access
 * history and the trace report show for them.
 */
export const DEMO_NAMES: Readonly<Record<string, string>> = Object.freeze({
  clinician: '林晓雯',
  records_clerk: '周建华',
  vaccination_nurse: '王丽娟',
  dpo: '赵敏',
  auditor: '孙志刚',
  statistician: '钱立新',
  investigator: '李卫东',
  administrator: '吴海峰',
});

export async function createDemoStaff(
  vault: Vault,
  admin: Principal,
  city: LoadResult,
  wardOf: string,
  district: string,
): Promise<DemoCredential[]> {
  const out: DemoCredential[] = [];
  const h = city.hospitals[0]!;
  const add = async (
    role: string,
    organization: string,
    orgId: string | null,
    extra: {
      login?: string;
      password?: string;
      relationships?: { kind: 'ward' | 'patient' | 'district'; value: string }[];
    } = {},
  ) => {
    const displayName = DEMO_NAMES[role] ?? `demo ${role}`;
    const p = await createPrincipal(vault, admin, { displayName, roles: [role], orgId, ...extra });
    out.push({
      role,
      displayName,
      principalId: p.id,
      organization,
      login: extra.login,
      password: extra.password,
      token: p.token,
    });
  };
  await add('clinician', h.name, h.orgId, {
    login: 'clinician',
    password: 'demo-clinician-pw',
    relationships: [{ kind: 'ward', value: wardOf }],
  });
  await add('records_clerk', h.name, h.orgId, { login: 'clerk', password: 'demo-clerk-pw-1' });
  const clinic = await createOrganisation(vault, admin, {
    name: '社区预防接种门诊',
    kind: 'vaccination_clinic',
    region: district,
  });
  await add('vaccination_nurse', '社区预防接种门诊', clinic, {
    login: 'nurse',
    password: 'demo-nurse-pw-1',
    relationships: [{ kind: 'district', value: district }],
  });
  await add('dpo', 'Registry operator', admin.orgId, { login: 'dpo', password: 'demo-dpo-password' });
  await add('auditor', 'Registry operator', admin.orgId, { login: 'auditor', password: 'demo-auditor-pw' });
  const stats = await createOrganisation(vault, admin, { name: '市统计局', kind: 'statistics_office' });
  await add('statistician', '市统计局', stats, { login: 'statistician', password: 'demo-statistician-pw' });
  const regulator = await createOrganisation(vault, admin, { name: '市网信办', kind: 'regulator' });
  await add('investigator', '市网信办', regulator, { login: 'investigator', password: 'demo-investigator-pw' });
  // A second administrator: over HTTP, a principal that acts on records is made by one administrator,
  // approved by another, and enrolled by the person (service/enrolments.ts).
  await add('administrator', 'Registry operator', admin.orgId, { login: 'admin', password: 'demo-admin-password' });
  return out;
}

/**
 * Poison records: synthetic families collected into the hospitals like any other, that no
 * legitimate workflow ever reads (no ward, no due list, no search by a real parent's phone). A
 * read of one blocks its reader (access/guard.ts). Returns their ids.
 */
export async function plantPoison(
  vault: Vault,
  services: Services,
  city: LoadResult,
  perHospital: number,
  seed: string,
): Promise<string[]> {
  const ids: string[] = [];
  const gen = generateCity({ seed: `poison-${seed}`, families: city.hospitals.length * perHospital * 3 });
  const now = new Date();
  const wanted = new Map(city.hospitals.map((_, i) => [i, perHospital]));
  for (const f of gen.families()) {
    const left = wanted.get(f.hospital) ?? 0;
    if (left === 0) continue;
    const h = city.hospitals[f.hospital]!;
    const v = validateRecord(BIRTH, { ...f.initial.values, hospital: h.name }, { now });
    if (!v.ok) continue;
    const id = vault.registry.newRecordId();
    await vault.registry.collect({ id: h.clerkId, orgId: h.orgId }, BIRTH, {
      id,
      values: v.record.values,
      orgId: h.orgId,
    });
    await services.oversight.addPoison(null, id);
    ids.push(id);
    wanted.set(f.hospital, left - 1);
  }
  return ids;
}

/**
 * The clinician whose API token the demo's scraper stole (sim/story/scraper.ts): a colleague of the
 * demo clinician on the same ward, with no login of its own in the demo (the guard blocks it).
 */
export async function createStolenClinician(
  vault: Vault,
  admin: Principal,
  hospital: { name: string; orgId: string },
  ward: string,
): Promise<{ id: string; token: string; displayName: string }> {
  const displayName = '陈志远';
  const p = await createPrincipal(vault, admin, {
    displayName,
    roles: ['clinician'],
    orgId: hospital.orgId,
    relationships: ward ? [{ kind: 'ward', value: ward }] : [],
  });
  return { ...p, displayName };
}
