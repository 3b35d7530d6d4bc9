/**
 * Request shapes (zod), shared by validation and the OpenAPI document, and the shapes of some
 * responses (for the document only). Field values of records are checked by the record type's
 * validators (schema/), not here.
 */
import { z } from 'zod';
import { ORG_KINDS, ROLES, canonicalOrgKind, canonicalRole } from '../access/roles.ts';
import { PURPOSES } from '../access/purposes.ts';
import { STATS_DIMENSIONS } from '../service/stats.ts';

const purpose = z.enum([...PURPOSES.keys()] as [string, ...string[]]);
const id = z.string().min(1).max(64);

export const Login = z.object({ login: z.string().max(64), password: z.string().max(256) }).strict();

export const Session = z.object({ token: z.string(), expiresAt: z.string(), principalId: z.string() });

export const NewOrganization = z
  .object({
    name: z.string().min(1).max(200),
    kind: z.preprocess((v) => (typeof v === 'string' ? canonicalOrgKind(v) : v), z.enum(ORG_KINDS)),
    region: z.string().max(12).optional(),
  })
  .strict();

export const NewPrincipal = z
  .object({
    displayName: z.string().min(1).max(200),
    roles: z
      .array(z.preprocess((v) => (typeof v === 'string' ? canonicalRole(v) : v), z.enum(ROLES)))
      .min(1)
      .max(9),
    organizationId: id.optional(),
    login: z.string().min(3).max(64).optional(),
    password: z.string().min(12).max(256).optional(),
    relationships: z
      .array(z.object({ kind: z.enum(['ward', 'patient', 'district']), value: z.string().min(1).max(100) }).strict())
      .max(1000)
      .optional(),
  })
  .strict();

/** A record: `{ recordType?, fields: {…} }`, or the fields themselves at the top level. */
export const RecordInput = z.record(z.string(), z.unknown());

export const RecordBatch = z
  .object({
    recordType: z.string().max(32).optional(),
    records: z.array(z.record(z.string(), z.unknown())).min(1).max(5000),
  })
  .strict();

export const ReadQuery = z
  .object({
    purpose: z.string().max(64).optional(),
    reveal: z.string().max(1000).optional(),
    justification: z.string().max(2000).optional(),
  })
  .strict();

export const SearchQuery = z
  .object({
    motherPhone: z.string().max(32).optional(),
    fatherPhone: z.string().max(32).optional(),
    phone: z.string().max(32).optional(),
    residentId: z.string().max(32).optional(),
    name: z.string().max(64).optional(),
    plateNumber: z.string().max(16).optional(),
  })
  .strict();

export const NewExport = z
  .object({
    purpose,
    filter: z
      .object({
        recordType: z.string().max(32).optional(),
        organizationId: id.optional(),
        collectedFrom: z.string().max(40).optional(),
        collectedTo: z.string().max(40).optional(),
      })
      .strict()
      .optional(),
    fields: z.array(z.string().max(64)).min(1).max(50),
    format: z.enum(['csv', 'xlsx', 'jsonl']),
    justification: z.string().max(2000).optional(),
    canaryAware: z.boolean().optional(),
  })
  .strict();

export const NewConsent = z
  .object({ organizationId: id, purpose: z.string().max(64).default('partner_contact') })
  .strict();

export const ConsentQuery = z.object({ purpose: z.string().max(64).default('partner_contact') }).strict();

export const StatsQuery = z
  .object({ groupBy: z.enum(STATS_DIMENSIONS).default('hospital'), recordType: z.string().max(32).optional() })
  .strict();

export const AlertsQuery = z
  .object({ since: z.string().max(40).optional(), limit: z.coerce.number().int().min(1).max(1000).optional() })
  .strict();

export const PolicyText = z.object({ text: z.string().min(1).max(200_000) }).strict();

export const HashIdentifier = z
  .object({ kind: z.enum(['recordId', 'phone', 'residentId', 'name', 'plate']), value: z.string().min(1).max(64) })
  .strict();

export const EraseQuery = z.object({ purpose: z.string().max(64).optional() }).strict();

/**
 * The ledger's proof queries. The ledger checks the numbers itself and answers c2sp's plain-text
 * errors, so these shapes document the parameters without refusing any value; a repeated key is
 * read as its first value (ledger/read-api.ts reads the URL).
 */
const proofNumber = (description: string) => z.string().optional().describe(description);
export const InclusionQuery = z.looseObject({
  index: proofNumber('the entry (0-based)'),
  size: proofNumber('the tree size of a checkpoint'),
});
export const ConsistencyQuery = z.looseObject({
  old: proofNumber('the older tree size'),
  size: proofNumber('the newer tree size'),
});

export const NewContactPoint = z
  .object({ kind: z.enum(['phone', 'mailbox']), value: z.string().min(3).max(320) })
  .strict();

export const ContactReport = z
  .object({ contact: z.string().min(3).max(320), at: z.string().max(40), quote: z.string().max(4000) })
  .strict();

export const CanaryHitsQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).optional() }).strict();

export const CanaryLookup = z.object({ rows: z.array(z.record(z.string(), z.unknown())).min(1).max(100_000) }).strict();

export const TraceQuery = z
  .object({
    format: z.enum(['csv', 'xlsx', 'json', 'jsonl', 'text']).optional(),
    epsilon: z.coerce.number().gt(0).lt(1).optional(),
  })
  .strict();

export const TraceReportQuery = z
  .object({
    format: z.enum(['json', 'html']).optional(),
    lang: z
      .enum(['zh-CN', 'en'])
      .optional()
      .meta({ description: 'the page’s language (default: Accept-Language, else zh-CN)' }),
  })
  .strict();

// --- Responses (documentation) ----------------------------------------------------------------

export const CreatedOrganization = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  region: z.string().nullable(),
});

/** One administrator's half of an enrolment (service/enrolments.ts), shown once. */
const EnrolmentHalf = z.object({
  code: z.string().describe('this administrator’s half, shown once: hand it to the person yourself'),
  expiresAt: z.string().describe('the person must enrol before then'),
});

export const CreatedPrincipal = z.object({
  id: z.string(),
  status: z
    .enum(['active', 'pending'])
    .describe('pending: the principal may act on records, or administers; a second administrator approves it'),
  token: z.string().optional().describe('active only: the API token, shown once'),
  enrolment: EnrolmentHalf.optional().describe('pending only: the creator’s half of the enrolment'),
  roles: z.array(z.string()),
  organizationId: z.string().nullable(),
});

export const ApprovedPrincipal = z.object({
  id: z.string(),
  status: z.literal('approved'),
  enrolment: EnrolmentHalf.describe('the approver’s half of the enrolment'),
});

export const PendingPrincipals = z.object({
  principals: z.array(
    z.object({
      id: z.string(),
      displayName: z.string(),
      roles: z.array(z.string()),
      organizationId: z.string().nullable(),
      createdBy: z.string(),
      createdAt: z.string(),
      expiresAt: z.string(),
      approvedBy: z.string().nullable(),
    }),
  ),
});

const enrolmentCode = z.string().min(1).max(100);

export const NewEnrolment = z
  .object({
    principalId: id,
    creatorCode: enrolmentCode,
    approverCode: enrolmentCode,
    password: z.string().min(12).max(256).optional(),
  })
  .strict();

export const Enrolled = z.object({
  id: z.string(),
  token: z.string().describe('the API token, shown once, to the person alone'),
});

const warnings = z
  .array(z.object({ row: z.number().optional(), field: z.string(), rule: z.string() }))
  .describe('the values were stored; worth a look: row (index in the request), field and rule, never the value');

export const CollectedRecord = z.object({ id: z.string(), recordType: z.string(), warnings });

export const CollectedBatch = z.object({
  count: z.number(),
  ids: z.array(z.string()),
  records: z.array(z.object({ id: z.string(), warnings })),
});

export const UpdatedRecord = z.object({ id: z.string(), changed: z.array(z.string()), warnings });

export const ResolvedAlert = z.object({ id: z.string(), resolved: z.literal(true) });

/** Aggregate counts (service/stats.ts; docs/adr/0011-statistics-that-cannot-be-differenced.md). */
export const StatsResult = z.object({
  groupBy: z.enum(STATS_DIMENSIONS),
  recordType: z.string(),
  minCell: z.number().describe('every shown cell counts at least this many records'),
  roundingBase: z
    .number()
    .describe('counts and total are multiples of it, randomly rounded (unbiased, within roundingBase - 1)'),
  total: z.number().nullable().describe('the sum of every cell as rounded, withheld ones included; null when small'),
  cells: z.array(
    z.object({
      value: z.string(),
      count: z.number().nullable().describe('rounded; null when withheld'),
      suppressed: z.boolean(),
    }),
  ),
});

export const RecordRefs = z.object({ recordRefs: z.array(z.string()) });

export const Health = z.object({ ok: z.literal(true) });
