/**
 * The shapes (zod) of what the staff console needs beyond the rest of the API: a search whose
 * values travel in the body, the caller's own account, the policy editor's checks, an alert with its
 * context, and the ledger's health. For validation and the OpenAPI document alike.
 */
import { z } from 'zod';

export const SearchBody = z
  .object({
    motherPhone: z.string().min(1).max(32).optional(),
    fatherPhone: z.string().min(1).max(32).optional(),
    phone: z.string().min(1).max(32).optional(),
    residentId: z.string().min(1).max(32).optional(),
    name: z.string().min(1).max(64).optional(),
    plateNumber: z.string().min(1).max(16).optional(),
  })
  .strict()
  .describe('Exactly one of the search keys, as in GET /v1/records?…, in the body: no personal value in a URL');

export const Me = z.object({
  principalId: z.string(),
  displayName: z.string(),
  roles: z.array(z.string()),
  organization: z
    .object({ id: z.string(), name: z.string(), kind: z.string(), region: z.string().nullable() })
    .nullable(),
  wards: z.array(z.string()).describe('The wards of its care relationships'),
  districts: z.array(z.string()).describe('The districts it serves (GB/T 2260 county codes)'),
  patients: z.number().int().describe('How many patient relationships it holds (their records are not named)'),
  can: z
    .record(z.string(), z.boolean())
    .describe(
      'What the current policy lets it do, by console area: readRecords, collect, export, approve, viewAlerts, ' +
        'managePolicy, manageGuard, audit, aggregate, administer, trace, investigate, hashIdentifier, dueList, ' +
        'recordDose',
    ),
});

export const PolicyCurrent = z.object({
  version: z.number().int(),
  text: z.string().describe('The Cedar text of that version'),
});

export const PolicyTextBody = z.object({ text: z.string().min(1).max(200_000) }).strict();

export const PolicyPut = z
  .object({
    text: z.string().min(1).max(200_000),
    expectedVersion: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('The version the text was edited from: refused with ERR_CONFLICT if another was adopted since'),
  })
  .strict();

const Problem = z.object({
  message: z.string(),
  help: z.string().optional(),
  line: z.number().int().optional().describe('1-based, in characters'),
  column: z.number().int().optional(),
  endLine: z.number().int().optional(),
  endColumn: z.number().int().optional(),
});

export const PolicyCheck = z.object({
  ok: z.boolean(),
  errors: z.array(Problem).describe('Why the text does not parse, each at its place'),
  warnings: z.array(Problem).describe('It parses, but names an action no request asks about'),
});

const purpose = z
  .enum([
    'treatment',
    'vaccination',
    'birth_registration',
    'statistics',
    'partner_contact',
    'investigation',
    'data_subject_request',
  ])
  .optional();

export const PolicyPreviewBody = z
  .object({
    text: z.string().min(1).max(200_000).describe('The proposed Cedar text'),
    principalId: z.string().min(1).max(64),
    purpose,
    recordId: z.string().min(1).max(64).optional().describe("A real record: the principal's standing is its own"),
    recordType: z.string().min(1).max(32).optional().describe('Without a record: its type (default birth)'),
    standing: z
      .object({
        sameOrg: z.boolean().optional(),
        inCare: z.boolean().optional(),
        inDistrict: z.boolean().optional(),
        consented: z.boolean().optional(),
      })
      .strict()
      .optional()
      .describe('Without a record: the standing to assume (default none)'),
  })
  .strict();

const view = z.enum(['clear', 'masked', 'hidden']);

export const PolicyPreview = z.object({
  principal: z.object({ id: z.string(), displayName: z.string(), roles: z.array(z.string()), orgKind: z.string() }),
  purpose: z.string().nullable(),
  recordType: z.string(),
  standing: z.object({ sameOrg: z.boolean(), inCare: z.boolean(), inDistrict: z.boolean(), consented: z.boolean() }),
  currentVersion: z.number().int(),
  fields: z.array(z.object({ name: z.string(), current: view, proposed: view })),
  actions: z.array(z.object({ action: z.string(), current: z.boolean(), proposed: z.boolean() })),
  changed: z.array(z.string()).describe('Fields and actions whose verdict the proposed text changes'),
});

const AlertRow = z.object({
  id: z.string(),
  at: z.string(),
  principalId: z.string(),
  rule: z.string(),
  action: z.string(),
  detail: z.record(z.string(), z.unknown()).describe('Counts and thresholds only'),
  resolvedAt: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  resolution: z
    .enum(['lifted', 'kept_blocked'])
    .nullable()
    .describe('lifted: resolved, its block lifted; kept_blocked: reviewed, the block kept; null: open'),
});

export const AlertContext = z.object({
  alert: AlertRow,
  principal: z.object({
    id: z.string(),
    displayName: z.string().nullable(),
    roles: z.array(z.string()),
    organization: z.object({ id: z.string(), name: z.string(), kind: z.string() }).nullable(),
    blocked: z.boolean().describe('Blocked by the guard now'),
  }),
  activity: z.object({
    clearPerHour: z
      .array(z.object({ hour: z.string(), records: z.number().int() }))
      .describe('The last 24 hours (UTC hour starts), distinct records disclosed in clear'),
    clearPerDay: z
      .array(z.object({ day: z.string(), records: z.number().int() }))
      .describe('The last 28 days, Asia/Shanghai'),
    recentDisclosures: z
      .array(
        z.object({
          id: z.string(),
          at: z.string(),
          channel: z.string(),
          purpose: z.string(),
          records: z.number().int(),
          fields: z.number().int(),
        }),
      )
      .describe('The last 10, newest first'),
    alertsByRule: z.record(z.string(), z.number().int()).describe('Its alerts of the last 28 days, by rule'),
  }),
});

export const KeepBlockedBody = z
  .object({
    reason: z
      .enum(['confirmed_misuse', 'under_investigation', 'awaiting_explanation', 'credentials_compromised'])
      .describe('Why the block is kept (a closed list: no free text, which could name someone)'),
  })
  .strict();

export const KeptBlocked = AlertRow;

const CheckpointerRun = z.object({
  at: z.string().describe('When its last step ran'),
  signed: z.boolean().describe('Whether that step signed a checkpoint'),
  size: z.number().int().nullable(),
  error: z.string().nullable().describe("The step's error code, if it failed"),
  lastSignedAt: z.string().nullable().describe('When this process last signed one'),
});

const Verification = z.object({
  status: z.enum(['ok', 'failed', 'incomplete']).describe('incomplete: the time budget ran out first'),
  ok: z.boolean().nullable(),
  entries: z.number().int().describe('Entries checked'),
  checkpoints: z.number().int(),
  firstBadIndex: z.number().int().optional(),
  problem: z.string().optional(),
  cosignatures: z.object({ verified: z.number().int(), kept: z.number().int() }).optional(),
  startedAt: z.string(),
  ms: z.number(),
});

export const LedgerHealth = z.object({
  entries: z.number().int().describe('Entries written'),
  integrated: z.number().int().describe('Entries in the Merkle tree'),
  checkpoint: z
    .object({
      size: z.number().int(),
      root: z.string().describe('Base64, as in the checkpoint'),
      signedAt: z.string(),
      origin: z.string().describe("The log's name"),
      signatureValid: z.boolean().nullable().describe("Signed by the log's key (null: no key here to check)"),
      behind: z.number().int().describe('Entries written since'),
    })
    .nullable(),
  checkpoints: z.number().int(),
  witnesses: z.array(
    z.object({
      name: z.string(),
      configured: z.boolean(),
      lastCosignedSize: z.number().int().nullable(),
      onLatest: z
        .object({ valid: z.boolean(), at: z.string().nullable() })
        .nullable()
        .describe('Its cosignature on the latest checkpoint: valid under its key, and its time'),
    }),
  ),
  checkpointer: CheckpointerRun.nullable().describe('null when this process runs none'),
  lastVerification: Verification.nullable().describe('The last POST /v1/ledger/verify in this process'),
});

export const LedgerVerification = Verification;
