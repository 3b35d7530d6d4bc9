/** What a vault holds, in counts: nothing personal. */
import type { Vault } from './vault.ts';

export interface VaultSummary {
  readonly database: string;
  readonly records: Readonly<Record<string, number>>;
  readonly erased: number;
  readonly changes: number;
  readonly blindIndexEntries: number;
  readonly organisations: Readonly<Record<string, number>>;
  readonly principals: number;
  readonly auditEvents: number;
  readonly dataKeyVersion: number;
  /** The vault's cipher suite (crypto/cipher-suite.ts): `aes` or `gm`. */
  readonly cipherSuite: string;
}

export async function summarise(vault: Vault): Promise<VaultSummary> {
  const db = vault.db;
  const t = vault.tenantId;
  const count = async (sql: string, params: (string | number)[] = [t]) =>
    Number((await db.get<{ n: number }>(sql, params))?.n ?? 0);
  const byType = await db.all<{ record_type: string; n: number }>(
    'SELECT record_type, COUNT(*) AS n FROM records WHERE tenant_id = ? AND erased_at IS NULL AND staged_by IS NULL ' +
      'GROUP BY record_type ORDER BY record_type',
    [t],
  );
  const orgs = await db.all<{ kind: string; n: number }>(
    'SELECT kind, COUNT(*) AS n FROM organisations WHERE tenant_id = ? GROUP BY kind ORDER BY kind',
    [t],
  );
  return {
    database: db.dialect,
    records: Object.fromEntries(byType.map((r) => [r.record_type, Number(r.n)])),
    erased: await count('SELECT COUNT(*) AS n FROM records WHERE tenant_id = ? AND erased_at IS NOT NULL'),
    changes: await count(
      'SELECT COUNT(*) AS n FROM record_changes c JOIN records r ON r.seq = c.record_seq WHERE r.tenant_id = ?',
    ),
    blindIndexEntries: await count(
      'SELECT COUNT(*) AS n FROM blind_index b JOIN records r ON r.seq = b.record_seq WHERE r.tenant_id = ?',
    ),
    organisations: Object.fromEntries(orgs.map((r) => [r.kind, Number(r.n)])),
    principals: await count('SELECT COUNT(*) AS n FROM principals WHERE tenant_id = ?'),
    auditEvents: await count('SELECT COUNT(*) AS n FROM audit_events WHERE tenant_id = ?'),
    dataKeyVersion: vault.keys.currentVersion,
    cipherSuite: vault.keys.suite.name,
  };
}
