/**
 * The parents' portal, a guardian's children (service/portal/history.ts): the list, each record as
 * the portal shows it (masked; reading it is a ledger entry), every access to it with its ledger
 * index and inclusion proof, and an entry's offline receipt. A portal token only; any id that is
 * not one of the session's own children — another family's, or none — is the same `404`.
 */
import type { FastifyPluginCallback } from 'fastify';
import { router, type AreaOptions } from '../route.ts';
import * as H from '../portal-history-schemas.ts';

const SAME_404 = 'Another family’s child and an id that does not exist are the same `404 ERR_NOT_FOUND`.';

export const portalChildrenRoutes: FastifyPluginCallback<AreaOptions> = (app, { services }, done) => {
  const route = router(app, services);
  const { history } = services.portal;

  route({
    method: 'GET',
    url: '/children',
    auth: 'portal',
    tag: 'portal',
    summary: 'Your children: id, relation and a label you can recognise (masked name, birth date, hospital)',
    description:
      'Only the session’s own children. Each listing is a read of the records, in the ledger. An erased ' +
      'child stays listed: `erased: true`, `erasedAt`, the label’s values `null`.',
    response: { 200: H.Children },
    handler: async ({ guardian }) => ({ children: await history.children(guardian!) }),
  });

  route({
    method: 'GET',
    url: '/children/{id}',
    auth: 'portal',
    tag: 'portal',
    summary: 'Your child’s record as the portal shows it, masked; reading it is recorded and shows in its history',
    description: `${SAME_404} Your own child whose record was erased: \`404 ERR_ERASED\` (its history remains).`,
    response: { 200: H.ChildRecord },
    handler: async ({ guardian, params }) => history.child(guardian!, params.id!),
  });

  route({
    method: 'GET',
    url: '/children/{id}/accesses',
    auth: 'portal',
    tag: 'portal',
    summary: 'Every event on your child’s record, newest first, each with its ledger index and inclusion proof',
    description:
      'Who (organisation, ward, role; the name only where the organisation publishes it), what, when and why ' +
      '(purpose and legal basis). Each entry carries its leaf input and an inclusion proof to `checkpoint`, the ' +
      'latest signed checkpoint with its cosignatures: the portal checks both in the browser against the keys ' +
      `pinned in the page. ${SAME_404}`,
    query: H.AccessesQuery,
    response: { 200: H.Accesses },
    handler: async ({ guardian, params, query }) =>
      history.accesses(guardian!, params.id!, query.before === undefined ? undefined : Number(query.before)),
  });

  route({
    method: 'GET',
    url: '/children/{id}/accesses/{index}/receipt',
    auth: 'portal',
    tag: 'portal',
    summary: 'An offline-verifiable receipt (c2sp tlog-proof) for one entry of your child’s history',
    description:
      'The entry, its inclusion proof and the cosigned checkpoint, as `tracevault ledger verify-receipt` checks ' +
      `it. An index that is not an entry about this child, or not yet in a checkpoint: \`404\`. ${SAME_404}`,
    produces: ['text/plain'],
    handler: async ({ guardian, params, reply }) => {
      const raw = params.index ?? '';
      const index = /^(0|[1-9][0-9]{0,15})$/.test(raw) && Number.isSafeInteger(Number(raw)) ? Number(raw) : -1;
      const receipt = await history.receipt(guardian!, params.id!, index);
      void reply
        .header('content-type', 'text/plain; charset=utf-8')
        .header('cache-control', 'no-store')
        .header('content-disposition', `attachment; filename="tracevault-receipt-${index}.txt"`);
      return receipt;
    },
  });
  done();
};

/**
 * What an organisation publishes to families of its staff (policy as data, `portal_publication`):
 * by default the organisation, ward and role; the staff member's name only once a DPO says so.
 */
export const publicationRoutes: FastifyPluginCallback<AreaOptions> = (app, { services }, done) => {
  const route = router(app, services);
  route({
    method: 'PUT',
    url: '/organizations/{id}/publication',
    tag: 'portal',
    summary: 'What families see of an organisation’s staff in their access history: names or not (DPO)',
    description:
      'Default, without a decision: the organisation, the ward and the role, never the name. A ledger entry ' +
      '(`policy.change`). Not a DPO: `403`; an unknown organisation: `404`, with no entry naming it.',
    body: H.Publication,
    response: { 200: H.PublicationSet },
    handler: async ({ body, params, ctx }) => {
      await services.portal.history.publishStaffNames(ctx, params.id!, body.staffNames);
      return { organizationId: params.id!, staffNames: body.staffNames };
    },
  });
  done();
};
