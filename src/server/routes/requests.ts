/**
 * Guardians' rights requests, the staff's side (service/requests.ts): the requests about the
 * records of the caller's organisation (a data-protection officer: every organisation's), and their
 * decisions. Another organisation's request is `404`, as one that does not exist; an erasure is
 * decided by a DPO only (`403`).
 */
import type { FastifyPluginCallback } from 'fastify';
import { router, type AreaOptions } from '../route.ts';
import * as Q from '../requests-schemas.ts';

export const requestRoutes: FastifyPluginCallback<AreaOptions> = (app, { services }, done) => {
  const route = router(app, services);
  const requests = services.requests;

  route({
    method: 'GET',
    url: '/requests',
    tag: 'requests',
    summary: 'Guardians’ rights requests about your organisation’s records, newest first, with their deadlines',
    description:
      'Clinicians, records clerks and vaccination nurses see their organisation’s; a data-protection officer sees ' +
      'every organisation’s; anyone else `403`. `overdue`: still pending after the deadline. `kind` (or `type`): ' +
      'one kind only, e.g. `correction` — the organisation’s correction requests.',
    query: Q.RequestQuery,
    response: { 200: Q.StaffRequests },
    handler: async ({ ctx, query }) => ({
      requests: await requests.list(ctx, { status: query.status, kind: query.kind ?? query.type }),
    }),
  });

  route({
    method: 'POST',
    url: '/requests/{id}/decide',
    tag: 'requests',
    summary: 'Accept or refuse a pending request (a refusal’s reason is what the parent sees)',
    description:
      'A correction accepted becomes new versions of the record (an `update` entry); a restriction accepted lets ' +
      'only the `treatment` purpose reveal (`403 ERR_RESTRICTED` for any other); an erasure accepted destroys the ' +
      'record’s key — a DPO only (`403 ERR_FORBIDDEN` for others). Decided already: `409 ERR_CONFLICT`. A ' +
      'ledger entry (`rights.decide`), never with the reason.',
    body: Q.Decide,
    response: { 200: Q.StaffRequest },
    handler: async ({ ctx, params, body }) => requests.decide(ctx, params.id!, body),
  });
  done();
};
