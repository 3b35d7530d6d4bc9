/**
 * A route declared once: its method, path, tag, summary and zod shapes feed fastify's validation
 * (validation.ts) and the OpenAPI document (openapi.ts) alike; its handler gets the checked body
 * and query with the caller's context. Every route needs a staff bearer token unless it says `auth: false`
 * (anyone) or `auth: 'portal'` (a guardian's portal token, service/portal/guardian-access.ts: a staff
 * token is refused there, and a portal token on every other route).
 *
 * The order of a request: the caller is authenticated from its headers (onRequest, before the body
 * is read), then the body is parsed (size limits, JSON) and rewritten by `prepare` (preValidation),
 * then body and query are checked, then the handler runs.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { TracevaultError } from '../errors.ts';
import type { RequestContext } from '../service/context.ts';
import type { GuardianContext } from '../service/portal/guardian-context.ts';
import type { Services } from '../service/services.ts';

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** What a handler gets: the body and query already checked against the route's own shapes. */
export interface Input<B, Q> {
  readonly body: B;
  readonly query: Q;
  readonly params: Readonly<Record<string, string>>;
  readonly ctx: RequestContext;
  /** The guardian, on routes declared `auth: 'portal'` (and only there). */
  readonly guardian?: GuardianContext;
  readonly req: FastifyRequest;
  readonly reply: FastifyReply;
}

export interface RouteDef<B, Q> {
  readonly method: Method;
  /** Below the plugin's prefix, parameters written as in OpenAPI: `/records/{id}`. */
  readonly url: string;
  readonly tag: string;
  readonly summary: string;
  readonly description?: string;
  readonly body?: z.ZodType<B>;
  readonly query?: z.ZodType<Q>;
  readonly params?: z.ZodType;
  /** Response shapes by status, for the document (responses are written as the handler gives them). */
  readonly response?: Readonly<Record<number, z.ZodType>>;
  /** Default true: a staff bearer token is required; false: none; 'portal': a guardian's portal token. */
  readonly auth?: boolean | 'portal';
  /** The status of a success (default 200; 204 sends no body). */
  readonly status?: number;
  readonly bodyLimit?: number;
  /** Rewrites the raw body before it is checked (aliases, other shapes of the same request). */
  readonly prepare?: (raw: unknown) => unknown;
  /** The last path parameter takes the rest of the path, slashes included (c2sp tile paths). */
  readonly rest?: boolean;
  /** Request bodies the route takes as they are, besides JSON (for the document). */
  readonly consumes?: readonly string[];
  /** What a success is written as, when not JSON (for the document). */
  readonly produces?: readonly string[];
  /** Served but left out of the document: another spelling of a documented path. */
  readonly hidden?: boolean;
  readonly handler: (input: Input<B, Q>) => unknown;
}

/** What the document needs of a route beyond its schema (openapi.ts reads it from the route's config). */
export interface RouteConfig {
  readonly status: number;
  /** The name of the parameter that takes the rest of the path (`*` in fastify's pattern). */
  readonly rest?: string;
}

export interface AreaOptions {
  readonly services: Services;
}

/** The largest body a route without a token reads (logging in needs a few hundred bytes). */
export const PUBLIC_BODY_LIMIT = 16 * 1024;

export type Route = <B = undefined, Q = undefined>(def: RouteDef<B, Q>) => void;

type Principal = RequestContext['principal'];

/** The token of `Authorization: Bearer <token>`, or ERR_UNAUTHENTICATED. */
function bearer(req: FastifyRequest): string {
  const h = req.headers.authorization;
  const m = typeof h === 'string' ? /^Bearer\s+(\S{1,200})\s*$/i.exec(h) : null;
  if (!m) throw new TracevaultError('ERR_UNAUTHENTICATED');
  return m[1]!;
}

/** A staff bearer token: an API token or a session. */
async function authenticate(services: Services, req: FastifyRequest): Promise<Principal> {
  return services.sessions.authenticate(bearer(req));
}

/** `/records/{id}` as fastify writes it (`/records/:id`); a rest parameter becomes `*`. */
function fastifyPath(url: string, rest: boolean): { path: string; restName?: string } {
  const names = [...url.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const restName = rest ? names.at(-1) : undefined;
  if (rest && (!restName || !url.endsWith(`{${restName}}`))) throw new Error(`${url}: no rest parameter at the end`);
  const path = url.replace(/\{(\w+)\}/g, (_, name: string) => (name === restName ? '*' : `:${name}`));
  return { path, restName };
}

/** The route declarer of one plugin: `route({ method, url, … handler })`. */
export function router(app: FastifyInstance, services: Services): Route {
  const principals = new WeakMap<FastifyRequest, Principal>();
  const guardians = new WeakMap<FastifyRequest, GuardianContext>();
  return <B, Q>(def: RouteDef<B, Q>) => {
    const { path, restName } = fastifyPath(def.url, def.rest === true);
    const config: RouteConfig = { status: def.status ?? 200, rest: restName };
    app.route({
      method: def.method,
      url: path,
      bodyLimit: def.bodyLimit ?? (def.auth === false || def.auth === 'portal' ? PUBLIC_BODY_LIMIT : undefined),
      config,
      schema: {
        tags: [def.tag],
        summary: def.summary,
        ...(def.description && { description: def.description }),
        ...(def.body && { body: def.body }),
        ...(def.query && { querystring: def.query }),
        ...(def.params && { params: def.params }),
        ...(def.response && { response: def.response }),
        ...(def.auth === false && { security: [] }),
        ...(def.auth === 'portal' && { security: [{ portal: [] }] }),
        ...(def.consumes && { consumes: def.consumes }),
        ...(def.produces && { produces: def.produces }),
        ...(def.hidden && { hide: true }),
      },
      // The caller is known before a byte of the body is read: a request without a valid token is
      // answered 401 at once, whatever it sends after its headers (no parsing for strangers).
      onRequest: async (req) => {
        if (def.auth === 'portal') {
          const guardian = await services.portal.access.authenticate(bearer(req));
          guardians.set(req, { guardian, requestId: req.id });
        } else if (def.auth !== false) principals.set(req, await authenticate(services, req));
      },
      preValidation: async (req) => {
        if (def.prepare) req.body = def.prepare(req.body);
      },
      handler: async (req, reply) => {
        const ctx = { principal: principals.get(req)!, requestId: req.id };
        const raw = req.params as Record<string, string>;
        const params = restName ? { ...raw, [restName]: raw['*']! } : raw;
        const body = (def.body ? req.body : undefined) as B;
        const query = (def.query ? req.query : undefined) as Q;
        const guardian = guardians.get(req);
        const out = await def.handler({ body, query, params, ctx, guardian, req, reply });
        if (reply.sent) return reply;
        if (def.status) void reply.code(def.status);
        return def.status === 204 ? reply.send() : out;
      },
    });
  };
}
