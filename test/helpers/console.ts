/**
 * The staff console's browser tests (test/browser/console-*.test.ts): the HTTP test vault (the
 * synthetic city served over real HTTP on SQLite, every log line kept: http-vault.ts) with one
 * person per console role who logs in with an account and a password, as staff do: an
 * administrator, a clinician and a records clerk of hospital A, and two vaccination nurses of two
 * clinics (districts 370102 + 370112, and 370104; the due list's test in
 * src/server/due-list.http.test.ts uses the same). Call it first in a `describe`.
 */
import { before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { BACKENDS } from './backends.ts';
import { httpVault, type HttpVault } from './http-vault.ts';

export const STAFF = ['admin', 'clinician', 'clerk', 'nurseA', 'nurseB'] as const;
export type Staff = (typeof STAFF)[number];

export interface StaffLogin {
  readonly id: string;
  readonly token: string;
  readonly login: string;
  readonly password: string;
  readonly displayName: string;
}

export interface ConsoleVault extends HttpVault {
  /** The staff who log in, once `before` has run. */
  readonly staff: Record<Staff, StaffLogin>;
  /** The clinics' districts: nurse A's (her clinic's region and her relationship), nurse B's. */
  readonly districts: { readonly A: readonly string[]; readonly B: readonly string[] };
}

export const PASSWORD = 'correct horse battery staple';

export function consoleVault(): ConsoleVault {
  const v = httpVault(BACKENDS[0]!);
  const staff = {} as Record<Staff, StaffLogin>;
  const districts = { A: ['370102', '370112'], B: ['370104'] };
  before(async () => {
    assert.ok(existsSync('web/console/dist/index.html'), 'the console is not built (npm run build:web)');
    const { admin, city } = v.opened();
    const hospital = city.hospitals[0]!.orgId;
    const clinic = async (name: string, region: string) => {
      const r = await v.api('POST', '/v1/organizations', v.tokens.admin, { name, kind: 'vaccination_clinic', region });
      assert.equal(r.status, 201, r.text);
      return r.json.id as string;
    };
    const make = async (key: Staff, displayName: string, body: Record<string, unknown> & { roles: string[] }) => {
      const login = `${key.toLowerCase()}.test`;
      const r = await v.principal({ displayName, login, password: PASSWORD, ...body });
      staff[key] = { ...r, login, password: PASSWORD, displayName };
    };
    await make('admin', '王建国', { roles: ['administrator'], organizationId: admin.orgId });
    await make('clinician', '张医生', { roles: ['clinician'], organizationId: hospital });
    await make('clerk', '刘登记', { roles: ['records_clerk'], organizationId: hospital });
    await make('nurseA', '李护士', {
      roles: ['vaccination_nurse'],
      organizationId: await clinic('历下区预防接种门诊', districts.A[0]!),
      relationships: [{ kind: 'district', value: districts.A[1]! }],
    });
    await make('nurseB', '赵护士', {
      roles: ['vaccination_nurse'],
      organizationId: await clinic('市中区预防接种门诊', districts.B[0]!),
    });
  });
  return Object.assign(v, { staff, districts });
}
