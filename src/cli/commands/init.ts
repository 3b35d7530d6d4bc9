import { join } from 'node:path';
import { initVault, FILES } from '../../store/vault.ts';
import type { DatabaseConfig } from '../../store/db.ts';
import { out } from '../output.ts';

export async function initCommand(opts: { data: string; database?: string; pgSchema?: string }): Promise<void> {
  const database: DatabaseConfig | undefined = opts.database
    ? { kind: 'postgres', url: opts.database, ...(opts.pgSchema ? { schema: opts.pgSchema } : {}) }
    : undefined;
  const { vault, admin } = await initVault(opts.data, { database });
  await vault.close();
  out(`vault created in ${vault.dir} (${database ? 'PostgreSQL' : 'SQLite'})`);
  out(`key-encryption key: ${join(vault.dir, FILES.key)} (owner-only; keep a copy outside this machine)`);
  out(`administrator ${admin.id}; API token in ${join(vault.dir, FILES.adminToken)}`);
}
