/**
 * The shapes (zod) of the administrator's directory (routes/principals.ts, service/administration.ts):
 * organisations, principals with their status and care relationships. Never a token, a password or
 * an enrolment code.
 */
import { z } from 'zod';
import { ROLES, canonicalRole } from '../access/roles.ts';

const id = z.string().min(1).max(64);

export const Relationship = z
  .object({
    kind: z.enum(['ward', 'patient', 'district']).meta({
      description:
        'ward: a ward name in the principal’s hospital; patient: a record id; district: a GB/T 2260 county code ' +
        '(the children living there)',
    }),
    value: z.string().min(1).max(100),
  })
  .strict();

export const Relationships = z.object({ relationships: z.array(Relationship).max(1000) }).strict();

export const Organization = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  region: z.string().nullable(),
  createdAt: z.string(),
  principals: z.number().int().meta({ description: 'its principals not disabled' }),
});

export const Organizations = z.object({ organizations: z.array(Organization) });

const Status = z.enum(['active', 'pending', 'disabled']).meta({
  description:
    'pending: waiting for a second administrator or for its enrolment (no credential yet); disabled: refused ' +
    'with 401 since `disabledAt`, kept for the record',
});

export const PrincipalQuery = z
  .object({
    organizationId: id.optional(),
    status: Status.optional(),
    role: z.preprocess((v) => (typeof v === 'string' ? canonicalRole(v) : v), z.enum(ROLES)).optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();

export const Principal = z.object({
  id: z.string(),
  displayName: z.string(),
  roles: z.array(z.string()),
  organizationId: z.string().nullable(),
  organizationName: z.string().nullable(),
  organizationKind: z.string(),
  login: z.string().nullable().meta({ description: 'the account name for password logins, if any' }),
  status: Status,
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  disabledAt: z.string().nullable(),
  relationships: z.array(Relationship),
});

export const Principals = z.object({
  principals: z.array(Principal),
  total: z.number().int().meta({ description: 'principals matching, over all pages' }),
  limit: z.number().int(),
  offset: z.number().int(),
});
