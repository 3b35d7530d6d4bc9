/**
 * How fastify checks a request against a route's zod shapes, and writes its responses. The check is
 * zod's own; a failure becomes our coded error rather than fastify's: ERR_BAD_REQUEST naming the
 * property's path (`field`), the rule (`unknownProperty` for a key the shape does not have, else
 * zod's issue code), which part of the request it is in (`in`: body, query, params, headers) and
 * the route ('POST /v1/principals'). ERR_UNKNOWN_FIELD stays for a record's fields (a record type's
 * vocabulary), not a request's shape. Only the first issue is reported, and never the value.
 */
import type { FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify';
import type { z } from 'zod';
import { TracevaultError, type ErrorDetails } from '../errors.ts';

export interface RequestPart {
  readonly in: NonNullable<ErrorDetails['in']>;
  readonly route: string;
}

const SAFE_KEY = /^[A-Za-z_][A-Za-z0-9_-]{0,40}$/;

const PARTS: Readonly<Record<string, RequestPart['in']>> = {
  body: 'body',
  querystring: 'query',
  params: 'params',
  headers: 'headers',
};

/** The coded error for a failed zod check, in `where` (a part of a route's request) if known. */
export function codedError(error: z.ZodError, where?: RequestPart): TracevaultError {
  const issue = error.issues[0]!;
  const unknown = issue.code === 'unrecognized_keys';
  const path = unknown ? [...issue.path, issue.keys[0]] : issue.path;
  // A key is the caller's text: echoed only when it looks like a property's name, not like data
  // (`{"13812345678": 1}` names no property).
  const safe = path.every((p) => typeof p === 'number' || (typeof p === 'string' && SAFE_KEY.test(p)));
  const field = safe ? path.map(String).join('.').slice(0, 64) || undefined : undefined;
  return new TracevaultError('ERR_BAD_REQUEST', {
    ...(field !== undefined && { field }),
    rule: unknown ? 'unknownProperty' : issue.code,
    ...(where && { in: where.in, route: where.route }),
  });
}

/**
 * Body, query and path parameters checked with the route's zod shape. A missing body is checked as
 * `{}` (so a missing required field is named). The error is returned, not thrown: fastify hands it
 * to the error handler as it is.
 */
export const validatorCompiler: FastifySchemaCompiler<z.ZodType> = ({ schema, method, url, httpPart }) => {
  const where: RequestPart | undefined =
    httpPart && PARTS[httpPart] ? { in: PARTS[httpPart], route: `${method} ${url}` } : undefined;
  return (data) => {
    const r = schema.safeParse(data ?? {});
    return r.success ? { value: r.data } : { error: codedError(r.error, where) };
  };
};

/**
 * Responses are written as the handler gives them (JSON.stringify, as fastify does without a
 * schema): a route's response shape documents it and types it, it does not rewrite it.
 */
export const serializerCompiler: FastifySerializerCompiler<z.ZodType> = () => (data) => JSON.stringify(data);
