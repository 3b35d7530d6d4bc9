/**
 * Export requests as lists (service/export-lists.ts): the data-protection officer's approvals queue,
 * each request side by side with what it asks and who asks, and a requester's own requests.
 */
import type { FastifyPluginCallback } from 'fastify';
import { router, type AreaOptions } from '../route.ts';
import * as E from '../export-list-schemas.ts';

export const exportListRoutes: FastifyPluginCallback<AreaOptions> = (app, { services }, done) => {
  const route = router(app, services);

  route({
    method: 'GET',
    url: '/exports',
    tag: 'exports',
    summary: 'Export requests: a DPO’s queue (?status=pending) side by side with what each asks; your own otherwise',
    description:
      'A data-protection officer sees every request (`mine=true`: its own); anyone else its own only. Each with ' +
      'its fields, purpose, filter, format, the requester’s name, roles and organisation, the justification, and ' +
      '`estimatedRows` (the records the filter selects now). Pending requests oldest first, others newest first; ' +
      '`limit` (default 50, at most 200) and `offset`.',
    query: E.ExportListQuery,
    response: { 200: E.ExportList },
    handler: async ({ ctx, query }) => {
      const page = await services.exportLists.list(ctx, query);
      return {
        ...page,
        exports: page.exports.map(({ requester, ...x }) => ({
          ...x,
          requester: {
            displayName: requester.displayName,
            roles: requester.roles,
            organizationId: requester.orgId,
            organizationName: requester.orgName,
          },
        })),
      };
    },
  });
  done();
};
