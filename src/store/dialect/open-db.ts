/** Opens the database a configuration names; each dialect is loaded only when it is used. */
import type { DatabaseConfig, Db } from '../db.ts';

export async function openDb(config: DatabaseConfig): Promise<Db> {
  if (config.kind === 'sqlite') {
    const { openSqlite } = await import('./sqlite.ts');
    return openSqlite(config.file ?? ':memory:');
  }
  const { openPostgres } = await import('./postgres.ts');
  return openPostgres(config.url ?? 'postgres://postgres@127.0.0.1:5432/test', config.schema);
}
