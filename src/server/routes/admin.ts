/**
 * Organisations and principals, created by an administrator (service/directory.ts); a principal that
 * may act on records, or another administrator, approved by a second one and enrolled by the person
 * with both halves of its enrolment (service/enrolments.ts, ADR 0012).
 */
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
    summary: 'Create a principal (administrator): its API token, or, under dual control, half of its enrolment',
    description:
      'A principal whose roles act on records (clinician, records clerk, vaccination nurse, DPO, investigator, ' +
      'partner, or any the current policy lets act on a record) or an administrator is `pending`: no token, and ' +
      'no `password` (`400 ERR_BAD_REQUEST`, rule `setAtEnrolment`); the creator receives `enrolment.code`, a ' +
      'second administrator approves (`POST /v1/principals/{id}/approve`) and receives the other half, and the ' +
      'person enrols with both (`POST /v1/enrolments`). Any other principal is `active` at once, with its token. ' +
      'An administrator outside the operator creates principals of its own organisation only. ' +
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
      return { ...r, roles: body.roles, organizationId: orgId };
    },
  });

  route({
    method: 'GET',
    url: '/principals/pending',
    tag: 'admin',
    summary: 'Principals waiting for a second administrator or for their enrolment (administrator)',
    response: { 200: S.PendingPrincipals },
    handler: async ({ ctx }) => ({
      principals: (await services.directory.pending(ctx)).map((p) => ({
        id: p.principalId,
        displayName: p.displayName,
        roles: p.roles,
        organizationId: p.orgId,
        createdBy: p.createdBy,
        createdAt: p.createdAt,
        expiresAt: p.expiresAt,
        approvedBy: p.approvedBy,
      })),
    }),
  });

  route({
    method: 'POST',
    url: '/principals/{id}/approve',
    tag: 'admin',
    summary: 'Approve a pending principal (a second administrator): the other half of its enrolment, shown once',
    description:
      'Never by its creator (`403 ERR_SELF_APPROVAL`); once (`409 ERR_CONFLICT`); within seven days of its ' +
      'creation (`410 ERR_EXPIRED`).',
    response: { 200: S.ApprovedPrincipal },
    handler: async ({ params, ctx }) => {
      const r = await services.directory.approve(ctx, params.id!);
      return { id: r.id, status: 'approved', enrolment: { code: r.code, expiresAt: r.expiresAt } };
    },
  });

  route({
    method: 'POST',
    url: '/enrolments',
    auth: false,
    tag: 'auth',
    summary: 'Enrol (the person): both halves of an approved enrolment give the API token, shown once',
    description:
      'No bearer token. Sets the password too when one is given and the principal has a login. Whatever is ' +
      'wrong (unknown principal, a wrong half, not approved, expired, already enrolled) is one answer: ' +
      '`401 ERR_UNAUTHENTICATED`.',
    body: S.NewEnrolment,
    bodyLimit: 4096,
    response: { 201: S.Enrolled },
    status: 201,
    handler: async ({ body, req }) => services.directory.enrol(req.id, body),
  });
  done();
};
