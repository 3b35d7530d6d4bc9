import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { initVault, FILES } from '../../store/vault.ts';
import type { DatabaseConfig } from '../../store/db.ts';
import type { CipherSuiteName } from '../../crypto/cipher-suite.ts';
import { createPrincipal } from '../../service/directory.ts';
import { out } from '../output.ts';

/** The API token file of the `n`th administrator: DIR/admin.token, then DIR/admin-2.token, … */
export const adminTokenFile = (n: number): string => (n === 1 ? FILES.adminToken : `admin-${n}.token`);

/**
 * A vault with its administrators. Two by default: over HTTP, a principal that acts on records or
 * administers is made by one administrator and approved by another (service/enrolments.ts), so a
 * vault with one administrator could create none. Each token goes to a file of its own (owner-only),
 * to be handed to a different person.
 */
export async function initCommand(opts: {
  data: string;
  database?: string;
  pgSchema?: string;
  administrators?: number;
  cipherSuite?: CipherSuiteName;
}): Promise<void> {
  const database: DatabaseConfig | undefined = opts.database
    ? { kind: 'postgres', url: opts.database, ...(opts.pgSchema ? { schema: opts.pgSchema } : {}) }
    : undefined;
  const { vault, admin } = await initVault(opts.data, { database, cipherSuite: opts.cipherSuite });
  const files = [join(vault.dir, FILES.adminToken)];
  try {
    // The vault's host holds its keys: it is the system, and may make administrators directly.
    for (let n = 2; n <= (opts.administrators ?? 2); n++) {
      const p = { displayName: `administrator ${n}`, roles: ['administrator'], orgId: admin.orgId };
      const { token } = await createPrincipal(vault, null, p);
      files.push(join(vault.dir, adminTokenFile(n)));
      writeOwnerOnly(files.at(-1)!, `${token}\n`);
    }
  } finally {
    await vault.close();
  }
  const suite = vault.keys.suite.name === 'gm' ? 'GM: SM4-CTR, HMAC-SM3' : 'AES-256-GCM, HMAC-SHA-256';
  out(`vault created in ${vault.dir} (${database ? 'PostgreSQL' : 'SQLite'}; cipher suite ${suite})`);
  out(`key-encryption key: ${join(vault.dir, FILES.key)} (owner-only; keep a copy outside this machine)`);
  out(`administrator ${admin.id}; API token in ${files[0]}`);
  for (const f of files.slice(1)) out(`another administrator's API token in ${f}: hand it to a second person`);
}

function writeOwnerOnly(path: string, text: string): void {
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
