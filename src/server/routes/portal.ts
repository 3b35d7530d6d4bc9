/**
 * The parents' portal, its guardians' side (service/portal/): enrolling with a printed invitation,
 * logging in by one-time code, the session, and "is this caller real?". Enrol and log in answer
 * `202` with one body each whatever matched; wrong codes of any kind are one `401`. Portal routes
 * take a guardian's portal token (`auth: 'portal'`): a staff token is refused here, a portal token
 * on every staff route. Messages that could not be sent are logged by template and error class only,
 * never with the number.
 */
import type { FastifyPluginCallback } from 'fastify';
import { router, type AreaOptions } from '../route.ts';
import * as P from '../portal-schemas.ts';

export const portalRoutes: FastifyPluginCallback<AreaOptions> = (app, { services }, done) => {
  const route = router(app, services);
  const { access, calls, messages } = services.portal;
  messages.onFailure((f) =>
    app.log.warn({ channel: f.channel, template: f.template, error: f.error }, 'message not sent'),
  );

  route({
    method: 'POST',
    url: '/enrol',
    auth: false,
    tag: 'portal',
    summary: 'Enrol as a guardian: the invitation code and your phone number; always 202',
    description:
      'A one-time code (6 digits, 10 minutes, 5 tries) is sent by SMS only if the code is valid and the number is ' +
      'the mother’s or father’s on that record; the answer and its timing are the same either way. At most 5 codes ' +
      'an hour go to one number. More than 60 requests a minute from one address, or 20 an hour about one number ' +
      '(known or not): `429 ERR_RATE_LIMITED`.',
    body: P.Enrol,
    response: { 202: P.Accepted },
    status: 202,
    handler: async ({ body, req }) => access.enrol(req.ip, body),
  });

  route({
    method: 'POST',
    url: '/login',
    auth: false,
    tag: 'portal',
    summary: 'Log in as an enrolled guardian: your phone number; always 202',
    description: 'A one-time code is sent by SMS only if the number is an enrolled guardian’s; same answer either way.',
    body: P.PortalLogin,
    response: { 202: P.Accepted },
    status: 202,
    handler: async ({ body, req }) => access.login(req.ip, body),
  });

  route({
    method: 'POST',
    url: '/sessions',
    auth: false,
    tag: 'portal',
    summary: 'A portal session: the phone number and its one-time code',
    description:
      'A wrong, expired or spent code, or an unknown number: `401 ERR_UNAUTHENTICATED`, one answer. Five wrong ' +
      'tries kill a code; ten wrong codes in a day lock the number for the day.',
    body: P.NewPortalSession,
    response: { 201: P.PortalSession },
    status: 201,
    handler: async ({ body, req }) => access.openSession(req.ip, body, req.id),
  });

  route({
    method: 'DELETE',
    url: '/sessions',
    auth: 'portal',
    tag: 'portal',
    summary: 'Log out of the portal: the bearer session ends',
    status: 204,
    handler: async ({ req, guardian }) => {
      const token = /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
      return access.logout(guardian!, token);
    },
  });

  route({
    method: 'GET',
    url: '/me',
    auth: 'portal',
    tag: 'portal',
    summary: 'The guardian and the records it enrolled for (ids only): the scope of everything it may see',
    response: { 200: P.PortalMe },
    handler: async ({ guardian }) => {
      const g = guardian!;
      const children = await access.children(g);
      return {
        guardianId: g.guardian.id,
        expiresAt: g.guardian.sessionExpiresAt,
        children: children.map((c) => ({
          id: c.recordId,
          relation: c.relation,
          enrolledAt: c.enrolledAt,
          erasedAt: c.erasedAt,
        })),
      };
    },
  });

  route({
    method: 'GET',
    url: '/calls',
    auth: 'portal',
    tag: 'portal',
    summary: 'Registered calls to your children now: who (role, organisation, name), why, the code they will say',
    response: { 200: P.ActiveCalls },
    handler: async ({ guardian }) => ({ calls: await calls.active(guardian!) }),
  });

  route({
    method: 'POST',
    url: '/calls/verify',
    auth: 'portal',
    tag: 'portal',
    summary: 'Is this caller real? The code they said and/or their number, checked against your children’s calls',
    description: 'Genuine, with who and why; or "no registered organisation is calling you now". A ledger entry.',
    body: P.CallCheck,
    response: { 200: P.Verdict },
    handler: async ({ body, guardian }) => calls.verify(guardian!, body),
  });
  done();
};
