/**
 * `tracevault restore` (issue 23 item 3, ADR 0029): a backup (store/backup-file.ts) into a new
 * vault directory, and for PostgreSQL a schema with no tables; its digest checked before anything
 * is written.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TracevaultError } from '../errors.ts';
import type { DatabaseConfig, Db, Param } from './db.ts';
import { openDb } from './dialect/open-db.ts';
import { migrate } from './migrations.ts';
import { FILES, type VaultConfig } from './vault.ts';

import { BACKED_UP, checkBackup, decode, fsyncDir, lines, type BackupHeader, type Progress } from './backup-file.ts';

export interface RestoreOptions {
  /** PostgreSQL backups: where to restore (default: the backed-up vault's own database and schema). */
  readonly database?: { url?: string; schema?: string };
  readonly onProgress?: Progress;
}

/**
 * Restores a backup into `newDirIn`, which must be empty or absent (and, for PostgreSQL, into a
 * schema with no tables). vault.json is written last: a restore that fails midway leaves no vault.
 */
export async function restoreVault(
  file: string,
  newDirIn: string,
  opts: RestoreOptions = {},
): Promise<{ header: BackupHeader; config: VaultConfig }> {
  const dir = resolve(newDirIn);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new TracevaultError('ERR_CONFLICT', { field: 'data' });
  const header = await checkBackup(file);
  const progress = opts.onProgress ?? (() => undefined);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let config: VaultConfig | undefined;
  const files: { name: string; mode: number; data: Buffer }[] = [];
  let sqliteFd: number | undefined;
  let pgDb: Db | undefined;
  try {
    if (header.dialect === 'sqlite') sqliteFd = openSync(join(dir, FILES.sqlite), 'wx', 0o600);
    let table: { name: string; columns: string[]; rows: Param[][]; skip: boolean } | undefined;
    let tx: Db | undefined;
    const flush = async () => {
      if (table && !table.skip && table.rows.length > 0 && tx) {
        await tx.insertMany(
          `INSERT INTO "${table.name}" (${table.columns.map((c) => `"${c}"`).join(', ')}) VALUES`,
          table.rows,
        );
        table.rows = [];
      }
    };
    // PostgreSQL: everything in one transaction, so a failed restore leaves the schema as it was.
    const apply = async (l: string): Promise<void> => {
      const o = JSON.parse(l) as Record<string, unknown>;
      if (typeof o.file === 'string') {
        if (!BACKED_UP.test(o.file)) throw new TracevaultError('ERR_MALFORMED_FILE', { field: 'file' });
        const data = Buffer.from(String(o.data), 'base64');
        if (o.file === FILES.config) config = JSON.parse(data.toString('utf8')) as VaultConfig;
        else files.push({ name: o.file, mode: Number(o.mode) & 0o600, data });
      } else if (typeof o.sqlite === 'string' && sqliteFd !== undefined) {
        writeSync(sqliteFd, Buffer.from(o.sqlite, 'base64'));
      } else if (typeof o.table === 'string' && tx) {
        await flush();
        // schema_migrations is migrate()'s, already there.
        table = { name: o.table, columns: o.columns as string[], rows: [], skip: o.table === 'schema_migrations' };
      } else if (Array.isArray(o.row) && table && tx) {
        if (!table.skip) table.rows.push(o.row.map(decode));
        if (table.rows.length >= 1000) await flush();
      } else if (typeof o.sequence === 'string' && tx) {
        await flush();
        await tx.run(`SELECT setval('"${o.sequence}"', ?, ${o.called === true ? 'true' : 'false'})`, [Number(o.value)]);
      }
    };
    let n = 0;
    const run = async () => {
      let skipHeader = true;
      let prev: string | undefined;
      for await (const l of lines(file)) {
        if (skipHeader) {
          skipHeader = false;
          continue;
        }
        if (prev !== undefined) await apply(prev);
        prev = l;
        if (++n % 1000 === 0) progress('restoring', n);
      }
      await flush();
    };
    if (header.dialect === 'sqlite') {
      await run();
    } else {
      // The backed-up vault's own database unless told otherwise; never a schema that has tables.
      const original = await peekConfig(file);
      const target: DatabaseConfig = {
        kind: 'postgres',
        url: opts.database?.url ?? original.database.url,
        schema: opts.database?.schema ?? original.database.schema,
      };
      pgDb = await openDb(target);
      const existing = await pgDb.get<{ n: number }>(
        'SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = current_schema()',
      );
      if (Number(existing?.n ?? 0) > 0) throw new TracevaultError('ERR_CONFLICT', { field: 'schema' });
      await migrate(pgDb);
      const v = await pgDb.get<{ v: number }>('SELECT MAX(version) AS v FROM schema_migrations');
      if (Number(v?.v ?? 0) !== header.schemaVersion)
        throw new TracevaultError('ERR_UNSUPPORTED_FORMAT', { field: 'schemaVersion' });
      await pgDb.transaction(async (t) => {
        tx = t;
        await run();
      });
      config = { ...(config ?? original), database: target };
    }
  } catch (e) {
    if (sqliteFd !== undefined) closeSync(sqliteFd);
    sqliteFd = undefined;
    await pgDb?.close();
    pgDb = undefined;
    rmSync(dir, { recursive: true, force: true });
    throw e;
  } finally {
    if (sqliteFd !== undefined) {
      fsyncSync(sqliteFd);
      closeSync(sqliteFd);
    }
    await pgDb?.close();
  }
  if (!config) throw new TracevaultError('ERR_MALFORMED_FILE', { field: FILES.config });
  // The database file is restored as NEWDIR/vault.db, wherever the original kept it.
  if (header.dialect === 'sqlite') config = { ...config, database: { kind: 'sqlite', file: FILES.sqlite } };
  for (const f of files) {
    const fd = openSync(join(dir, f.name), 'wx', f.mode === 0o600 ? 0o600 : 0o644);
    try {
      writeSync(fd, f.data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  const fd = openSync(join(dir, FILES.config), 'wx', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(config, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  fsyncDir(dir);
  return { header, config };
}

/** The backed-up vault.json (the second line of a backup). */
async function peekConfig(file: string): Promise<VaultConfig> {
  for await (const l of lines(file)) {
    const o = JSON.parse(l) as { file?: string; data?: string };
    if (o.file === FILES.config)
      return JSON.parse(Buffer.from(String(o.data), 'base64').toString('utf8')) as VaultConfig;
  }
  throw new TracevaultError('ERR_MALFORMED_FILE', { field: FILES.config });
}
