/**
 * Sessions for people: a login and password give a bearer token for eight hours (argon2id
 * passwords, a throttle per address and a lockout per account: service/sessions.ts).
 */
import type { FastifyPluginCallback } from 'fastify';
import { router, type AreaOptions } from '../route.ts';
import * as S from '../schemas.ts';
import * as X from '../staff-schemas.ts';

export const sessionRoutes: FastifyPluginCallback<AreaOptions> = (app, { services }, done) => {
  const route = router(app, services);

  route({
    method: 'POST',
    url: '/sessions',
    auth: false,
    tag: 'auth',
    summary: 'Log in (people): a session token for eight hours',
    body: S.Login,
    response: { 201: S.Session },
    status: 201,
    handler: async ({ body, req }) => services.sessions.login(req.ip, body.login, body.password, req.id),
  });

  route({
    method: 'DELETE',
    url: '/sessions',
    tag: 'auth',
    summary: 'Log out: the bearer session ends',
    status: 204,
    handler: async ({ req, ctx }) => {
      const token = /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
      return services.sessions.logout(ctx, token);
    },
  });

  route({
    method: 'GET',
    url: '/me',
    tag: 'auth',
    summary: 'The caller: name, roles, organisation, wards and districts, what the policy lets it do (staff)',
    description: "For the console's navigation; never a token. The server still decides every request.",
    response: { 200: X.Me },
    handler: async ({ ctx }) => services.sessions.me(ctx),
  });
  done();
};
