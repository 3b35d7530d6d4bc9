/**
 * How fastify checks a request against a route's zod shapes, and writes its responses. The check is
 * zod's own; a failure becomes our coded error rather than fastify's: an unknown key is
 * ERR_UNKNOWN_FIELD naming it, anything else ERR_BAD_REQUEST naming the field's path and the rule.
 * Only the first issue is reported, and never the value that failed.
 */
import type { FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify';
import type { z } from 'zod';
import { TracevaultError } from '../errors.ts';

/** The coded error for a failed zod check. */
export function codedError(error: z.ZodError): TracevaultError {
  const issue = error.issues[0]!;
  const unknown = issue.code === 'unrecognized_keys';
  const field = (unknown ? issue.keys[0] : issue.path.join('.'))?.slice(0, 64) || undefined;
  return new TracevaultError(unknown ? 'ERR_UNKNOWN_FIELD' : 'ERR_BAD_REQUEST', { field, rule: issue.code });
}

/**
 * Body, query and path parameters checked with the route's zod shape. A missing body is checked as
 * `{}` (so a missing required field is named). The error is returned, not thrown: fastify hands it
 * to the error handler as it is.
 */
export const validatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema }) =>
  (data) => {
    const r = schema.safeParse(data ?? {});
    return r.success ? { value: r.data } : { error: codedError(r.error) };
  };

/**
 * Responses are written as the handler gives them (JSON.stringify, as fastify does without a
 * schema): a route's response shape documents it and types it, it does not rewrite it.
 */
export const serializerCompiler: FastifySerializerCompiler<z.ZodType> = () => (data) => JSON.stringify(data);
