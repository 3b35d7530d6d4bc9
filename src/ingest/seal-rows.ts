/**
 * The CPU half of an import, with no I/O: a batch of source rows is validated and each valid row
 * sealed as a new record (store/seal-record.ts), ready for the registry to insert. The import runs
 * it on worker threads (import-workers.ts) while the main thread reads the file and writes batches.
 */
import type { RowError } from '../errors.ts';
import type { TenantKeys } from '../crypto/keyring.ts';
import { validateRecord, type RecordType } from '../schema/record-type.ts';
import { contentId, prepareRecord, type PreparedRecord } from '../store/seal-record.ts';
import type { SourceRow } from './readers.ts';

export interface SealJob {
  readonly rows: readonly SourceRow[];
  /** Time of the batch (ISO 8601): validation's "now" and the records' collection time. */
  readonly now: string;
  /** Rows up to this one are only validated, not sealed: committed by an earlier run, or all of a finished import. */
  readonly skipUpTo: number;
}

export interface SealedRows {
  readonly lastRow: number;
  readonly rows: number;
  readonly invalid: number;
  /** Invalid cells (row, field, rule), never the value. */
  readonly errors: readonly RowError[];
  readonly warnings: number;
  /** The warnings (row, field, rule), never the value: a valid row with, e.g., an unknown mobile prefix. */
  readonly warned: readonly RowError[];
  readonly records: readonly PreparedRecord[];
}

export interface SealContext {
  readonly keys: TenantKeys;
  readonly type: RecordType;
  readonly actorId: string;
  readonly orgId: string | null;
}

export function sealRows(c: SealContext, job: SealJob): SealedRows {
  const ctx = { now: new Date(job.now) };
  const errors: RowError[] = [],
    warned: RowError[] = [],
    records: PreparedRecord[] = [];
  let invalid = 0,
    warnings = 0,
    lastRow = 0;
  for (const r of job.rows) {
    lastRow = r.row;
    const v = validateRecord(c.type, r.cells, ctx);
    if (!v.ok) {
      invalid++;
      for (const e of v.errors) errors.push({ row: r.row, field: e.field, rule: e.rule });
      continue;
    }
    warnings += v.record.warnings.length;
    for (const w of v.record.warnings) warned.push({ row: r.row, field: w.field, rule: w.rule });
    if (r.row <= job.skipUpTo) continue;
    const id = contentId(c.keys, c.type, v.record.values);
    records.push(
      prepareRecord(c.keys, c.type, id, c.orgId, [
        { values: v.record.values, validFrom: job.now, recordedAt: job.now, recordedBy: c.actorId },
      ]),
    );
  }
  return { lastRow, rows: job.rows.length, invalid, errors, warnings, warned, records };
}
