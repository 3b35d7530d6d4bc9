/**
 * Canaries: contact points the operator controls (given to the canaries of later exports), reports
 * of calls or messages to them, and the canaries found in a leaked table (service/canaries.ts).
 */
import type { FastifyPluginCallback } from 'fastify';
import { router, type AreaOptions } from '../route.ts';
import * as S from '../schemas.ts';

const LOOKUP_LIMIT = 16 * 1024 * 1024;

export const canaryRoutes: FastifyPluginCallback<AreaOptions> = (app, { services }, done) => {
  const route = router(app, services);
  const { canaries } = services;

  route({
    method: 'POST',
    url: '/canaries/contacts',
    tag: 'canaries',
    summary: 'Register a phone number or mailbox the operator controls, to be given to canaries (investigator, DPO)',
    body: S.NewContactPoint,
    status: 201,
    handler: async ({ body, ctx }) => canaries.addContactPoint(ctx, body.kind, body.value),
  });

  route({
    method: 'POST',
    url: '/canaries/hits',
    tag: 'canaries',
    summary:
      'Report a call or message to a contact point: { contact, at, quote }; ' +
      'confirmed only when it quotes canary-specific content',
    body: S.ContactReport,
    status: 201,
    handler: async ({ body, ctx }) => canaries.report(ctx, body),
  });

  route({
    method: 'GET',
    url: '/canaries/hits',
    tag: 'canaries',
    summary:
      'Reported calls and messages to the contact points, newest first (investigator, DPO); to an investigator, ' +
      'the disclosure a confirmed one names and its recipient by name',
    description: 'What the caller said stays sealed: it is never listed.',
    query: S.CanaryHitsQuery,
    handler: async ({ query, ctx }) => canaries.hits(ctx, query.limit ?? 100),
  });

  route({
    method: 'POST',
    url: '/canaries/lookup',
    tag: 'canaries',
    summary:
      'The canaries in a leaked table ({ rows: [{ field: cell }] }) and the disclosures they were minted for ' +
      '(investigator)',
    body: S.CanaryLookup,
    bodyLimit: LOOKUP_LIMIT,
    handler: async ({ body, ctx }) => ({ hits: await canaries.find(ctx, body.rows) }),
  });
  done();
};
