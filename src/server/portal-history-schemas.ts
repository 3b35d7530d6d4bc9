/**
 * The shapes (zod) of a guardian's children and their access history in the parents' portal
 * (routes/portal-children.ts, service/portal/history.ts), for validation and the OpenAPI document.
 */
import { z } from 'zod';

const Label = z
  .object({
    name: z.string().nullable().meta({ description: 'the baby’s name, masked (张*明)' }),
    birthDate: z.string().nullable().meta({ description: 'the birth date (YYYY-MM-DD, Asia/Shanghai)' }),
    hospital: z.string().nullable(),
  })
  .meta({ description: 'what the family recognises the child by; nothing in clear but the hospital' });

const Child = z.object({
  id: z.string(),
  relation: z.enum(['mother', 'father']).meta({ description: 'how the guardian enrolled: as mother or father' }),
  enrolledAt: z.string(),
  erased: z.boolean().meta({
    description:
      'the record was erased (an accepted erasure request: its key destroyed). It stays listed with no label ' +
      'values; `GET /children/{id}` answers `404 ERR_ERASED`, its accesses still list every entry, the last `erased`',
  }),
  erasedAt: z.string().nullable().meta({ description: 'when the record was erased; null while it is not' }),
  label: Label,
});

export const Children = z.object({
  children: z.array(Child).meta({ description: 'the session’s own children only; each listing is a ledger entry' }),
});

export const ChildRecord = Child.extend({
  recordType: z.string(),
  createdAt: z.string(),
  fields: z
    .record(z.string(), z.unknown())
    .meta({ description: 'every field the record holds, masked as the registry masks it (public fields as they are)' }),
});

const AccessEntry = z.object({
  index: z.number().int().meta({ description: 'the entry’s ledger index (leaf index)' }),
  at: z.string(),
  kind: z
    .enum([
      'collected',
      'changed',
      'read',
      'revealed',
      'exported',
      'partner',
      'consent_given',
      'consent_withdrawn',
      'copied',
      'erased',
      'invitation',
      'enrolled',
      'portal_read',
      'call_registered',
      'call_checked',
      'call_reported',
      'request_made',
      'request_decided',
      'consents_listed',
      'notice_issued',
      'other',
    ])
    .meta({
      description:
        'what happened, for the family; `partner` is a read by a partner organisation; `request_made`, ' +
        '`request_decided`: a rights request about the record, and its decision; `notice_issued`: a trace ' +
        'confirmed a leak of the record and the family was told (PIPL art. 57); ' +
        '`consents_listed`: the partners allowed were listed',
    }),
  action: z.string().meta({ description: 'the ledger’s own action' }),
  outcome: z.enum(['ok', 'denied', 'blocked', 'error']),
  who: z.object({
    kind: z.enum(['staff', 'guardian', 'system']),
    you: z.boolean().meta({ description: 'the guardian of this session itself' }),
    role: z.string().nullable(),
    organization: z.string().nullable(),
    organizationKind: z.string().nullable(),
    ward: z.string().nullable().meta({ description: 'the ward or department of the member of staff, when known' }),
    staffName: z
      .string()
      .nullable()
      .meta({ description: 'only where the organisation’s policy publishes its staff’s names (default: not)' }),
  }),
  fields: z.array(z.string()).meta({ description: 'the fields revealed, changed or exported' }),
  purpose: z.string().nullable(),
  legalBasis: z.string().nullable(),
  leaf: z.string().meta({ description: 'the entry’s leaf input, base64: SHA-256(0x00 ‖ leaf) is its leaf hash' }),
  proof: z
    .array(z.string())
    .nullable()
    .meta({ description: 'inclusion proof (RFC 9162 §2.1.3) to `checkpoint`, base64 hashes; null until covered' }),
});

export const Accesses = z.object({
  childId: z.string(),
  checkpoint: z
    .string()
    .nullable()
    .meta({
      description:
        'the latest checkpoint its witnesses cosigned, with their cosignatures (c2sp tlog-checkpoint); ' +
        'for a log without witnesses, the latest checkpoint',
    }),
  size: z.number().int().meta({ description: 'the checkpoint’s tree size (0 without one)' }),
  truncated: z
    .boolean()
    .meta({ description: 'more, older entries: ask again with `before` the last entry’s index (500 an answer)' }),
  entries: z.array(AccessEntry).meta({ description: 'newest first' }),
});

export const Publication = z
  .object({
    staffNames: z
      .boolean()
      .meta({ description: 'whether families see the names of this organisation’s staff in their history' }),
  })
  .strict();

export const PublicationSet = z.object({ organizationId: z.string(), staffNames: z.boolean() });

export const AccessesQuery = z
  .object({
    before: z
      .string()
      .regex(/^(0|[1-9][0-9]{0,15})$/)
      .optional()
      .meta({ description: 'only entries of ledger index below this one (the next page)' }),
  })
  .strict();
