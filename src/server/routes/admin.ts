/**
 * Organisations and principals, created by an administrator (service/directory.ts); a principal that
 * may act on records, or another administrator, approved by a second one and enrolled by the person
 * with both halves of its enrolment (service/enrolments.ts, ADR 0012).
 */
import type { FastifyPluginCallback } from 'fastify';
import { aliases } from '../aliases.ts';
import type { DirectoryPrincipal } from '../../store/repos/directory.ts';
import * as A from '../admin-schemas.ts';
import { router, type AreaOptions } from '../route.ts';
import * as S from '../schemas.ts';

/** A principal as the directory answers it: never a credential. */
function principalView(p: DirectoryPrincipal) {
  return {
    id: p.id,
    displayName: p.displayName,
    roles: [...p.roles],
    organizationId: p.orgId,
    organizationName: p.orgName,
    organizationKind: p.orgKind,
    login: p.login,
    status: p.status,
    createdAt: p.createdAt,
    createdBy: p.createdBy,
    disabledAt: p.disabledAt,
    relationships: p.relationships.map((r) => ({ kind: r.kind, value: r.value })),
  };
}

export const adminRoutes: FastifyPluginCallback<AreaOptions> = (app, { services }, done) => {
  const route = router(app, services);
  const admin = services.administration;

  route({
    method: 'GET',
    url: '/organizations',
    tag: 'admin',
    summary: 'The organisations, by name, with how many principals each has (administrator)',
    description: 'An administrator outside the operator sees its own organisation only.',
    response: { 200: A.Organizations },
    handler: async ({ ctx }) => ({ organizations: await admin.organisations(ctx) }),
  });

  route({
    method: 'GET',
    url: '/principals',
    tag: 'admin',
    summary: 'The principals, a page at a time: roles, organisation, relationships, status (administrator)',
    description:
      'Never a token, a password or an enrolment code. Filters: `organizationId`, `status` (active, pending, ' +
      'disabled), `role`; `limit` (default 50, at most 200) and `offset`; `total` counts every page. An ' +
      'administrator outside the operator sees its own organisation’s principals only.',
    query: A.PrincipalQuery,
    response: { 200: A.Principals },
    handler: async ({ ctx, query }) => {
      const page = await admin.principals(ctx, query);
      return { ...page, principals: page.principals.map(principalView) };
    },
  });

  route({
    method: 'GET',
    url: '/principals/{id}',
    tag: 'admin',
    summary: 'One principal, with its relationships and status (administrator)',
    description: 'One of another organisation (for an administrator outside the operator) is `404`.',
    response: { 200: A.Principal },
    handler: async ({ ctx, params }) => principalView(await admin.principal(ctx, params.id!)),
  });

  route({
    method: 'PUT',
    url: '/principals/{id}/relationships',
    tag: 'admin',
    summary: 'Replace a principal’s care relationships: wards, patients, districts (administrator)',
    description:
      'The whole list, as it is to be (an empty list removes them all); a ledger entry with counts by kind. A ' +
      'district is a GB/T 2260 county code (`400 ERR_INVALID_FIELD`, rule `districtCode`). Dual control holds: a ' +
      'principal created without a second administrator never gains relationships that would let it act on records ' +
      '(`403 ERR_FORBIDDEN`, rule `dualControl`). A disabled principal: `409`.',
    body: A.Relationships,
    response: { 200: A.Principal },
    handler: async ({ ctx, params, body }) =>
      principalView(await admin.setRelationships(ctx, params.id!, body.relationships)),
  });

  route({
    method: 'DELETE',
    url: '/principals/{id}',
    tag: 'admin',
    summary:
      'Disable a principal (administrator): its token, password and sessions revoked at once; kept for the record',
    description:
      'The principal stays in the directory and in every history, with `status: "disabled"`; any request with its ' +
      'token or a session of it is `401` from then on (at once on this server; every other server of a ' +
      'PostgreSQL vault within a second, told by a notification, ADR 0027). A ledger entry ' +
      '(`principal.disable`). Never yourself (`403 ERR_FORBIDDEN`, rule `self`), nor the last active ' +
      'administrator (`409 ERR_CONFLICT`, rule `lastAdministrator`); disabled already: `409`.',
    response: { 200: A.Principal },
    handler: async ({ ctx, params }) => principalView(await admin.disable(ctx, params.id!)),
  });

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
