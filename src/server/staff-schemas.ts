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
        'managePolicy, manageGuard, audit, aggregate, administer, trace, investigate, hashIdentifier',
    ),
});
