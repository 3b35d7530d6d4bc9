/**
 * The shapes (zod) of export requests listed (routes/export-lists.ts, service/export-lists.ts): a
 * data-protection officer's queue side by side with what each request asks, and a requester's own.
 */
import { z } from 'zod';

export const ExportListQuery = z
  .object({
    status: z.enum(['pending', 'approved', 'refused']).optional(),
    mine: z
      .enum(['true', 'false'])
      .transform((v) => v === 'true')
      .optional()
      .meta({ description: 'true: only your own requests (a DPO sees everyone’s by default)' }),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();

const Filter = z.object({
  recordType: z.string().optional(),
  organizationId: z.string().optional(),
  collectedFrom: z.string().optional(),
  collectedTo: z.string().optional(),
});

export const ListedExport = z.object({
  id: z.string(),
  kind: z.string().meta({ description: 'records (a bulk export), or a standing export such as a due list' }),
  status: z.enum(['pending', 'approved', 'refused']),
  requestedBy: z.string(),
  requestedAt: z.string(),
  purpose: z.string(),
  filter: Filter,
  fields: z.array(z.string()),
  format: z.string(),
  canaryAware: z.boolean(),
  validFrom: z.string().nullable().meta({ description: 'a standing export: the first day of its period' }),
  validTo: z.string().nullable().meta({ description: 'a standing export: the last day of its period' }),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  downloads: z.number().int(),
  justification: z.string().nullable().meta({ description: 'the requester’s, as written; never in the ledger' }),
  estimatedRows: z
    .number()
    .int()
    .nullable()
    .meta({
      description:
        'the records the filter selects now (poison and restricted records never leave, so the file may hold fewer); ' +
        'null for a standing export, which selects by district',
    }),
  requester: z.object({
    displayName: z.string().nullable(),
    roles: z.array(z.string()),
    organizationId: z.string().nullable(),
    organizationName: z.string().nullable(),
  }),
});

export const ExportList = z.object({
  exports: z.array(ListedExport),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});
