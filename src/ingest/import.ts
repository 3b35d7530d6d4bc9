/**
 * Import of a file into the registry, in two passes over the file with bounded memory:
 *
 * 1. Check: read every row, validate it against the schema, hash the file. A structural fault
 *    (encoding, malformed or truncated file, limits) or, by default, any invalid row stops the
 *    import before anything is written: the vault stays as it was.
 * 2. Write: valid rows in batches, each batch one transaction that also advances the import's
 *    checkpoint. A crash loses no acknowledged batch; running the same import again resumes after
 *    the last committed batch, and since a row's record id is a keyed hash of its content, no row
 *    is ever stored twice — not even from another file.
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
  readonly onProgress?: (p: { phase: 'check' | 'write'; rows: number; total?: number }) => void;
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

  // Pass 1: structure, validity and the file's hash. Nothing is written.
  const hashing = sha256File(path);
  const errors: RowError[] = [];
  let rows = 0, invalid = 0, warnings = 0;
  for await (const r of source.rows()) {
    if (rows === 0) checkHeader(type, r);
    rows++;
    const v = validateRecord(type, r.cells, ctx);
    if (!v.ok) {
      invalid++;
      for (const e of v.errors) if (errors.length < MAX_REPORTED) errors.push({ row: r.row, field: e.field, rule: e.rule });
    } else warnings += v.record.warnings.length;
    if (rows % 5000 === 0) opts.onProgress?.({ phase: 'check', rows });
  }
  const fileHash = await hashing;
  if (invalid > 0 && !opts.skipInvalid) {
    throw new TracevaultError('ERR_IMPORT_INVALID_ROWS', { count: invalid, errors: errors.slice(0, 100) });
  }

  // Pass 2: resume or start the import, then write in atomic batches.
  const db = vault.db;
  const now = () => vault.registry.now().toISOString();
  let job = await db.get<{ id: string; rows_committed: number; records_created: number; duplicates: number; status: string }>(
    'SELECT id, rows_committed, records_created, duplicates, status FROM imports WHERE tenant_id = ? AND file_sha256 = ? AND record_type = ?',
    [vault.tenantId, fileHash, type.name],
  );
  if (!job) {
    const id = newId('imp');
    await db.run(
      `INSERT INTO imports (id, tenant_id, file_sha256, record_type, principal_id, rows_total, rows_committed, records_created, duplicates, status, started_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 0, 0, 0, 'running', ?, ?)`,
      [id, vault.tenantId, fileHash, type.name, actor.id, rows, now(), now()],
    );
    job = { id, rows_committed: 0, records_created: 0, duplicates: 0, status: 'running' };
  }
  const resumedAfterRow = Number(job.rows_committed);
  let created = 0, duplicates = 0;
  const report = (): ImportReport => ({
    importId: job!.id, format: source.format, encoding: source.encoding, rows, valid: rows - invalid, invalid,
    created, duplicates, resumedAfterRow, errors, warnings,
  });
  if (job.status === 'done') {
    duplicates = rows - invalid;
    return report();
  }

  let batch: NewRecord[] = [];
  let lastRow = 0, written = 0;
  const flush = async (final: boolean) => {
    const upTo = lastRow;
    await vault.registry.audited(async (tx, events) => {
      const r = await vault.registry.collectInto(tx, events, actor, type, batch);
      created += r.created.length;
      duplicates += r.duplicates;
      await tx.run(
        'UPDATE imports SET rows_committed = ?, records_created = records_created + ?, duplicates = duplicates + ?, status = ?, updated_at = ? WHERE id = ?',
        [upTo, r.created.length, r.duplicates, final ? 'done' : 'running', now(), job!.id],
      );
      if (final) events.push({ action: 'import', principalId: actor.id, outcome: 'ok', detail: { import: job!.id, rows, invalid } });
    });
    written += batch.length;
    batch = [];
    opts.onProgress?.({ phase: 'write', rows: written, total: rows - invalid });
  };
  for await (const r of source.rows()) {
    lastRow = r.row;
    if (r.row <= resumedAfterRow) continue;
    const v = validateRecord(type, r.cells, ctx);
    if (!v.ok) continue;
    batch.push({ id: vault.registry.contentId(type, v.record.values), values: v.record.values });
    if (batch.length >= batchSize) await flush(false);
  }
  await flush(true);
  return report();
}
