/**
 * The shapes (zod) of the vaccination clinic's due list and its standing exports
 * (service/due-lists.ts, ADR 0022), for validation and the OpenAPI document alike. Only dates and
 * counts travel in a URL; every personal value stays in a response body, masked unless it is a run's file.
 */
import { z } from 'zod';

const date = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .describe('a local date (Asia/Shanghai), YYYY-MM-DD');

export const DueListQuery = z
  .object({
    from: date.describe('the first day of the window (inclusive), YYYY-MM-DD'),
    to: date.describe('the last day of the window (inclusive), YYYY-MM-DD; at most 92 days after `from`'),
    limit: z.coerce.number().int().min(1).max(500).optional().describe('rows per page (default 100, at most 500)'),
    offset: z.coerce.number().int().min(0).optional().describe('rows to skip (default 0)'),
  })
  .strict();

const Dose = z.object({
  vaccine: z.string().describe('the stored code (HepB, DTaP, MMR…; schema/vaccines.ts)'),
  name: z.string().describe('its Chinese name (乙肝疫苗…)'),
  dose: z.number().int(),
  due: z.string().describe('YYYY-MM-DD, on the national schedule (2021 edition)'),
});

export const DueListPage = z.object({
  purpose: z.literal('vaccination'),
  from: z.string(),
  to: z.string(),
  total: z.number().int().describe('children on the list in all'),
  offset: z.number().int(),
  limit: z.number().int(),
  rows: z.array(
    z.object({
      id: z.string().describe('the record, for a dose given: PATCH /v1/records/{id}'),
      babyName: z.string().optional().describe('masked'),
      motherName: z.string().optional().describe('masked'),
      motherPhone: z.string().optional().describe('masked (138****5678)'),
      birthDate: z.string().optional().describe('absent when the policy hides the birth time'),
      due: z.array(Dose).describe('the doses due in the window, earliest first'),
      overdue: z.array(Dose).describe('doses due before the window and not given (catch-up)'),
      given: z
        .array(z.object({ vaccine: z.string(), name: z.string(), dose: z.number().int(), date: z.string() }))
        .describe('the doses given, dates masked to the month'),
    }),
  ),
});

export const NewStandingDueList = z
  .object({
    purpose: z.literal('vaccination').optional().describe('the only purpose of a due list'),
    format: z.enum(['csv', 'xlsx', 'jsonl']),
    validFrom: date.describe('the first day runs may be made (inclusive)'),
    validTo: date.describe('the last day runs may be made (inclusive); at most 366 days after validFrom'),
    justification: z
      .string()
      .max(2000)
      .optional()
      .describe('shown to the approver, stored sealed, never in the ledger'),
  })
  .strict();

export const RunWindow = z
  .object({
    from: date.optional().describe('the first due date listed (default: today)'),
    to: date.optional().describe('the last due date listed (default: 30 days after `from`; at most 92 days)'),
  })
  .strict();

export const RunList = z.object({
  runs: z.array(
    z.object({
      disclosureId: z.string(),
      at: z.string(),
      from: z.string(),
      to: z.string(),
      records: z.number().int().describe('rows in the file, canaries included'),
      sha256: z.string().describe("the file's SHA-256, also in the run's ledger entry"),
    }),
  ),
});

export const NewDose = z
  .object({
    vaccine: z.string().min(1).max(100).describe('the vaccine’s code (HepB) or a name clinics write (乙肝疫苗, 乙肝)'),
    dose: z.number().int().min(1).max(9),
    date: date.describe('the day it was given (not in the future)'),
    clinic: z.string().max(100).optional().describe('where it was given'),
  })
  .strict();

export const DoseAdded = z.object({
  id: z.string(),
  changed: z.array(z.string()).describe('["vaccinations"], or [] when that dose was already recorded'),
});
