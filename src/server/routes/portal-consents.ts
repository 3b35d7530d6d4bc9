/**
 * A guardian's consents for partners (service/portal/consents.ts), in the parents' portal: the
 * partners a child's record may be shown to and whether the guardian consented, a consent given, a
 * consent withdrawn (PIPL arts. 15 and 31). Portal tokens only; another family's child, like a record
 * that does not exist, is `404 ERR_NOT_FOUND`.
 */
import type { FastifyPluginCallback } from 'fastify';
import { z } from 'zod';
import { router, type AreaOptions } from '../route.ts';

const id = z.string().min(1).max(64);
const purpose = z
  .string()
  .max(64)
  .meta({ description: 'a purpose resting on consent: `partner_contact` (the default) is the only one' });

const PartnerConsent = z
  .object({
    consentId: z.string().meta({ description: 'what DELETE …/consents/{consentId} withdraws (the partner’s id)' }),
    organizationId: z.string(),
    organization: z.string().meta({ description: 'the partner’s name' }),
    purpose: z.string(),
    legalBasis: z.string(),
    state: z.enum(['granted', 'not_granted']),
    grantedAt: z.string().nullable(),
  })
  .meta({ description: 'one partner and purpose the record may be shown to, with the guardian’s consent or none' });

const PartnerConsents = z.object({ consents: z.array(PartnerConsent) });

const NewGuardianConsent = z
  .object({
    organizationId: id.meta({ description: 'the partner organisation (its consentId in the list)' }),
    purpose: purpose.optional(),
  })
  .strict();

const WithdrawQuery = z.object({ purpose: purpose.optional() }).strict();

export const portalConsentRoutes: FastifyPluginCallback<AreaOptions> = (app, { services }, done) => {
  const route = router(app, services);
  const { consents } = services.portal;

  route({
    method: 'GET',
    url: '/children/{id}/consents',
    auth: 'portal',
    tag: 'portal',
    summary: 'The partners your child’s record may be shown to, each with your consent (granted) or not',
    description: 'Another family’s child, or an id that is no child of yours: `404 ERR_NOT_FOUND`. A ledger entry.',
    response: { 200: PartnerConsents },
    handler: async ({ params, guardian }) => ({ consents: await consents.list(guardian!, params.id!) }),
  });

  route({
    method: 'POST',
    url: '/children/{id}/consents',
    auth: 'portal',
    tag: 'portal',
    summary: 'Consent to a partner: from now on it may contact you (purpose partner_contact)',
    description:
      'An earlier consent stands, with its time. Not a partner: `400 ERR_INVALID_FIELD` (`organizationId`); a ' +
      'purpose not resting on consent: `400 ERR_INVALID_FIELD` (`purpose`). A ledger entry (`consent.grant`).',
    body: NewGuardianConsent,
    response: { 201: PartnerConsent },
    status: 201,
    handler: async ({ params, body, guardian }) => consents.grant(guardian!, params.id!, body),
  });

  route({
    method: 'DELETE',
    url: '/children/{id}/consents/{consentId}',
    auth: 'portal',
    tag: 'portal',
    summary: 'Withdraw a consent (?purpose=partner_contact, the default): the partner’s next read is refused',
    description:
      '`consentId` is the partner organisation’s id, as listed. None standing: `404 ERR_NOT_FOUND`. A ledger ' +
      'entry (`consent.withdraw`).',
    query: WithdrawQuery,
    status: 204,
    handler: async ({ params, query, guardian }) =>
      consents.withdraw(guardian!, params.id!, params.consentId!, query.purpose),
  });
  done();
};
