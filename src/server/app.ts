/**
 * The HTTP API (fastify). Each route is declared once, with its zod shapes, and that declaration
 * feeds both validation and the OpenAPI document at /openapi.json (docs page at /docs). Bearer
 * tokens (API tokens or sessions) on every /v1 path except logging in and the ledger's public
 * read paths. Request logs name the route pattern, the status and the request id — never a query
 * string or a body, which may hold a phone number or an id.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { randomBytes } from 'node:crypto';
import { TracevaultError } from '../errors.ts';
import type { Access, RequestContext } from '../access/access.ts';
import type { Principal } from '../store/vault.ts';
import type { Ledger } from '../ledger/log.ts';
import { ledgerRead } from '../ledger/read-api.ts';
import { receiptFor } from '../ledger/log.ts';
import { CONTENT_TYPES } from '../disclose/export-writer.ts';
import { toErrorBody } from './errors.ts';
import { openApiDocument, docsPage, type RouteDoc } from './openapi.ts';
import * as S from './schemas.ts';
import type { IndexScope } from '../schema/field-kind.ts';

export interface ServerOptions {
  readonly ledger: Ledger;
  /** One line per request (method, route, status, ms, request id). */
  readonly log?: (line: string) => void;
  /** Largest JSON body in bytes (default 1 MiB; batches 16 MiB). */
  readonly bodyLimit?: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

type Handler = (req: FastifyRequest, reply: FastifyReply, ctx: RequestContext) => Promise<unknown>;

interface RouteDef extends RouteDoc {
  readonly handler: Handler;
  readonly bodyLimit?: number;
}

const BATCH_LIMIT = 16 * 1024 * 1024;

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  throw new TracevaultError(issue.code === 'unrecognized_keys' ? 'ERR_UNKNOWN_FIELD' : 'ERR_BAD_REQUEST', {
    field: (issue.code === 'unrecognized_keys' ? issue.keys[0] : issue.path.join('.'))?.slice(0, 64) || undefined,
    rule: issue.code,
  });
}

/** A record body: `{ recordType?, fields }` or the fields at the top level (with an optional recordType). */
function recordBody(body: unknown): { recordType: string; organizationId?: string; fields: Record<string, unknown> } {
  const { organizationId, ...b } = parse(S.RecordInput, body);
  if (organizationId !== undefined && typeof organizationId !== 'string') throw new TracevaultError('ERR_BAD_REQUEST', { field: 'organizationId' });
  const recordType = typeof b.recordType === 'string' ? b.recordType : 'birth';
  if (b.fields !== undefined) {
    if (typeof b.fields !== 'object' || b.fields === null || Array.isArray(b.fields)) throw new TracevaultError('ERR_BAD_REQUEST', { field: 'fields' });
    return { recordType, organizationId, fields: b.fields as Record<string, unknown> };
  }
  const { recordType: _t, ...fields } = b;
  return { recordType, organizationId, fields };
}

const SEARCH_SCOPES: Readonly<Record<string, IndexScope>> = {
  motherPhone: 'phone', fatherPhone: 'phone', phone: 'phone', residentId: 'residentId', name: 'name', plateNumber: 'plate',
};

export async function buildServer(access: Access, opts: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    genReqId: () => randomBytes(9).toString('base64url'),
    routerOptions: { ignoreTrailingSlash: true },
  });
  const log = opts.log;
  const routes: RouteDef[] = [];

  app.addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit: 256 * 1024 }, (_req, body, done) => done(null, body));
  app.setErrorHandler((e, req, reply) => {
    const body = toErrorBody(e);
    if (body.code === 'ERR_INTERNAL' || body.code === 'ERR_LEDGER_UNAVAILABLE') log?.(`error ${req.id} ${body.code}${e instanceof Error ? ` ${e.name}` : ''}`);
    void reply.code(body.statusCode).header('cache-control', 'no-store').send(body);
  });
  app.setNotFoundHandler((_req, reply) => {
    void reply.code(404).send(toErrorBody(new TracevaultError('ERR_NOT_FOUND')));
  });
  app.addHook('onSend', async (req, reply) => {
    void reply.header('x-request-id', req.id);
    if (!reply.hasHeader('cache-control')) void reply.header('cache-control', 'no-store');
    void reply.header('x-content-type-options', 'nosniff');
  });
  if (log) {
    app.addHook('onResponse', async (req, reply) => {
      log(`${req.method} ${req.routeOptions.url ?? '(none)'} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)}ms ${req.id}`);
    });
  }

  const authenticate = async (req: FastifyRequest): Promise<Principal> => {
    const h = req.headers.authorization;
    const m = typeof h === 'string' ? /^Bearer\s+(\S{1,200})\s*$/i.exec(h) : null;
    if (!m) throw new TracevaultError('ERR_UNAUTHENTICATED');
    return access.authenticate(m[1]!);
  };

  const route = (def: RouteDef) => {
    routes.push(def);
    app.route({
      method: def.method, url: def.url.replace(/\{(\w+)\}/g, ':$1'), bodyLimit: def.bodyLimit,
      handler: async (req, reply) => {
        const principal = def.auth === false ? undefined : await authenticate(req);
        const ctx = { principal: principal!, requestId: req.id };
        const out = await def.handler(req, reply, ctx);
        if (out !== undefined && !reply.sent) return out;
        return reply;
      },
    });
  };

  const params = (req: FastifyRequest) => req.params as Record<string, string>;

  // --- Sessions ---------------------------------------------------------------------------------------
  route({
    method: 'POST', url: '/v1/sessions', auth: false, tag: 'auth', summary: 'Log in (people): a session token for eight hours', body: S.Login,
    handler: async (req, reply) => {
      const b = parse(S.Login, req.body);
      void reply.code(201);
      return access.login(req.ip, b.login, b.password, req.id);
    },
  });
  route({
    method: 'DELETE', url: '/v1/sessions', tag: 'auth', summary: 'Log out: the bearer session ends',
    handler: async (req, reply, ctx) => {
      await access.logout(ctx, /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? '')?.[1] ?? '');
      void reply.code(204).send();
    },
  });

  // --- Organisations and principals ---------------------------------------------------------------------
  route({
    method: 'POST', url: '/v1/organizations', tag: 'admin', summary: 'Create an organisation (administrator)', body: S.NewOrganization,
    handler: async (req, reply, ctx) => {
      const b = parse(S.NewOrganization, req.body);
      const id = await access.createOrganisation(ctx, b);
      void reply.code(201);
      return { id, name: b.name, kind: b.kind, region: b.region ?? null };
    },
  });
  route({
    method: 'POST', url: '/v1/principals', tag: 'admin', summary: 'Create a principal (administrator); its API token is returned once', body: S.NewPrincipal,
    handler: async (req, reply, ctx) => {
      // `name` for `displayName`, `role` for `roles`, `organisationId` for `organizationId`: as people write them.
      const raw = (typeof req.body === 'object' && req.body !== null ? { ...(req.body as Record<string, unknown>) } : req.body) as Record<string, unknown>;
      if (raw && typeof raw === 'object') {
        for (const [alias, name] of [['name', 'displayName'], ['organisationId', 'organizationId']] as const) {
          if (raw[name] === undefined && typeof raw[alias] === 'string') {
            raw[name] = raw[alias];
            delete raw[alias];
          }
        }
        if (raw.roles === undefined && typeof raw.role === 'string') {
          raw.roles = [raw.role];
          delete raw.role;
        }
      }
      const b = parse(S.NewPrincipal, raw);
      const r = await access.createPrincipal(ctx, { displayName: b.displayName, roles: b.roles, orgId: b.organizationId ?? null, login: b.login, password: b.password, relationships: b.relationships });
      void reply.code(201);
      return { id: r.id, token: r.token, roles: b.roles, organizationId: b.organizationId ?? null };
    },
  });

  // --- Records ------------------------------------------------------------------------------------------
  route({
    method: 'POST', url: '/v1/records', tag: 'records', summary: 'Collect one record: { recordType?, fields: {…} } or the fields at the top level', body: S.RecordInput,
    handler: async (req, reply, ctx) => {
      const { recordType, organizationId, fields } = recordBody(req.body);
      // Records are collected for the caller's own organisation; naming another is refused.
      if (organizationId !== undefined && organizationId !== ctx.principal.orgId) throw new TracevaultError('ERR_FORBIDDEN', { field: 'organizationId' });
      const r = await access.collect(ctx, recordType, fields);
      void reply.code(201).header('location', `/v1/records/${r.id}`);
      return { id: r.id, recordType, warnings: r.warnings };
    },
  });
  route({
    method: 'POST', url: '/v1/records/batch', tag: 'records', summary: 'Collect up to 5,000 records: all valid and stored, or none', body: S.RecordBatch, bodyLimit: BATCH_LIMIT,
    handler: async (req, reply, ctx) => {
      const b = parse(S.RecordBatch, Array.isArray(req.body) ? { records: req.body } : req.body);
      const rs = await access.collectMany(ctx, b.recordType ?? 'birth', b.records.map((r) => recordBody(r).fields));
      void reply.code(201);
      return { count: rs.length, ids: rs.map((r) => r.id), records: rs.map((r) => ({ id: r.id, warnings: r.warnings })) };
    },
  });
  route({
    method: 'GET', url: '/v1/records/{id}', tag: 'records', summary: 'Read a record: masked; with purpose and reveal=f1,f2 the allowed fields in clear (recorded as a disclosure)', query: S.ReadQuery,
    handler: async (req, _reply, ctx) => {
      const q = parse(S.ReadQuery, req.query);
      const header = req.headers['x-justification'];
      const reveal = q.reveal?.split(',').map((s) => s.trim()).filter(Boolean);
      return access.read(ctx, params(req).id!, { purpose: q.purpose, reveal, justification: q.justification ?? (typeof header === 'string' ? decodeURIComponent(header) : undefined) });
    },
  });
  route({
    method: 'GET', url: '/v1/records', tag: 'records', summary: 'Search by motherPhone, fatherPhone, phone, residentId, name or plateNumber (blind indexes); masked results', query: S.SearchQuery,
    handler: async (req, _reply, ctx) => {
      const q = parse(S.SearchQuery, req.query);
      const given = Object.entries(q).filter(([, v]) => v !== undefined);
      if (given.length !== 1) throw new TracevaultError('ERR_BAD_REQUEST', { rule: 'exactlyOneSearchParameter' });
      const [key, value] = given[0]!;
      return { records: await access.search(ctx, SEARCH_SCOPES[key]!, value!) };
    },
  });
  route({
    method: 'PATCH', url: '/v1/records/{id}', tag: 'records', summary: 'Record new versions of some fields ({ fields: {…} } or the fields)', body: S.RecordInput,
    handler: async (req, _reply, ctx) => {
      const { fields } = recordBody(req.body);
      const changed = await access.update(ctx, params(req).id!, fields);
      return { id: params(req).id, changed };
    },
  });
  route({
    method: 'DELETE', url: '/v1/records/{id}', tag: 'records', summary: 'Erase a record (data-protection officer, purpose=data_subject_request): its key is destroyed', query: S.EraseQuery,
    handler: async (req, reply, ctx) => {
      await access.erase(ctx, params(req).id!, parse(S.EraseQuery, req.query).purpose);
      void reply.code(204).send();
    },
  });

  // --- Exports ------------------------------------------------------------------------------------------
  route({
    method: 'POST', url: '/v1/exports', tag: 'exports', summary: 'Request a bulk export (purpose, filter, fields, format); it waits for approval', body: S.NewExport,
    handler: async (req, reply, ctx) => {
      const b = parse(S.NewExport, req.body);
      void reply.code(201);
      return access.requestExport(ctx, b);
    },
  });
  route({
    method: 'GET', url: '/v1/exports/{id}', tag: 'exports', summary: 'An export request and its status',
    handler: async (req, _reply, ctx) => access.export(ctx, params(req).id!),
  });
  route({
    method: 'POST', url: '/v1/exports/{id}/approve', tag: 'exports', summary: 'Approve an export (data-protection officer, never the requester)',
    handler: async (req, _reply, ctx) => access.decideExport(ctx, params(req).id!, true),
  });
  route({
    method: 'POST', url: '/v1/exports/{id}/refuse', tag: 'exports', summary: 'Refuse an export (data-protection officer)',
    handler: async (req, _reply, ctx) => access.decideExport(ctx, params(req).id!, false),
  });
  route({
    method: 'GET', url: '/v1/exports/{id}/file', tag: 'exports', summary: 'Download an approved export (its requester, before it expires); recorded as a disclosure',
    handler: async (req, reply, ctx) => {
      const f = await access.exportFile(ctx, params(req).id!);
      void reply.header('content-type', CONTENT_TYPES[f.format]).header('content-disposition', `attachment; filename="export-${params(req).id}.${f.format}"`)
        .header('x-disclosure-id', f.disclosureId).header('x-record-count', String(f.records));
      return reply.send(f.body);
    },
  });

  // --- Oversight ----------------------------------------------------------------------------------------
  route({
    method: 'GET', url: '/v1/alerts', tag: 'oversight', summary: 'Guard alerts, newest first (data-protection officer, auditor)', query: S.AlertsQuery,
    handler: async (req, _reply, ctx) => ({ alerts: await access.alerts(ctx, parse(S.AlertsQuery, req.query)) }),
  });
  route({
    method: 'POST', url: '/v1/alerts/{id}/resolve', tag: 'oversight', summary: 'Resolve an alert; a block it caused is lifted (data-protection officer)',
    handler: async (req, _reply, ctx) => {
      await access.resolveAlert(ctx, params(req).id!);
      return { id: params(req).id, resolved: true };
    },
  });
  route({
    method: 'GET', url: '/v1/stats', tag: 'oversight', summary: `Aggregate counts by hospital, birthYear, birthMonth, babySex or district; cells under 10 suppressed`, query: S.StatsQuery,
    handler: async (req, _reply, ctx) => {
      const q = parse(S.StatsQuery, req.query);
      return access.stats(ctx, q.groupBy, q.recordType);
    },
  });
  route({
    method: 'GET', url: '/v1/policies/current', tag: 'oversight', summary: 'The current policy, Cedar text (data-protection officer)',
    handler: async (_req, _reply, ctx) => access.getPolicy(ctx),
  });
  route({
    method: 'PUT', url: '/v1/policies/current', tag: 'oversight', summary: 'Replace the policy: { text } (data-protection officer); a ledger entry', body: S.PolicyText,
    handler: async (req, _reply, ctx) => access.setPolicy(ctx, parse(S.PolicyText, typeof req.body === 'string' ? { text: req.body } : req.body).text),
  });

  // --- Canaries ---------------------------------------------------------------------------------------
  route({
    method: 'POST', url: '/v1/canaries/contacts', tag: 'canaries', summary: 'Register a phone number or mailbox the operator controls, to be given to canaries (investigator, DPO)', body: S.NewContactPoint,
    handler: async (req, reply, ctx) => {
      const b = parse(S.NewContactPoint, req.body);
      void reply.code(201);
      return access.addContactPoint(ctx, b.kind, b.value);
    },
  });
  route({
    method: 'POST', url: '/v1/canaries/hits', tag: 'canaries', summary: 'Report a call or message to a contact point: { contact, at, quote }; confirmed only when it quotes canary-specific content', body: S.ContactReport,
    handler: async (req, reply, ctx) => {
      const b = parse(S.ContactReport, req.body);
      void reply.code(201);
      return access.reportContact(ctx, b);
    },
  });
  route({
    method: 'POST', url: '/v1/canaries/lookup', tag: 'canaries', summary: 'The canaries in a leaked table ({ rows: [{ field: cell }] }) and the disclosures they were minted for (investigator, DPO)', body: S.CanaryLookup, bodyLimit: BATCH_LIMIT,
    handler: async (req, _reply, ctx) => ({ hits: await access.findCanaries(ctx, parse(S.CanaryLookup, req.body).rows) }),
  });

  // --- Ledger ---------------------------------------------------------------------------------------------
  route({
    method: 'POST', url: '/v1/ledger/hash-identifier', tag: 'ledger', summary: 'The ledger references (keyed HMACs) of an identifier, for investigators (administrator)', body: S.HashIdentifier,
    handler: async (req, _reply, ctx) => {
      const b = parse(S.HashIdentifier, req.body);
      return access.hashIdentifier(ctx, b.kind, b.value);
    },
  });
  route({
    method: 'GET', url: '/v1/ledger/receipt/{index}', tag: 'ledger', summary: 'An offline-verifiable receipt (c2sp tlog-proof) for one entry', auth: false,
    handler: async (req, reply) => {
      const index = Number(params(req).index);
      if (!Number.isSafeInteger(index) || index < 0) throw new TracevaultError('ERR_BAD_REQUEST', { field: 'index' });
      const text = await receiptFor(access.vault.db, opts.ledger, index);
      return reply.header('content-type', 'text/plain; charset=utf-8').send(text);
    },
  });
  const ledgerPaths: RouteDoc[] = [
    { method: 'GET', url: '/v1/ledger/checkpoint', tag: 'ledger', summary: 'The latest signed checkpoint with its cosignatures (c2sp tlog-checkpoint)', auth: false },
    { method: 'GET', url: '/v1/ledger/tile/{L}/{N}', tag: 'ledger', summary: 'A hash tile (c2sp tlog-tiles); partial tiles as …/N.p/W', auth: false },
    { method: 'GET', url: '/v1/ledger/tile/entries/{N}', tag: 'ledger', summary: 'An entry bundle (c2sp tlog-tiles); partial bundles as …/N.p/W', auth: false },
    { method: 'GET', url: '/v1/ledger/proof/inclusion', tag: 'ledger', summary: 'Inclusion proof: ?index=I&size=S', auth: false },
    { method: 'GET', url: '/v1/ledger/proof/consistency', tag: 'ledger', summary: 'Consistency proof: ?old=M&size=N', auth: false },
  ];
  routes.push(...ledgerPaths.map((d) => ({ ...d, handler: async () => undefined })));
  for (const path of ['/v1/ledger/checkpoint', '/v1/ledger/tile/*', '/v1/ledger/proof/*']) {
    app.get(path, async (req, reply) => {
      const url = new URL(req.url, 'http://x');
      const r = await ledgerRead(access.vault.db, opts.ledger, url.pathname.slice('/v1/ledger/'.length), url.searchParams);
      return reply.code(r.status).header('content-type', r.contentType).header('cache-control', r.cacheControl).send(r.body);
    });
  }

  // --- Documentation ------------------------------------------------------------------------------------
  app.get('/openapi.json', async () => openApiDocument(routes));
  app.get('/docs', async (_req, reply) => reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'").send(docsPage(routes)));
  app.get('/healthz', async () => ({ ok: true }));

  await app.ready();
  return app;
}
