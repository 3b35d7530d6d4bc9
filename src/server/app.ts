/**
 * The HTTP API (fastify): one plugin per area (routes/), each route declared once with its zod
 * shapes (route.ts), which feed both validation and the OpenAPI document at /openapi.json
 * (interactive reference at /docs). Bearer tokens (API tokens or sessions) on every /v1 path except
 * logging in and the ledger's public read paths; the parents' portal (/v1/portal) takes portal tokens
 * of its own (routes/portal.ts). Errors are coded (errors.ts); request logs name
 * the route pattern, the status and the request id, never a query string or a body (logging.ts).
 */
import fastifySwagger from '@fastify/swagger';
import type { Readable } from 'node:stream';
import Fastify, {
  type FastifyInstance,
  type FastifyPluginCallback,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import { randomBytesPooled } from '../crypto/random-pool.ts';
import { TracevaultError } from '../errors.ts';
import type { Services } from '../service/services.ts';
import { docsRoutes } from './docs.ts';
import { toErrorBody } from './errors.ts';
import { parseJsonBody } from './json-body.ts';
import { loggerOptions, logFailure, RequestLog, type LogDestination } from './logging.ts';
import { openApiOptions } from './openapi.ts';
import { portalStatic } from './portal-static.ts';
import { consoleStatic } from './console-static.ts';
import { router, type AreaOptions } from './route.ts';
import { adminRoutes } from './routes/admin.ts';
import { canaryRoutes } from './routes/canaries.ts';
import { dueListRoutes } from './routes/due-list.ts';
import { exportRoutes } from './routes/exports.ts';
import { exportListRoutes } from './routes/export-lists.ts';
import { importRoutes } from './routes/imports.ts';
import { guardRoutes } from './routes/guard.ts';
import { familyContactRoutes } from './routes/family-contact.ts';
import { ledgerRoutes } from './routes/ledger.ts';
import { oversightRoutes } from './routes/oversight.ts';
import { portalRoutes } from './routes/portal.ts';
import { portalRequestRoutes } from './routes/portal-requests.ts';
import { requestRoutes } from './routes/requests.ts';
import { portalChildrenRoutes, publicationRoutes } from './routes/portal-children.ts';
import { validationRuleRoutes } from './routes/validation-rules.ts';
import { portalReportRoutes } from './routes/portal-reports.ts';
import { portalConsentRoutes } from './routes/portal-consents.ts';
import { portalNoticeRoutes } from './routes/portal-notices.ts';
import { recordRoutes } from './routes/records.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { LEAK_TYPES, traceRoutes } from './routes/traces.ts';
import * as S from './schemas.ts';
import { serializerCompiler, validatorCompiler } from './validation.ts';

export interface ServerOptions {
  /** Where request logs go, one JSON line per request (pino); no logs without one. */
  readonly log?: LogDestination;
  /** Largest JSON body in bytes (default 1 MiB; batches and canary lookups 16 MiB, traces 64 MiB). */
  readonly bodyLimit?: number;
}

/** Headers on every answer (the onSend hook below adds them where a route has not set its own). */
const SAFETY_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' } as const;

/** The areas and where each is mounted. */
const AREAS: readonly (readonly [FastifyPluginCallback<AreaOptions>, string])[] = [
  [sessionRoutes, '/v1'],
  [adminRoutes, '/v1'],
  [recordRoutes, '/v1'],
  [exportRoutes, '/v1'],
  [dueListRoutes, '/v1'],
  [exportListRoutes, '/v1'],
  [importRoutes, '/v1'],
  [oversightRoutes, '/v1'],
  [guardRoutes, '/v1'],
  [canaryRoutes, '/v1'],
  [traceRoutes, '/v1'],
  [ledgerRoutes, '/v1/ledger'],
  [familyContactRoutes, '/v1'],
  [portalRoutes, '/v1/portal'],
  [requestRoutes, '/v1'],
  [portalRequestRoutes, '/v1/portal'],
  [portalConsentRoutes, '/v1/portal'],
  [portalNoticeRoutes, '/v1'],
  [portalReportRoutes, '/v1'],
  [portalChildrenRoutes, '/v1/portal'],
  [publicationRoutes, '/v1'],
  [validationRuleRoutes, '/v1'],
];

export async function buildServer(services: Services, opts: ServerOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(opts.log),
    logController: new RequestLog(),
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    genReqId: () => randomBytesPooled(9).toString('base64url'),
    routerOptions: { ignoreTrailingSlash: true },
    // A malformed or over-long URL is answered in our error format, without echoing the path.
    // Answered before any route (and its onSend hooks): the common headers are set here.
    frameworkErrors: (e, req, reply: FastifyReply) => {
      void reply
        .code(400)
        .headers({ ...SAFETY_HEADERS, 'x-request-id': req.id })
        .send(toErrorBody(e));
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // JSON bodies are parsed as they arrive, chunk by chunk, within the route's limit (json-body.ts).
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', async (req: FastifyRequest, payload: Readable) => {
    const declared = req.headers['content-length'];
    return parseJsonBody(payload, req.routeOptions.bodyLimit, declared === undefined ? undefined : Number(declared));
  });
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  // Leaked files uploaded for a trace, as they are (routes/traces.ts).
  const uploads = Object.keys(LEAK_TYPES).filter((t) => t !== 'text/plain' && t !== 'application/json');
  app.addContentTypeParser(uploads, { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  // Failures an operator must see: the unexpected, the ledger, the database out of reach or of space.
  const LOGGED = new Set(['ERR_INTERNAL', 'ERR_LEDGER_UNAVAILABLE', 'ERR_STORE_UNAVAILABLE', 'ERR_STORE_FULL']);
  app.setErrorHandler((e, req, reply) => {
    const body = toErrorBody(e);
    if (LOGGED.has(body.code)) logFailure(req, body.code, e);
    void reply.code(body.statusCode).header('cache-control', 'no-store').send(body);
  });
  app.setNotFoundHandler((_req, reply) => {
    void reply.code(404).send(toErrorBody(new TracevaultError('ERR_NOT_FOUND')));
  });
  app.addHook('onSend', async (req, reply) => {
    // Nothing leaves that a crash could still take back: a response may show what another
    // request committed a moment ago (store/dialect/sqlite.ts syncs the WAL after commits).
    await services.durable();
    void reply.header('x-request-id', req.id);
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', SAFETY_HEADERS['cache-control']);
    void reply.header('x-content-type-options', SAFETY_HEADERS['x-content-type-options']);
  });

  // The document collects the routes as they are declared: registered before them.
  await app.register(fastifySwagger, openApiOptions);
  for (const [area, prefix] of AREAS) await app.register(area, { prefix, services });
  await app.register(docsRoutes, { services });
  await app.register(portalStatic, { services });
  await app.register(consoleStatic, {});
  const route = router(app, services);
  route({
    method: 'GET',
    url: '/healthz',
    auth: false,
    tag: 'meta',
    summary: 'Liveness: { ok: true }',
    response: { 200: S.Health },
    handler: () => ({ ok: true }),
  });

  await app.ready();
  return app;
}
