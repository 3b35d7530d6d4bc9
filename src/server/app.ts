/**
 * The HTTP API (fastify). Each route is declared once, with its zod shapes, and that declaration
 * feeds both validation and the OpenAPI document at /openapi.json (docs page at /docs). Bearer
 * tokens (API tokens or sessions) on every /v1 path except logging in and the ledger's public
 * read paths. Request logs name the route pattern, the status and the request id — never a query
 * string or a body, which may hold a phone number or an id.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { randomBytesPooled } from '../crypto/random-pool.ts';
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
import { LEAK_FORMATS, leakFromJson, readLeakBytes, type LeakFormat, type LeakTable } from '../trace/leak-file.ts';
import { renderHtml } from '../trace/report.ts';

export interface ServerOptions {
  readonly ledger: Ledger;
  /** One line per request (method, route, status, ms, request id). */
  readonly log?: (line: string) => void;
  /** Largest JSON body in bytes (default 1 MiB; batches 16 MiB). */
  readonly bodyLimit?: number;
}

/** What a handler gets: the body and query already checked against the route's own shapes. */
interface Input<B, Q> {
  readonly body: B;
  readonly query: Q;
  readonly params: Readonly<Record<string, string>>;
  readonly ctx: RequestContext;
  readonly req: FastifyRequest;
  readonly reply: FastifyReply;
}

interface RouteDef<B, Q> extends RouteDoc {
  readonly body?: z.ZodType<B>;
  readonly query?: z.ZodType<Q>;
  /** Rewrites the raw body before it is checked (aliases, other shapes of the same request). */
  readonly prepare?: (raw: unknown) => unknown;
  /** The status of a success (default 200; 204 sends no body). */
  readonly status?: number;
  readonly bodyLimit?: number;
  readonly handler: (input: Input<B, Q>) => Promise<unknown>;
}

const BATCH_LIMIT = 16 * 1024 * 1024;
const TRACE_LIMIT = 64 * 1024 * 1024;

/** Upload content types of a leak, and the format each means. */
const LEAK_TYPES: Readonly<Record<string, LeakFormat>> = {
  'text/csv': 'csv', 'text/plain': 'text', 'application/json': 'json', 'application/x-ndjson': 'jsonl', 'application/jsonl': 'jsonl',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx', 'application/octet-stream': 'csv',
};

/**
 * A trace upload as a leak: the file as the body (its content type says the format; ?format=
 * overrides), or JSON — the rows themselves ({ rows: [...] } or an array), or
 * { content, format, encoding: "base64" | "utf8" } for a file inside JSON.
 */
async function leakOfUpload(body: unknown, contentType: string, format: string | undefined): Promise<LeakTable> {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  const wanted = format as LeakFormat | undefined;
  if (Buffer.isBuffer(body)) return readLeakBytes(body, wanted ?? LEAK_TYPES[type] ?? 'csv');
  if (typeof body === 'string') return readLeakBytes(Buffer.from(body, 'utf8'), wanted ?? 'text');
  if (typeof body === 'object' && body !== null && !Array.isArray(body) && typeof (body as { content?: unknown }).content === 'string') {
    const b = body as { content: string; format?: unknown; encoding?: unknown };
    const f = (typeof b.format === 'string' ? b.format : wanted) ?? 'csv';
    if (!(LEAK_FORMATS as readonly string[]).includes(f)) throw new TracevaultError('ERR_UNSUPPORTED_FORMAT');
    return readLeakBytes(Buffer.from(b.content, b.encoding === 'base64' ? 'base64' : 'utf8'), f as LeakFormat);
  }
  return leakFromJson(body);
}

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
function recordBody(body: Readonly<Record<string, unknown>>): { recordType: string; organizationId?: string; fields: Record<string, unknown> } {
  const { organizationId, ...b } = body;
  if (organizationId !== undefined && typeof organizationId !== 'string') throw new TracevaultError('ERR_BAD_REQUEST', { field: 'organizationId' });
  const recordType = typeof b.recordType === 'string' ? b.recordType : 'birth';
  if (b.fields !== undefined) {
    if (typeof b.fields !== 'object' || b.fields === null || Array.isArray(b.fields)) throw new TracevaultError('ERR_BAD_REQUEST', { field: 'fields' });
    return { recordType, organizationId, fields: b.fields as Record<string, unknown> };
  }
  const { recordType: _t, ...fields } = b;
  return { recordType, organizationId, fields };
}

/** `name` for `displayName`, `role` for `roles`, `organisationId` for `organizationId`: as people write them. */
function aliases(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const out: Record<string, unknown> = { ...raw };
  for (const [alias, name] of [['name', 'displayName'], ['organisationId', 'organizationId']] as const) {
    if (out[name] === undefined && typeof out[alias] === 'string') {
      out[name] = out[alias];
      delete out[alias];
    }
  }
  if (out.roles === undefined && typeof out.role === 'string') {
    out.roles = [out.role];
    delete out.role;
  }
  return out;
}

const SEARCH_SCOPES: Readonly<Record<string, IndexScope>> = {
  motherPhone: 'phone', fatherPhone: 'phone', phone: 'phone', residentId: 'residentId', name: 'name', plateNumber: 'plate',
};

export async function buildServer(access: Access, opts: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    genReqId: () => randomBytesPooled(9).toString('base64url'),
    routerOptions: { ignoreTrailingSlash: true },
  });
  const log = opts.log;
  const routes: RouteDoc[] = [];

  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  // Leaked files uploaded for a trace, as they are.
  app.addContentTypeParser(Object.keys(LEAK_TYPES).filter((t) => t !== 'text/plain' && t !== 'application/json'), { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.setErrorHandler((e, req, reply) => {
    const body = toErrorBody(e);
    if (body.code === 'ERR_INTERNAL' || body.code === 'ERR_LEDGER_UNAVAILABLE') log?.(`error ${req.id} ${body.code}${e instanceof Error ? ` ${e.name}` : ''}`);
    void reply.code(body.statusCode).header('cache-control', 'no-store').send(body);
  });
  app.setNotFoundHandler((_req, reply) => {
    void reply.code(404).send(toErrorBody(new TracevaultError('ERR_NOT_FOUND')));
  });
  app.addHook('onSend', async (req, reply) => {
    // Nothing leaves that a crash could still take back: a response may show what another
    // request committed a moment ago (store/dialect/sqlite.ts syncs the WAL after commits).
    await access.vault.db.durable();
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

  const route = <B = undefined, Q = undefined>(def: RouteDef<B, Q>) => {
    routes.push(def);
    app.route({
      method: def.method, url: def.url.replace(/\{(\w+)\}/g, ':$1'), bodyLimit: def.bodyLimit,
      handler: async (req, reply) => {
        const principal = def.auth === false ? undefined : await authenticate(req);
        const body = (def.body ? parse(def.body, def.prepare ? def.prepare(req.body) : req.body) : undefined) as B;
        const query = (def.query ? parse(def.query, req.query) : undefined) as Q;
        const ctx = { principal: principal!, requestId: req.id };
        const out = await def.handler({ body, query, params: req.params as Record<string, string>, ctx, req, reply });
        if (reply.sent) return reply;
        if (def.status) void reply.code(def.status);
        return def.status === 204 ? reply.send() : out;
      },
    });
  };

  // --- Sessions ---------------------------------------------------------------------------------------
  route({
    method: 'POST', url: '/v1/sessions', auth: false, tag: 'auth', summary: 'Log in (people): a session token for eight hours', body: S.Login, status: 201,
    handler: async ({ body, req }) => access.login(req.ip, body.login, body.password, req.id),
  });
  route({
    method: 'DELETE', url: '/v1/sessions', tag: 'auth', summary: 'Log out: the bearer session ends', status: 204,
    handler: async ({ req, ctx }) => access.logout(ctx, /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? '')?.[1] ?? ''),
  });

  // --- Organisations and principals ---------------------------------------------------------------------
  route({
    method: 'POST', url: '/v1/organizations', tag: 'admin', summary: 'Create an organisation (administrator)', body: S.NewOrganization, status: 201,
    handler: async ({ body, ctx }) => ({ id: await access.createOrganisation(ctx, body), name: body.name, kind: body.kind, region: body.region ?? null }),
  });
  route({
    method: 'POST', url: '/v1/principals', tag: 'admin', summary: 'Create a principal (administrator); its API token is returned once', body: S.NewPrincipal, prepare: aliases, status: 201,
    handler: async ({ body, ctx }) => {
      const orgId = body.organizationId ?? null;
      const r = await access.createPrincipal(ctx, { displayName: body.displayName, roles: body.roles, orgId, login: body.login, password: body.password, relationships: body.relationships });
      return { id: r.id, token: r.token, roles: body.roles, organizationId: orgId };
    },
  });

  // --- Records ------------------------------------------------------------------------------------------
  route({
    method: 'POST', url: '/v1/records', tag: 'records', summary: 'Collect one record: { recordType?, fields: {…} } or the fields at the top level', body: S.RecordInput, status: 201,
    handler: async ({ body, ctx, reply }) => {
      const { recordType, organizationId, fields } = recordBody(body);
      // Records are collected for the caller's own organisation; naming another is refused.
      if (organizationId !== undefined && organizationId !== ctx.principal.orgId) throw new TracevaultError('ERR_FORBIDDEN', { field: 'organizationId' });
      const r = await access.collect(ctx, recordType, fields);
      void reply.header('location', `/v1/records/${r.id}`);
      return { id: r.id, recordType, warnings: r.warnings };
    },
  });
  route({
    method: 'POST', url: '/v1/records/batch', tag: 'records', summary: 'Collect up to 5,000 records: all valid and stored, or none', body: S.RecordBatch, bodyLimit: BATCH_LIMIT, status: 201,
    prepare: (raw) => (Array.isArray(raw) ? { records: raw } : raw),
    handler: async ({ body, ctx }) => {
      const rs = await access.collectMany(ctx, body.recordType ?? 'birth', body.records.map((r) => recordBody(r).fields));
      return { count: rs.length, ids: rs.map((r) => r.id), records: rs.map((r) => ({ id: r.id, warnings: r.warnings })) };
    },
  });
  route({
    method: 'GET', url: '/v1/records/{id}', tag: 'records', summary: 'Read a record: masked; with purpose and reveal=f1,f2 the allowed fields in clear (recorded as a disclosure)', query: S.ReadQuery,
    handler: async ({ query, params, req, ctx }) => {
      const header = req.headers['x-justification'];
      const reveal = query.reveal?.split(',').map((s) => s.trim()).filter(Boolean);
      return access.read(ctx, params.id!, { purpose: query.purpose, reveal, justification: query.justification ?? (typeof header === 'string' ? decodeURIComponent(header) : undefined) });
    },
  });
  route({
    method: 'GET', url: '/v1/records', tag: 'records', summary: 'Search by motherPhone, fatherPhone, phone, residentId, name or plateNumber (blind indexes); masked results', query: S.SearchQuery,
    handler: async ({ query, ctx }) => {
      const given = Object.entries(query).filter(([, v]) => v !== undefined);
      if (given.length !== 1) throw new TracevaultError('ERR_BAD_REQUEST', { rule: 'exactlyOneSearchParameter' });
      const [key, value] = given[0]!;
      return { records: await access.search(ctx, SEARCH_SCOPES[key]!, value!) };
    },
  });
  route({
    method: 'PATCH', url: '/v1/records/{id}', tag: 'records', summary: 'Record new versions of some fields ({ fields: {…} } or the fields)', body: S.RecordInput,
    handler: async ({ body, params, ctx }) => ({ id: params.id, changed: await access.update(ctx, params.id!, recordBody(body).fields) }),
  });
  route({
    method: 'DELETE', url: '/v1/records/{id}', tag: 'records', summary: 'Erase a record (data-protection officer, purpose=data_subject_request): its key is destroyed', query: S.EraseQuery, status: 204,
    handler: async ({ query, params, ctx }) => access.erase(ctx, params.id!, query.purpose),
  });
  route({
    method: 'POST', url: '/v1/records/{id}/consents', tag: 'records', status: 201, body: S.NewConsent, prepare: aliases,
    summary: "Record a guardian's consent for a partner organisation ({ organizationId, purpose: partner_contact }): the record's organisation or a DPO; a ledger entry",
    handler: async ({ body, params, ctx }) => access.grantConsent(ctx, params.id!, body),
  });
  route({
    method: 'GET', url: '/v1/records/{id}/consents', tag: 'records', summary: "The consents recorded for a record (the record's organisation or a DPO)",
    handler: async ({ params, ctx }) => ({ consents: await access.consents(ctx, params.id!) }),
  });
  route({
    method: 'DELETE', url: '/v1/records/{id}/consents/{organizationId}', tag: 'records', status: 204, query: S.ConsentQuery,
    summary: 'Withdraw a consent (?purpose=partner_contact, the default): the partner\'s next read is refused',
    handler: async ({ query, params, ctx }) => access.withdrawConsent(ctx, params.id!, params.organizationId!, query.purpose),
  });

  // --- Exports ------------------------------------------------------------------------------------------
  route({
    method: 'POST', url: '/v1/exports', tag: 'exports', summary: 'Request a bulk export (purpose, filter, fields, format); it waits for approval', body: S.NewExport, status: 201,
    handler: async ({ body, ctx }) => access.requestExport(ctx, body),
  });
  route({
    method: 'GET', url: '/v1/exports/{id}', tag: 'exports', summary: 'An export request and its status',
    handler: async ({ params, ctx }) => access.export(ctx, params.id!),
  });
  route({
    method: 'POST', url: '/v1/exports/{id}/approve', tag: 'exports', summary: 'Approve an export (data-protection officer, never the requester)',
    handler: async ({ params, ctx }) => access.decideExport(ctx, params.id!, true),
  });
  route({
    method: 'POST', url: '/v1/exports/{id}/refuse', tag: 'exports', summary: 'Refuse an export (data-protection officer)',
    handler: async ({ params, ctx }) => access.decideExport(ctx, params.id!, false),
  });
  route({
    method: 'GET', url: '/v1/exports/{id}/file', tag: 'exports', summary: 'Download an approved export (its requester, before it expires); recorded as a disclosure',
    handler: async ({ params, ctx, reply }) => {
      const f = await access.exportFile(ctx, params.id!);
      void reply.header('content-type', CONTENT_TYPES[f.format]).header('content-disposition', `attachment; filename="export-${params.id}.${f.format}"`)
        .header('x-disclosure-id', f.disclosureId).header('x-record-count', String(f.records));
      return f.body;
    },
  });

  // --- Oversight ----------------------------------------------------------------------------------------
  route({
    method: 'GET', url: '/v1/alerts', tag: 'oversight', summary: 'Guard alerts, newest first (data-protection officer, auditor)', query: S.AlertsQuery,
    handler: async ({ query, ctx }) => ({ alerts: await access.alerts(ctx, query) }),
  });
  route({
    method: 'POST', url: '/v1/alerts/{id}/resolve', tag: 'oversight', summary: 'Resolve an alert; a block it caused is lifted (data-protection officer)',
    handler: async ({ params, ctx }) => {
      await access.resolveAlert(ctx, params.id!);
      return { id: params.id, resolved: true };
    },
  });
  route({
    method: 'GET', url: '/v1/stats', tag: 'oversight', summary: 'Aggregate counts by hospital, birthYear, birthMonth, babySex or district; cells under 10 suppressed', query: S.StatsQuery,
    handler: async ({ query, ctx }) => access.stats(ctx, query.groupBy, query.recordType),
  });
  route({
    method: 'GET', url: '/v1/policies/current', tag: 'oversight', summary: 'The current policy, Cedar text (data-protection officer)',
    handler: async ({ ctx }) => access.getPolicy(ctx),
  });
  route({
    method: 'PUT', url: '/v1/policies/current', tag: 'oversight', summary: 'Replace the policy: { text } or text/plain (data-protection officer); a ledger entry', body: S.PolicyText,
    prepare: (raw) => (typeof raw === 'string' ? { text: raw } : raw),
    handler: async ({ body, ctx }) => access.setPolicy(ctx, body.text),
  });

  // --- Canaries ---------------------------------------------------------------------------------------
  route({
    method: 'POST', url: '/v1/canaries/contacts', tag: 'canaries', summary: 'Register a phone number or mailbox the operator controls, to be given to canaries (investigator, DPO)', body: S.NewContactPoint, status: 201,
    handler: async ({ body, ctx }) => access.addContactPoint(ctx, body.kind, body.value),
  });
  route({
    method: 'POST', url: '/v1/canaries/hits', tag: 'canaries', summary: 'Report a call or message to a contact point: { contact, at, quote }; confirmed only when it quotes canary-specific content', body: S.ContactReport, status: 201,
    handler: async ({ body, ctx }) => access.reportContact(ctx, body),
  });
  route({
    method: 'POST', url: '/v1/canaries/lookup', tag: 'canaries', summary: 'The canaries in a leaked table ({ rows: [{ field: cell }] }) and the disclosures they were minted for (investigator)', body: S.CanaryLookup, bodyLimit: BATCH_LIMIT,
    handler: async ({ body, ctx }) => ({ hits: await access.findCanaries(ctx, body.rows) }),
  });

  // --- Traces ---------------------------------------------------------------------------------------------
  route({
    method: 'POST', url: '/v1/traces', tag: 'traces', status: 201, bodyLimit: TRACE_LIMIT, query: S.TraceQuery,
    summary: 'Trace a leaked list (investigator): upload the file as the body (text/csv, XLSX, application/json, application/x-ndjson, text/plain for pasted chat text), or JSON { rows } / { content, format, encoding }; the report (accused, confidenceSets, candidates, window, affected, rows, notices)',
    handler: async ({ req, query, ctx }) => {
      const table = await leakOfUpload(req.body, String(req.headers['content-type'] ?? ''), query.format);
      const epsilon = query.epsilon ?? (typeof (req.body as { epsilon?: unknown })?.epsilon === 'number' ? (req.body as { epsilon: number }).epsilon : undefined);
      return access.trace(ctx, table, { epsilon });
    },
  });
  route({
    method: 'GET', url: '/v1/traces/{id}', tag: 'traces', query: S.TraceReportQuery,
    summary: 'A trace report (investigator): JSON, or the readable HTML page with charts and draft notices (?format=html or Accept: text/html)',
    handler: async ({ params, query, ctx, req, reply }) => {
      const report = await access.getTrace(ctx, params.id!);
      if (query.format === 'html' || (query.format === undefined && /text\/html/.test(String(req.headers.accept ?? '')))) {
        void reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:");
        return renderHtml(report);
      }
      return report;
    },
  });

  // --- Ledger ---------------------------------------------------------------------------------------------
  route({
    method: 'POST', url: '/v1/ledger/hash-identifier', tag: 'ledger', summary: 'The ledger references (keyed HMACs) of an identifier, for investigators (administrator)', body: S.HashIdentifier,
    handler: async ({ body, ctx }) => access.hashIdentifier(ctx, body.kind, body.value),
  });
  route({
    method: 'GET', url: '/v1/ledger/receipt/{index}', tag: 'ledger', summary: 'An offline-verifiable receipt (c2sp tlog-proof) for one entry', auth: false,
    handler: async ({ params, reply }) => {
      const index = Number(params.index);
      if (!Number.isSafeInteger(index) || index < 0) throw new TracevaultError('ERR_BAD_REQUEST', { field: 'index' });
      void reply.header('content-type', 'text/plain; charset=utf-8');
      return receiptFor(access.vault.db, opts.ledger, index);
    },
  });
  const ledgerPaths: RouteDoc[] = [
    { method: 'GET', url: '/v1/ledger/checkpoint', tag: 'ledger', summary: 'The latest signed checkpoint with its cosignatures (c2sp tlog-checkpoint)', auth: false },
    { method: 'GET', url: '/v1/ledger/tile/{L}/{N}', tag: 'ledger', summary: 'A hash tile (c2sp tlog-tiles); partial tiles as …/N.p/W', auth: false },
    { method: 'GET', url: '/v1/ledger/tile/entries/{N}', tag: 'ledger', summary: 'An entry bundle (c2sp tlog-tiles); partial bundles as …/N.p/W', auth: false },
    { method: 'GET', url: '/v1/ledger/proof/inclusion', tag: 'ledger', summary: 'Inclusion proof: ?index=I&size=S', auth: false },
    { method: 'GET', url: '/v1/ledger/proof/consistency', tag: 'ledger', summary: 'Consistency proof: ?old=M&size=N', auth: false },
  ];
  routes.push(...ledgerPaths);
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
