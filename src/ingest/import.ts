/**
 * Import of a file into the registry, in one pass with bounded memory. Rows are validated and
 * written in batches as *staged* records — stored, sealed, but invisible to every read — and each
 * batch is one transaction that also advances the import's checkpoint. Only when the whole file has
 * been read and checked are the staged records published, in one transaction with their collect
 * events. So:
 *
 * - a structural fault anywhere (encoding, malformed or truncated file, limits), or by default any
 *   invalid row, discards the staged records: the vault is as it was;
 * - a crash loses no committed batch: the same import run again resumes after the last one (the
 *   staged records wait, invisible), and since a record's id is a keyed hash of its content, no row
 *   is ever stored twice — not even from another file.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import { TracevaultError, type RowError } from '../errors.ts';
import { newId } from '../crypto/ids.ts';
import { type RecordType, fieldDef, recordType } from '../schema/record-type.ts';
import type { Actor } from '../store/registry.ts';
import { loadDataKeys, type Vault } from '../store/vault.ts';
import { openSource, type SourceFormat, type SourceLimits, type SourceRow } from './readers.ts';
import { sealRows, type SealedRows, type SealJob } from './seal-rows.ts';
import { SealerPool } from './import-workers.ts';

export interface ImportOptions {
  readonly schema: string;
  readonly format?: SourceFormat;
  readonly limits?: Partial<SourceLimits>;
  /** Import the valid rows and report the invalid ones, instead of refusing the whole file. */
  readonly skipInvalid?: boolean;
  readonly batchSize?: number;
  /**
   * Worker threads that validate and seal rows while the main thread reads and writes (default:
   * cores − 2, so none on two cores, where a worker competes with the writer and the collector for
   * the same cores: +20% records/s for a third more memory, bench/RESULTS.md). 0: all on the main thread.
   */
  readonly threads?: number;
  /**
   * `rows`: rows stored (staged) so far; `read`: handed to validation; `validated`: checked, of which
   * `invalid` failed. Called after every batch.
   */
  readonly onProgress?: (p: { rows: number; read: number; validated: number; invalid: number }) => void;
}

export interface ImportReport {
  readonly importId: string;
  readonly format: SourceFormat;
  readonly encoding?: string;
  readonly rows: number;
  readonly valid: number;
  readonly invalid: number;
  readonly created: number;
  readonly duplicates: number;
  /** Rows already committed by an earlier, interrupted run of the same import. */
  readonly resumedAfterRow: number;
  /** The first invalid cells (row, field, rule), at most 1000. */
  readonly errors: readonly RowError[];
  readonly warnings: number;
  /** The first warnings (row, field, rule), at most 1000, never the value: the rows were imported. */
  readonly warned: readonly RowError[];
}

const MAX_REPORTED = 1000;
/** Files from this size are sealed on worker threads: below it, starting them costs more than it saves. */
const POOL_FROM_BYTES = 4 * 1024 * 1024;

async function openPool(vault: Vault, actor: Actor, type: RecordType, threads: number): Promise<SealerPool> {
  const wrapped = await loadDataKeys(vault.db, vault.tenantId);
  return new SealerPool(
    {
      kek: vault.kek,
      tenantId: vault.tenantId,
      wrapped,
      type: type.name,
      actorId: actor.id,
      orgId: actor.orgId ?? null,
    },
    threads,
  );
}
/** Safe to echo: a column name that looks like an identifier, not like data. */
const SAFE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,40}$/;

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(path)) h.update(c as Buffer);
  return h.digest('hex');
}

function checkHeader(type: RecordType, row: SourceRow): void {
  for (const name of Object.keys(row.cells)) {
    if (!fieldDef(type, name)) {
      throw new TracevaultError(
        'ERR_UNKNOWN_FIELD',
        SAFE_NAME.test(name) ? { column: name } : { rule: 'unknownColumn' },
      );
    }
  }
}

export async function importFile(vault: Vault, actor: Actor, path: string, opts: ImportOptions): Promise<ImportReport> {
  const type = recordType(opts.schema);
  const source = openSource(path, { format: opts.format, limits: opts.limits });
  // 1,000 rows a transaction: 2,000 was 4% faster but took the peak memory of a 100,000-row import
  // from ~290 MB to ~330 MB (bench/RESULTS.md).
  const batchSize = opts.batchSize ?? 1000;
  const db = vault.db;
  const now = () => vault.registry.now().toISOString();

  // The import is known by its file's hash: running it again resumes (or finds it done).
  const fileHash = await sha256File(path);
  let job = await db.get<{ id: string; rows_committed: number; status: string }>(
    'SELECT id, rows_committed, status FROM imports WHERE tenant_id = ? AND file_sha256 = ? AND record_type = ?',
    [vault.tenantId, fileHash, type.name],
  );
  if (!job) {
    job = { id: newId('imp'), rows_committed: 0, status: 'running' };
    await db.run(
      `INSERT INTO imports (id, tenant_id, file_sha256, record_type, principal_id, rows_total, rows_committed,
         records_created, duplicates, status, started_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 0, 0, 0, 0, 'running', ?, ?)`,
      [job.id, vault.tenantId, fileHash, type.name, actor.id, now(), now()],
    );
  } else if (job.status !== 'done') {
    job = { ...job, status: 'running' };
  }
  const importId = job.id;
  const done = job.status === 'done';
  const resumedAfterRow = done ? 0 : Number(job.rows_committed);

  const errors: RowError[] = [],
    warned: RowError[] = [];
  let rows = 0,
    invalid = 0,
    warnings = 0,
    created = 0,
    duplicates = 0,
    written = 0,
    read = 0;
  const stage = async (sealed: SealedRows) => {
    if (sealed.records.length > 0) {
      const r = await db.transaction(async (tx) => {
        const out = await vault.registry.insertPrepared(tx, [], type, sealed.records, {
          stagedBy: importId,
          entry: actor.entry,
        });
        await tx.run(
          'UPDATE imports SET rows_committed = ?, records_created = records_created + ?, ' +
            'duplicates = duplicates + ?, updated_at = ? WHERE id = ?',
          [sealed.lastRow, out.created.length, out.duplicates, now(), importId],
        );
        return out;
      });
      created += r.created.length;
      duplicates += r.duplicates;
    }
    written += sealed.rows;
  };
  const take = async (sealed: SealedRows) => {
    rows += sealed.rows;
    invalid += sealed.invalid;
    warnings += sealed.warnings;
    for (const e of sealed.errors) if (errors.length < MAX_REPORTED) errors.push(e);
    for (const w of sealed.warned) if (warned.length < MAX_REPORTED) warned.push(w);
    // Once a row is invalid the import is refused (unless told to skip): stop writing.
    if (invalid === 0 || opts.skipInvalid) await stage(sealed);
    opts.onProgress?.({ rows: written, read, validated: rows, invalid });
  };
  // By default only large files are sealed on worker threads (starting one costs more than a small
  // file takes), a few batches ahead of the writes.
  const threads = Math.min(
    32,
    opts.threads ?? (source.bytes >= POOL_FROM_BYTES ? Math.max(0, availableParallelism() - 2) : 0),
  );
  const pool = threads > 0 ? await openPool(vault, actor, type, threads) : undefined;
  const sealContext = { keys: vault.keys, type, actorId: actor.id, orgId: actor.orgId ?? null };
  // While every worker has a batch waiting, the main thread seals the next one itself, so every
  // core stays busy whichever half of the work is the slower.
  const seal = (job: SealJob) =>
    pool && pool.queued < pool.size ? pool.seal(job) : Promise.resolve(sealRows(sealContext, job));
  const skipUpTo = done ? Number.POSITIVE_INFINITY : resumedAfterRow;
  const ahead: Promise<SealedRows>[] = [];
  let chunk: SourceRow[] = [];
  const send = async () => {
    read += chunk.length;
    const p = seal({ rows: chunk, now: now(), skipUpTo });
    p.catch(() => undefined); // awaited in order below; a rejection must not go unhandled meanwhile
    ahead.push(p);
    chunk = [];
    if (ahead.length > (pool?.size ?? 0)) await take(await ahead.shift()!);
  };
  try {
    let first = true;
    for await (const r of source.rows()) {
      if (first) checkHeader(type, r);
      first = false;
      chunk.push(r);
      if (chunk.length >= batchSize) await send();
    }
    if (chunk.length > 0) await send();
    while (ahead.length > 0) await take(await ahead.shift()!);
    if (invalid > 0 && !opts.skipInvalid)
      throw new TracevaultError('ERR_IMPORT_INVALID_ROWS', { count: invalid, errors: errors.slice(0, 100) });
  } catch (e) {
    await Promise.allSettled(ahead);
    if (!done) {
      await vault.registry.discardStaged(importId);
      await db.run('DELETE FROM imports WHERE id = ?', [importId]);
    }
    throw e;
  } finally {
    await pool?.close();
  }
  const report = (): ImportReport => ({
    importId,
    format: source.format,
    encoding: source.encoding,
    rows,
    valid: rows - invalid,
    invalid,
    created,
    duplicates,
    resumedAfterRow,
    errors,
    warnings,
    warned,
  });
  if (done) {
    duplicates = rows - invalid;
    return report();
  }
  // Publish: every staged record of this import (this run's and any interrupted run's) at once.
  await vault.registry.audited(async (tx, events) => {
    created = await vault.registry.publishStaged(tx, actor, importId);
    duplicates = rows - invalid - created;
    await tx.run(
      "UPDATE imports SET status = 'done', rows_total = ?, records_created = ?, updated_at = ? WHERE id = ?",
      [rows, created, now(), importId],
    );
    events.push({
      ...actor.entry, // over HTTP: the uploader's organisation, roles and request (service/import-jobs.ts)
      action: 'import',
      principalId: actor.id,
      outcome: 'ok',
      detail: { import: importId, rows, invalid, created },
    });
  });
  return report();
}
