/** Organisations and principals, created by an administrator (service/directory.ts). */
import type { FastifyPluginCallback } from 'fastify';
import { aliases } from '../aliases.ts';
import { router, type AreaOptions } from '../route.ts';
import * as S from '../schemas.ts';

export const adminRoutes: FastifyPluginCallback<AreaOptions> = (app, { services }, done) => {
  const route = router(app, services);

  route({
    method: 'POST',
    url: '/organizations',
    tag: 'admin',
    summary: 'Create an organisation (administrator)',
    body: S.NewOrganization,
    response: { 201: S.CreatedOrganization },
    status: 201,
    handler: async ({ body, ctx }) => {
      const id = await services.directory.createOrganisation(ctx, body);
      return { id, name: body.name, kind: body.kind, region: body.region ?? null };
    },
  });

  route({
    method: 'POST',
    url: '/principals',
    tag: 'admin',
    summary: 'Create a principal (administrator); its API token is returned once',
    description:
      'Also accepts `name` for `displayName`, `role` (one) for `roles`, `organisationId` for `organizationId`.',
    body: S.NewPrincipal,
    prepare: aliases,
    response: { 201: S.CreatedPrincipal },
    status: 201,
    handler: async ({ body, ctx }) => {
      const orgId = body.organizationId ?? null;
      const { displayName, roles, login, password, relationships } = body;
      const r = await services.directory.createPrincipal(ctx, {
        displayName,
        roles,
        orgId,
        login,
        password,
        relationships,
      });
      return { id: r.id, token: r.token, roles: body.roles, organizationId: orgId };
    },
  });
  done();
};
