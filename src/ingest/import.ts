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
import { TracevaultError, type RowError } from '../errors.ts';
import { newId } from '../crypto/ids.ts';
import { validateRecord, type RecordType, fieldDef } from '../schema/record-type.ts';
import { recordType, type Actor, type NewRecord } from '../store/registry.ts';
import type { Vault } from '../store/vault.ts';
import { openSource, type SourceFormat, type SourceLimits, type SourceRow } from './readers.ts';

export interface ImportOptions {
  readonly schema: string;
  readonly format?: SourceFormat;
  readonly limits?: Partial<SourceLimits>;
  /** Import the valid rows and report the invalid ones, instead of refusing the whole file. */
  readonly skipInvalid?: boolean;
  readonly batchSize?: number;
  readonly onProgress?: (p: { rows: number }) => void;
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
}

const MAX_REPORTED = 1000;
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
      throw new TracevaultError('ERR_UNKNOWN_FIELD', SAFE_NAME.test(name) ? { column: name } : { rule: 'unknownColumn' });
    }
  }
}

export async function importFile(vault: Vault, actor: Actor, path: string, opts: ImportOptions): Promise<ImportReport> {
  const type = recordType(opts.schema);
  const source = openSource(path, { format: opts.format, limits: opts.limits });
  const ctx = { now: vault.registry.now() };
  const batchSize = opts.batchSize ?? 2000;
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
      `INSERT INTO imports (id, tenant_id, file_sha256, record_type, principal_id, rows_total, rows_committed, records_created, duplicates, status, started_at, updated_at)
       VALUES (?, ?, ?, ?, ?, 0, 0, 0, 0, 'running', ?, ?)`,
      [job.id, vault.tenantId, fileHash, type.name, actor.id, now(), now()],
    );
  } else if (job.status !== 'done') {
    job = { ...job, status: 'running' };
  }
  const importId = job.id;
  const done = job.status === 'done';
  const resumedAfterRow = done ? 0 : Number(job.rows_committed);

  const errors: RowError[] = [];
  let rows = 0, invalid = 0, warnings = 0, created = 0, duplicates = 0, written = 0, lastRow = 0;
  let batch: NewRecord[] = [];
  const stage = async () => {
    const upTo = lastRow;
    const r = await db.transaction(async (tx) => {
      const out = await vault.registry.collectInto(tx, [], actor, type, batch, { stagedBy: importId });
      await tx.run('UPDATE imports SET rows_committed = ?, records_created = records_created + ?, duplicates = duplicates + ?, updated_at = ? WHERE id = ?', [
        upTo, out.created.length, out.duplicates, now(), importId,
      ]);
      return out;
    });
    created += r.created.length;
    duplicates += r.duplicates;
    written += batch.length;
    batch = [];
    opts.onProgress?.({ rows: written });
  };
  try {
    for await (const r of source.rows()) {
      if (rows === 0) checkHeader(type, r);
      rows++;
      lastRow = r.row;
      const v = validateRecord(type, r.cells, ctx);
      if (!v.ok) {
        invalid++;
        for (const e of v.errors) if (errors.length < MAX_REPORTED) errors.push({ row: r.row, field: e.field, rule: e.rule });
        continue;
      }
      warnings += v.record.warnings.length;
      // Rows of a finished import, or committed by an interrupted run, are only checked again.
      if (done || r.row <= resumedAfterRow) continue;
      batch.push({ id: vault.registry.contentId(type, v.record.values), values: v.record.values });
      if (batch.length >= batchSize) await stage();
    }
    if (invalid > 0 && !opts.skipInvalid) throw new TracevaultError('ERR_IMPORT_INVALID_ROWS', { count: invalid, errors: errors.slice(0, 100) });
    if (batch.length > 0) await stage();
  } catch (e) {
    if (!done) {
      await vault.registry.discardStaged(importId);
      await db.run('DELETE FROM imports WHERE id = ?', [importId]);
    }
    throw e;
  }
  const report = (): ImportReport => ({
    importId, format: source.format, encoding: source.encoding, rows, valid: rows - invalid, invalid,
    created, duplicates, resumedAfterRow, errors, warnings,
  });
  if (done) {
    duplicates = rows - invalid;
    return report();
  }
  // Publish: every staged record of this import (this run's and any interrupted run's) at once.
  await vault.registry.audited(async (tx, events) => {
    created = await vault.registry.publishStaged(tx, actor, importId);
    duplicates = rows - invalid - created;
    await tx.run("UPDATE imports SET status = 'done', rows_total = ?, records_created = ?, updated_at = ? WHERE id = ?", [rows, created, now(), importId]);
    events.push({ action: 'import', principalId: actor.id, outcome: 'ok', detail: { import: importId, rows, invalid, created } });
  });
  return report();
}
