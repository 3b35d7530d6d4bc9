import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { initVault, FILES } from '../../store/vault.ts';
import { loadCity } from '../../sim/load.ts';
import { createDemoStaff, plantPoison, type DemoCredential } from '../../sim/staff.ts';
import { Services } from '../../service/services.ts';
import { summarise } from '../../store/summary.ts';
import { out, progress } from '../output.ts';
import { printSummary } from './summary.ts';
import { serve } from './serve.ts';

const CREDENTIALS = 'demo-credentials.json';

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
  const { url } = await serve({ data: dir, port: opts.port, host: opts.host, quiet: true });
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
  out('press Ctrl-C to stop');
  await new Promise(() => undefined);
}
