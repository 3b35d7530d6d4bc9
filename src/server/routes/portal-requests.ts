/**
 * The parents' portal, its rights side (service/requests.ts): a guardian's requests about its own
 * children — copy, correction, restriction, erasure — their answers, and the copy itself. Portal
 * tokens only (`auth: 'portal'`); another family's child id and an id that does not exist are the
 * same `404`.
 */
import type { FastifyPluginCallback } from 'fastify';
import { router, type AreaOptions } from '../route.ts';
import * as Q from '../requests-schemas.ts';
import { copyPdf } from '../../service/requests-pdf.ts';

export const portalRequestRoutes: FastifyPluginCallback<AreaOptions> = (app, { services }, done) => {
  const route = router(app, services);
  const requests = services.requests;

  route({
    method: 'POST',
    url: '/requests',
    auth: 'portal',
    tag: 'portal',
    summary: 'Ask for a copy, a correction, a restriction or the erasure of your child’s record',
    description:
      'PIPL arts. 44–47 (a guardian acts for a child under 14, art. 31). Answered by the end of the 15th working ' +
      'day; a copy at once. A correction’s values are checked now: `400 ERR_INVALID_FIELD` names the field and ' +
      'rule. A ledger entry (`rights.request`: kind and field names, never values or the reason). At most 10 ' +
      'requests a day per guardian: `429 ERR_RATE_LIMITED`.',
    body: Q.NewRequest,
    response: { 201: Q.GuardianRequest },
    status: 201,
    handler: async ({ body, guardian }) => requests.submit(guardian!, body),
  });

  route({
    method: 'GET',
    url: '/requests',
    auth: 'portal',
    tag: 'portal',
    summary: 'Your requests, newest first: status, deadline, decision and its reason',
    response: { 200: Q.GuardianRequests },
    handler: async ({ guardian }) => ({ requests: await requests.mine(guardian!) }),
  });

  route({
    method: 'GET',
    url: '/children/{id}/copy',
    auth: 'portal',
    tag: 'portal',
    summary: 'A copy of your child’s record: every version of every field, as JSON or PDF',
    description:
      'Recorded as a disclosure to you (its id in `x-disclosure-id`) and a ledger entry (`rights.copy`); the ' +
      'values are marked as every disclosure’s are. `format=pdf` gives a PDF document. At most 20 copies an ' +
      'hour per guardian: `429 ERR_RATE_LIMITED`.',
    query: Q.CopyQuery,
    response: { 200: Q.RecordCopy },
    produces: ['application/json', 'application/pdf'],
    handler: async ({ params, query, guardian, reply }) => {
      const copy = await requests.copy(guardian!, params.id!, query.format);
      void reply.header('x-disclosure-id', copy.disclosureId);
      if (query.format !== 'pdf') return copy;
      const pdf = await copyPdf(copy);
      return reply
        .type('application/pdf')
        .header('content-disposition', 'attachment; filename="record-copy.pdf"')
        .send(pdf);
    },
  });
  done();
};
