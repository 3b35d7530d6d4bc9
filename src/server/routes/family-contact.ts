/**
 * What staff do toward families: invite a record's guardians to the parents' portal, and register a
 * call before phoning a family, so the family can check it (service/portal/invitations.ts, calls.ts).
 */
import type { FastifyPluginCallback } from 'fastify';
import { router, type AreaOptions } from '../route.ts';
import * as P from '../portal-schemas.ts';

export const familyContactRoutes: FastifyPluginCallback<AreaOptions> = (app, { services }, done) => {
  const route = router(app, services);
  const { invitations, calls } = services.portal;

  route({
    method: 'POST',
    url: '/records/{id}/invitations',
    tag: 'portal',
    summary:
      "Invite a record's guardians to the parents' portal: a code shown once, to print (the record's organisation)",
    description:
      'The code is valid 30 days and kept only as a keyed hash. A guardian enrols with it and a phone number that ' +
      'is on the record (`POST /v1/portal/enrol`). A ledger entry (`invitation.issue`).',
    response: { 201: P.Invitation },
    status: 201,
    handler: async ({ params, ctx }) => invitations.issue(ctx, params.id!),
  });

  route({
    method: 'POST',
    url: '/calls',
    tag: 'portal',
    summary:
      'Register a call before phoning a family: a 4-digit code to say, valid 15 minutes (who may read the record)',
    description:
      'The family sees the call in the portal (`GET /v1/portal/calls`) and can check a caller ' +
      '(`POST /v1/portal/calls/verify`). A ledger entry (`call.register`).',
    body: P.NewCall,
    response: { 201: P.RegisteredCall },
    status: 201,
    handler: async ({ body, ctx }) => calls.register(ctx, body),
  });
  done();
};
