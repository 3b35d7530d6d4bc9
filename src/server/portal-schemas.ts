/**
 * The shapes (zod) of the parents' portal and of what staff do toward families (invitations,
 * registered calls), for validation and the OpenAPI document alike (see schemas.ts). Phone numbers
 * and codes travel in bodies only, never in a URL.
 */
import { z } from 'zod';

const id = z.string().min(1).max(64);

const phone = z
  .string()
  .min(1)
  .max(32)
  .describe('a mainland mobile number: 11 digits; +86, spaces, dashes and full-width digits are accepted');

// --- Staff ----------------------------------------------------------------------------------------

export const Invitation = z.object({
  code: z.string().describe('shown once: print it on the discharge or registration paper (e.g. K7QM-3XPA-W9RT-HC4N)'),
  expiresAt: z.string().describe('the guardian must enrol before then (30 days)'),
});

export const NewCall = z
  .object({
    recordId: id,
    purpose: z
      .string()
      .min(1)
      .max(200)
      .describe('a purpose of the registry (e.g. `vaccination`) or a few words the family will see ("HepB dose 2")'),
    fromNumber: z
      .string()
      .min(3)
      .max(32)
      .regex(/^[\d+\-\s().\uFF10-\uFF19]+$/)
      .optional()
      .describe('the number the call comes from, if known'),
  })
  .strict();

export const RegisteredCall = z.object({
  id: z.string(),
  code: z.string().describe('4 digits, to say on the phone'),
  expiresAt: z.string().describe('15 minutes from now'),
});

// --- Guardians: getting in ------------------------------------------------------------------------

export const Enrol = z
  .object({
    code: z
      .string()
      .min(1)
      .max(64)
      .describe('the invitation code on the paper (case, spaces and dashes do not matter)'),
    phone,
  })
  .strict();

export const PortalLogin = z.object({ phone }).strict();

export const NewPortalSession = z
  .object({ phone, otp: z.string().min(1).max(16).describe('the 6-digit code of the SMS') })
  .strict();

export const Accepted = z
  .object({ status: z.literal('accepted'), message: z.string() })
  .describe('the same answer whether or not anything matched');

export const PortalSession = z.object({
  token: z.string().describe('a portal token (tvp_…), for the portal’s routes only'),
  expiresAt: z.string(),
});

export const PortalMe = z.object({
  guardianId: z.string(),
  expiresAt: z.string().describe('when this session ends'),
  children: z.array(
    z.object({
      id: z.string(),
      relation: z.enum(['mother', 'father']),
      enrolledAt: z.string(),
      erasedAt: z.string().nullable().meta({
        description: 'when the record was erased (it stays listed, and its history with it); null while it is not',
      }),
    }),
  ),
});

// --- Guardians: is this caller real? -------------------------------------------------------------

const ActiveCall = z.object({
  id: z.string(),
  childId: z.string(),
  who: z.object({
    role: z.string(),
    organization: z.string().nullable(),
    organizationKind: z.string().nullable(),
    staffName: z.string().nullable(),
  }),
  purpose: z.string(),
  legalBasis: z.string().optional(),
  code: z.string(),
  fromNumber: z.string().optional(),
  registeredAt: z.string(),
  expiresAt: z.string(),
});

export const ActiveCalls = z.object({ calls: z.array(ActiveCall) });

export const CallCheck = z
  .object({
    code: z.string().min(1).max(16).optional().describe('the code the caller said'),
    number: z.string().min(1).max(32).optional().describe('the number the call comes from'),
  })
  .strict();

export const Verdict = z.object({
  genuine: z.boolean(),
  calls: z.array(ActiveCall).optional().describe('genuine: the registered calls that match, with who and why'),
  message: z.string().optional().describe('not genuine: "no registered organisation is calling you now"'),
});
