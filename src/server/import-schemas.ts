/**
 * The shapes (zod) of imports over HTTP (routes/imports.ts, service/import-jobs.ts): the query of an
 * upload and the job it becomes — a phase and counts of rows, never a value.
 */
import { z } from 'zod';

export const ImportQuery = z
  .object({
    recordType: z.string().min(1).max(32).default('birth'),
    format: z
      .enum(['csv', 'xlsx', 'jsonl'])
      .optional()
      .meta({ description: 'else told by the content type, then by the file’s bytes (an XLSX is a zip)' }),
  })
  .strict();

const RowError = z.object({ row: z.number().int().optional(), field: z.string(), rule: z.string() });

export const ImportJob = z.object({
  id: z.string(),
  status: z.enum(['queued', 'running', 'done', 'failed']),
  recordType: z.string(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  progress: z
    .object({
      phase: z.string().meta({
        description:
          'queued; count (the file’s rows counted, for files up to 64 MiB); import (rows validated and staged); ' +
          'done. A failed job keeps the phase it failed in',
      }),
      rowsRead: z.number().int().meta({ description: 'rows handed to validation' }),
      rowsValidated: z.number().int(),
      rowsInvalid: z.number().int(),
      rowsStored: z.number().int().meta({ description: 'rows stored, invisible until the whole file is published' }),
      rowsTotal: z.number().int().nullable().meta({ description: 'the file’s rows once counted, else null' }),
    })
    .meta({ description: 'counts of rows, never a value' }),
  result: z
    .object({
      importId: z.string(),
      format: z.string(),
      encoding: z.string().nullable(),
      rows: z.number().int(),
      created: z.number().int(),
      duplicates: z.number().int().meta({ description: 'rows already in the registry (imported before)' }),
      warnings: z.number().int(),
      warned: z.array(RowError).meta({ description: 'the first 100 warnings; the rows were imported' }),
    })
    .optional()
    .meta({ description: 'a done job: the import, published whole' }),
  error: z
    .object({
      code: z.string(),
      message: z.string(),
      details: z
        .object({ count: z.number().int().optional(), errors: z.array(RowError).optional() })
        .loose()
        .optional(),
    })
    .optional()
    .meta({
      description:
        'a failed job, nothing imported: ERR_IMPORT_INVALID_ROWS (details.count, details.errors: the first 100 ' +
        'invalid cells as row, field, rule), ERR_ENCODING, ERR_MALFORMED_FILE (line or row, rule), ' +
        'ERR_UNKNOWN_FIELD (a column), ERR_UNSAFE_ARCHIVE, ERR_FILE_TOO_LARGE, ERR_JOB_INTERRUPTED…',
    }),
});
