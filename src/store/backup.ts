/**
 * `tracevault backup` (issue 23 item 3, ADR 0029); `tracevault restore` is store/restore.ts.
 *
 * A backup is one file of JSON lines, owner-only:
 *
 *   {"format":"tracevault-backup/1", dialect, tenant, cipher suite, KEK id, schema version,
 *    ledger entries, the latest cosigned checkpoint}                      the header
 *   {"file":"vault.json","mode":384,"data":"<base64>"}                    the vault's files
 *   {"sqlite":"<base64>"}                                                 SQLite: the database, in chunks
 *   {"table":"records","columns":[…]} {"row":[…]} …                       PostgreSQL: every table, rows
 *   {"sequence":"records_seq","value":N,"called":true}                    PostgreSQL: sequences
 *   {"end":true,"lines":N,"sha256":"<hex>"}                               SHA-256 of every line before it
 *
 * Consistency: SQLite's online backup API (better-sqlite3 `backup()`) copies every page in one
 * step, a read transaction of its own, so writers in a running server neither block it nor restart
 * it; PostgreSQL is read in one REPEATABLE READ READ ONLY transaction (one snapshot), table by
 * table through cursors. The key-encryption key is never in a backup: the data keys in it stay
 * wrapped under it, so a backup alone discloses nothing (restore needs the KEK supplied apart).
 * The ledger's signing key and the administrators' token files are in it (a restored vault signs
 * checkpoints witnesses accept); the file is written 0600.
 */
import { createHash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { once } from 'node:events';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { TracevaultError } from '../errors.ts';
import type { Db, Param } from './db.ts';
import { openDb } from './dialect/open-db.ts';
import { FILES, type VaultConfig } from './vault.ts';
import { BACKED_UP, BACKUP_FORMAT, encode, fsyncDir, type BackupHeader, type Progress } from './backup-file.ts';

/** Bytes of the SQLite file per line (base64 makes it a third larger). */
const CHUNK = 1 << 20;
/** Rows a PostgreSQL cursor fetches at a time. */
const FETCH = 2000;

type Get = (sql: string, params?: readonly Param[]) => Promise<Record<string, unknown> | undefined>;
type All = (sql: string, params?: readonly Param[]) => Promise<Record<string, unknown>[]>;

async function headerOf(
  get: Get,
  all: All,
  config: VaultConfig,
  dialect: 'sqlite' | 'postgres',
  now: Date,
): Promise<BackupHeader> {
  const kek = await get("SELECT value FROM meta WHERE key = 'kek_id'");
  const version = await get('SELECT MAX(version) AS v FROM schema_migrations');
  const entries = await get('SELECT COUNT(*) AS n FROM audit_events');
  const cp = await get(
    'SELECT size, note FROM ledger_checkpoints c ' +
      'WHERE EXISTS (SELECT 1 FROM ledger_cosignatures s WHERE s.size = c.size) ORDER BY size DESC LIMIT 1',
  );
  let checkpoint: BackupHeader['checkpoint'] = null;
  if (cp) {
    const lines = await all('SELECT line FROM ledger_cosignatures WHERE size = ? ORDER BY witness', [Number(cp.size)]);
    checkpoint = { size: Number(cp.size), note: String(cp.note) + lines.map((l) => `${String(l.line)}\n`).join('') };
  }
  return {
    format: BACKUP_FORMAT,
    createdAt: now.toISOString(),
    dialect,
    tenantId: config.tenantId,
    cipherSuite: config.cipherSuite ?? 'aes',
    kekId: typeof kek?.value === 'string' ? kek.value : '',
    schemaVersion: Number(version?.v ?? 0),
    entries: Number(entries?.n ?? 0),
    checkpoint,
  };
}

/** Lines out, hashed as they go; backpressure respected. */
class LineWriter {
  readonly #out: ReturnType<typeof createWriteStream>;
  readonly #hash = createHash('sha256');
  lines = 0;
  bytes = 0;

  constructor(path: string) {
    this.#out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
  }

  async write(value: unknown): Promise<void> {
    const line = `${JSON.stringify(value)}\n`;
    this.#hash.update(line);
    this.lines++;
    this.bytes += line.length;
    if (!this.#out.write(line)) await once(this.#out, 'drain');
  }

  async end(): Promise<void> {
    const last = `${JSON.stringify({ end: true, lines: this.lines, sha256: this.#hash.digest('hex') })}\n`;
    this.#out.end(last);
    await once(this.#out, 'finish');
  }

  destroy(): void {
    this.#out.destroy();
  }
}

function readConfig(dir: string): VaultConfig {
  try {
    return JSON.parse(readFileSync(join(dir, FILES.config), 'utf8')) as VaultConfig;
  } catch {
    throw new TracevaultError('ERR_NO_VAULT');
  }
}

/** Takes a consistent online backup of the vault in `dirIn` into `outFile` (which must not exist). */
export async function backupVault(
  dirIn: string,
  outFile: string,
  opts: { onProgress?: Progress; now?: () => Date } = {},
): Promise<{ header: BackupHeader; bytes: number }> {
  const dir = resolve(dirIn);
  const out = resolve(outFile);
  const config = readConfig(dir);
  if (existsSync(out)) throw new TracevaultError('ERR_CONFLICT', { field: 'out' });
  const partial = `${out}.partial`;
  rmSync(partial, { force: true });
  const now = (opts.now ?? (() => new Date()))();
  const progress = opts.onProgress ?? (() => undefined);
  const files = readdirSync(dir)
    .filter((f) => BACKED_UP.test(f))
    .sort();
  let header: BackupHeader;
  const w = new LineWriter(partial);
  try {
    if (config.database.kind === 'sqlite') {
      const snap = join(dirname(out), `.${basename(out)}.sqlite.tmp`);
      rmSync(snap, { force: true });
      try {
        const src = new Database(resolve(dir, config.database.file ?? FILES.sqlite), {
          readonly: true,
          fileMustExist: true,
        });
        try {
          // The first step learns the size; the second copies every page at once: one snapshot.
          await src.backup(snap, {
            progress: ({ totalPages, remainingPages }) => {
              progress('snapshot', totalPages - remainingPages, totalPages);
              return 0x7fffffff;
            },
          });
        } finally {
          src.close();
        }
        const copy = new Database(snap, { readonly: true });
        try {
          header = await headerOf(
            async (sql, p = []) => copy.prepare(sql).get(...p) as Record<string, unknown> | undefined,
            async (sql, p = []) => copy.prepare(sql).all(...p) as Record<string, unknown>[],
            config,
            'sqlite',
            now,
          );
        } finally {
          copy.close();
        }
        await w.write(header);
        for (const f of files) await writeFileLine(w, dir, f);
        const total = statSync(snap).size;
        let done = 0;
        for await (const chunk of createReadStream(snap, { highWaterMark: CHUNK })) {
          await w.write({ sqlite: (chunk as Buffer).toString('base64') });
          done += (chunk as Buffer).length;
          progress('writing', done, total);
        }
      } finally {
        rmSync(snap, { force: true });
      }
    } else {
      const db = await openDb(config.database);
      try {
        header = await db.transaction(async (tx) => {
          await tx.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
          const h = await headerOf(
            (s, p) => tx.get(s, p),
            (s, p) => tx.all(s, p),
            config,
            'postgres',
            now,
          );
          await w.write(h);
          for (const f of files) await writeFileLine(w, dir, f);
          await dumpPostgres(tx, w, progress);
          return h;
        });
      } finally {
        await db.close();
      }
    }
    await w.end();
  } catch (e) {
    w.destroy();
    rmSync(partial, { force: true });
    throw e;
  }
  renameSync(partial, out);
  fsyncDir(dirname(out));
  return { header, bytes: statSync(out).size };
}

async function writeFileLine(w: LineWriter, dir: string, f: string): Promise<void> {
  const st = statSync(join(dir, f));
  await w.write({ file: f, mode: st.mode & 0o777, data: readFileSync(join(dir, f)).toString('base64') });
}

/** Every table of the schema, parents before children (foreign keys), then the sequences. */
async function dumpPostgres(tx: Db, w: LineWriter, progress: Progress): Promise<void> {
  const tables = (
    await tx.all<{ t: string }>(
      'SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() ' +
        "AND table_type = 'BASE TABLE' ORDER BY table_name",
    )
  ).map((r) => r.t);
  const edges = await tx.all<{ child: string; parent: string }>(
    'SELECT c.conrelid::regclass::text AS child, c.confrelid::regclass::text AS parent FROM pg_constraint c ' +
      "WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace",
  );
  const ordered: string[] = [];
  const visit = (t: string, seen: Set<string>) => {
    if (ordered.includes(t) || seen.has(t)) return;
    seen.add(t);
    for (const e of edges) if (e.child === t && e.parent !== t) visit(e.parent, seen);
    ordered.push(t);
  };
  for (const t of tables) visit(t, new Set());
  // One after another: a transaction is one connection, which runs one query at a time.
  const counts: number[] = [];
  for (const t of ordered)
    counts.push(Number((await tx.get<{ n: number }>(`SELECT COUNT(*) AS n FROM "${t}"`))?.n ?? 0));
  const total = counts.reduce((a, b) => a + b, 0);
  let done = 0;
  for (const t of ordered) {
    const columns = (
      await tx.all<{ c: string }>(
        'SELECT column_name AS c FROM information_schema.columns ' +
          'WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position',
        [t],
      )
    ).map((r) => r.c);
    await w.write({ table: t, columns });
    await tx.exec(
      `DECLARE backup_cursor NO SCROLL CURSOR FOR SELECT ${columns.map((c) => `"${c}"`).join(', ')} FROM "${t}"`,
    );
    for (;;) {
      const rows = await tx.all(`FETCH ${FETCH} FROM backup_cursor`);
      for (const r of rows) await w.write({ row: columns.map((c) => encode(r[c])) });
      done += rows.length;
      progress('tables', done, total);
      if (rows.length < FETCH) break;
    }
    await tx.exec('CLOSE backup_cursor');
  }
  const seqs = await tx.all<{ s: string }>(
    'SELECT sequence_name AS s FROM information_schema.sequences WHERE sequence_schema = current_schema()',
  );
  for (const { s } of seqs) {
    const v = await tx.get<{ last_value: number; is_called: boolean }>(`SELECT last_value, is_called FROM "${s}"`);
    await w.write({ sequence: s, value: Number(v?.last_value ?? 1), called: v?.is_called === true });
  }
}
