import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { initVault, openVault, FILES } from '../../store/vault.ts';
import { loadCity } from '../../sim/load.ts';
import { createDemoStaff, plantPoison, type DemoCredential } from '../../sim/staff.ts';
import { Services } from '../../service/services.ts';
import { summarise } from '../../store/summary.ts';
import { out, progress } from '../output.ts';
import { printSummary } from './summary.ts';
import { serve } from './serve.ts';

const CREDENTIALS = 'demo-credentials.json';
/** The demo guardian's invitation (shown once in real life; kept here for the demo). */
const PORTAL = 'demo-portal.json';
/** Where the served demo's messages (the portal's one-time codes) are written. */
const OUTBOX = 'outbox.jsonl';

interface DemoGuardian {
  readonly recordId: string;
  readonly motherPhone: string;
  readonly invitationCode: string;
  readonly expiresAt: string;
}

/**
 * A demo family's invitation to the parents' portal, issued by the demo clinician for the first
 * record of its hospital: reused until it expires, then issued again. Undefined when the vault's
 * policy has no `invite` rule (a demo vault made before the portal) or there is no clinician.
 */
async function demoGuardian(dir: string, creds: readonly DemoCredential[]): Promise<DemoGuardian | undefined> {
  const file = join(dir, PORTAL);
  if (existsSync(file)) {
    const kept = JSON.parse(readFileSync(file, 'utf8')) as DemoGuardian;
    if (kept.expiresAt > new Date().toISOString()) return kept;
  }
  const clinician = creds.find((c) => c.role === 'clinician');
  if (!clinician) return undefined;
  const vault = await openVault(dir);
  try {
    const principal = await vault.principal(clinician.principalId);
    const row = await vault.db.get<{ id: string }>(
      'SELECT id FROM records WHERE org_id = ? AND erased_at IS NULL ORDER BY seq LIMIT 1',
      [principal?.orgId ?? ''],
    );
    if (!principal || !row) return undefined;
    const phone = (await vault.registry.get(row.id)).current.get('motherPhone')?.value;
    if (typeof phone !== 'string') return undefined;
    const services = await Services.open(vault);
    const issued = await services.portal.invitations
      .issue({ principal, requestId: 'demo' }, row.id)
      .catch(() => undefined);
    if (!issued) return undefined;
    const g = { recordId: row.id, motherPhone: phone, invitationCode: issued.code, expiresAt: issued.expiresAt };
    writeFileSync(file, `${JSON.stringify(g, null, 2)}\n`, { mode: 0o600 });
    return g;
  } finally {
    await vault.close();
  }
}

/**
 * `npm start`: a vault on the embedded default (SQLite) with a synthetic city and one principal of
 * each role (created on the first run, reused after), then the HTTP API on it, printing its URL
 * and the demo credentials.
 */
export async function demoCommand(opts: {
  data: string;
  families: number;
  seed: string;
  port: number;
  host: string;
  serve: boolean;
}): Promise<void> {
  const dir = resolve(opts.data);
  if (!existsSync(join(dir, FILES.config))) {
    out(`creating a demo vault in ${dir} …`);
    const { vault, admin } = await initVault(dir);
    try {
      const bar = progress('synthetic city');
      const city = await loadCity(vault, admin, { seed: opts.seed, families: opts.families }, (d, t) =>
        bar.update(d, t),
      );
      bar.end();
      const h = city.hospitals[0]!;
      const first = await vault.db.get<{ id: string }>('SELECT id FROM records WHERE org_id = ? ORDER BY seq LIMIT 1', [
        h.orgId,
      ]);
      const wardValue = first ? (await vault.registry.get(first.id)).current.get('ward')?.value : undefined;
      const ward = typeof wardValue === 'string' ? wardValue : '';
      const region = (await vault.organisation(h.orgId))?.region ?? '';
      const staff = await createDemoStaff(vault, admin, city, ward, region);
      const services = await Services.open(vault);
      await plantPoison(vault, services, city, 2, opts.seed);
      const adminToken = readFileSync(join(dir, FILES.adminToken), 'utf8').trim();
      const all: DemoCredential[] = [
        { role: 'administrator', principalId: admin.id, organization: 'Registry operator', token: adminToken },
        ...staff,
      ];
      writeFileSync(join(dir, CREDENTIALS), `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
      out('');
      printSummary(await summarise(vault));
    } finally {
      await vault.close();
    }
  } else {
    out(`using the demo vault in ${dir}`);
  }
  const creds = JSON.parse(readFileSync(join(dir, CREDENTIALS), 'utf8')) as DemoCredential[];
  if (!opts.serve) return;
  const guardian = await demoGuardian(dir, creds);
  const outbox = join(dir, OUTBOX);
  const { url } = await serve({ data: dir, port: opts.port, host: opts.host, quiet: true, outbox });
  out('');
  out(`Tracevault is listening on ${url}   (API docs: ${url}/docs, OpenAPI: ${url}/openapi.json)`);
  out('demo credentials (demo only; also in ' + join(opts.data, CREDENTIALS) + '):');
  for (const c of creds)
    out(
      `  ${c.role.padEnd(18)} ` +
        `${c.login ? `login ${c.login} / ${c.password}`.padEnd(44) : ''.padEnd(44)} token ${c.token}`,
    );
  const clin = creds.find((c) => c.role === 'clinician');
  if (clin) {
    out('');
    out('try:');
    out(`  curl -s -H 'Authorization: Bearer ${clin.token}' '${url}/v1/records?motherPhone=…'`);
    out(
      `  curl -s -H 'Authorization: Bearer ${clin.token}' '${url}/v1/records/ID?purpose=treatment&reveal=motherPhone'`,
    );
    out(`  curl -s '${url}/v1/ledger/checkpoint'`);
  }
  out('');
  if (guardian) {
    out(`parents' portal (demo family, record ${guardian.recordId}; also in ${join(opts.data, PORTAL)}):`);
    out(`  open ${url}/portal/ and enrol with`);
    out(
      `  invitation code ${guardian.invitationCode} (until ${guardian.expiresAt}), ` +
        `mother's phone ${guardian.motherPhone}`,
    );
    const body = JSON.stringify({ code: guardian.invitationCode, phone: guardian.motherPhone });
    out(`  curl -s -X POST -H 'content-type: application/json' -d '${body}' '${url}/v1/portal/enrol'`);
  } else {
    out("parents' portal: no demo invitation (this vault's policy has no invite rule; see README)");
  }
  out(`  one-time codes arrive in ${join(opts.data, OUTBOX)} (one JSON line per message)`);
  out('press Ctrl-C to stop');
  await new Promise(() => undefined);
}
