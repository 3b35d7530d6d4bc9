/**
 * Schema migrations, shared by both dialects: `{blob}`, `{bigint}`, `{norowid}`, `{append_only}` and
 * `{records_seq}` are the only differences, filled in by ./dialect/ddl.ts (and a migration marked
 * `only` runs on one dialect). Each migration runs once, in a transaction, and is recorded in
 * schema_migrations. The list is in ./migrations/, by concern, in ascending version order.
 */
import type { Db } from './db.ts';
import type { Migration } from './migrations/migration.ts';
import { REGISTRY_MIGRATIONS } from './migrations/registry.ts';
import { SERVICE_MIGRATIONS } from './migrations/services.ts';
import { renderDdl } from './dialect/ddl.ts';

const MIGRATIONS: readonly Migration[] = [...REGISTRY_MIGRATIONS, ...SERVICE_MIGRATIONS];

export async function migrate(db: Db): Promise<void> {
  await db.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations ' +
      '(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  const done = new Set(
    (await db.all<{ version: number }>('SELECT version FROM schema_migrations')).map((r) => Number(r.version)),
  );
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    await db.transaction(async (tx) => {
      if (!m.only || m.only === db.dialect)
        for (const stmt of renderDdl(m.sql, db.dialect)
          .split(/;\s*\n/)
          .map((s) => s.trim())
          .filter(Boolean))
          await tx.exec(stmt);
      await tx.run('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)', [
        m.version,
        m.name,
        new Date().toISOString(),
      ]);
    });
  }
}
