/**
 * The shapes (zod) of guardians' rights requests (service/requests.ts), the portal's side and the
 * staff's, for validation and the OpenAPI document alike. Free text (a reason, corrected values)
 * travels in bodies only, never in a URL.
 */
import { z } from 'zod';

const id = z.string().min(1).max(64);

export const Kind = z
  .enum(['copy', 'correction', 'restriction', 'erasure'])
  .describe(
    'copy: the record, every version (answered at once; GET /v1/portal/children/{id}/copy); correction: ' +
      'new values for some fields (decided by the record’s organisation); restriction: only treatment may reveal ' +
      'the record while it holds (decided by the record’s organisation); erasure: the record’s key is destroyed ' +
      '(decided by a data-protection officer)',
  );

const reason = z.string().max(1000);

export const NewRequest = z
  .object({
    childId: id.describe('one of your children (GET /v1/portal/me); any other id is 404'),
    kind: Kind,
    fields: z
      .record(z.string().min(1).max(64), z.unknown())
      .optional()
      .describe(
        'a correction only: the fields to correct and their corrected values, as the record type writes them ' +
          '(e.g. {"motherPhone": "13912345678", "babyName": "王小明"}); each is checked by the field’s rules at once',
      ),
    reason: reason.optional().describe('free text, kept sealed; never in a log or the ledger'),
  })
  .strict();

const Decision = z.enum(['accept', 'refuse']).nullable().describe('null while pending');

const common = {
  id: z.string(),
  kind: Kind,
  status: z.enum(['pending', 'accepted', 'refused']),
  createdAt: z.string(),
  deadline: z
    .string()
    .describe('the end of the 15th working day (Monday to Friday, UTC+8) after the day of the request'),
  fields: z.record(z.string(), z.unknown()).nullable().describe('a correction’s fields and corrected values'),
  reason: z.string().nullable().describe('the guardian’s reason, as written'),
  decision: Decision,
  answer: z.string().nullable().describe('the reason given with the decision: what the parent sees of a refusal'),
  decidedAt: z.string().nullable(),
};

export const GuardianRequest = z.object({ ...common, childId: z.string() });
export const GuardianRequests = z.object({ requests: z.array(GuardianRequest) });

export const StaffRequest = z.object({
  ...common,
  recordId: z.string(),
  overdue: z.boolean().describe('still pending after its deadline'),
});
export const StaffRequests = z.object({ requests: z.array(StaffRequest) });

export const RequestQuery = z
  .object({
    status: z.enum(['pending', 'accepted', 'refused']).optional(),
    kind: Kind.optional(),
    type: Kind.optional().describe('another spelling of `kind`'),
  })
  .strict();

export const Decide = z
  .object({
    decision: z.enum(['accept', 'refuse']),
    reason: reason
      .optional()
      .describe('required to refuse: the parent sees it; kept sealed, never in a log or the ledger'),
  })
  .strict();

export const CopyQuery = z.object({ format: z.enum(['json', 'pdf']).default('json') }).strict();

export const RecordCopy = z.object({
  childId: z.string(),
  recordType: z.string(),
  organizationId: z.string().nullable(),
  createdAt: z.string(),
  generatedAt: z.string(),
  disclosureId: z.string().describe('this copy is recorded as a disclosure to you; it appears in the history'),
  versions: z.array(
    z.object({
      field: z.string(),
      version: z.number(),
      value: z.unknown(),
      validFrom: z.string(),
      validTo: z.string().nullable(),
      recordedAt: z.string(),
    }),
  ),
});
