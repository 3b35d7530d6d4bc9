/**
 * The OpenAPI 3.1 document, made by @fastify/swagger from the routes as they are declared
 * (route.ts): their zod shapes become JSON Schema through fastify-type-provider-zod. What the
 * declarations do not say is added here, once for all routes: the bearer scheme (`security: []` on
 * public routes), the coded error response of every operation, the error codes with their statuses
 * (`components.x-error-codes`), path parameters, and the status and content type of a success.
 */
import type { FastifyDynamicSwaggerOptions, SwaggerTransform, SwaggerTransformObject } from '@fastify/swagger';
import type { FastifySchema } from 'fastify';
import { STATUS_CODES } from 'node:http';
import { createJsonSchemaTransform } from 'fastify-type-provider-zod';
import { ERROR_CODES, type ErrorCode } from '../errors.ts';
import { statusOf } from './errors.ts';
import type { RouteConfig } from './route.ts';

/** Where the interactive reference is (docs.ts); its page is listed in the document too. */
export const DOCS_PATH = '/docs';

const ERROR_RESPONSE = { $ref: '#/components/responses/Error' };

const errorSchema = {
  type: 'object',
  required: ['statusCode', 'code', 'message'],
  properties: {
    statusCode: { type: 'integer' },
    code: { type: 'string', enum: Object.keys(ERROR_CODES) },
    error: { type: 'string' },
    message: { type: 'string' },
    details: {
      type: 'object',
      description: 'what to change, never a value (src/errors.ts ErrorDetails; rules: GET /v1/validation-rules)',
      properties: {
        field: { type: 'string', description: "a record's field, or a request property's path" },
        rule: { type: 'string' },
        in: { type: 'string', enum: ['body', 'query', 'params', 'headers'], description: 'where the property is' },
        route: { type: 'string', description: "the request's method and route pattern" },
        fields: { type: 'array', items: { type: 'string' }, description: 'field names (a refused export or reveal)' },
        purpose: { type: 'string' },
        errors: {
          type: 'array',
          items: {
            type: 'object',
            required: ['field', 'rule'],
            properties: { row: { type: 'integer' }, field: { type: 'string' }, rule: { type: 'string' } },
          },
        },
        count: { type: 'integer' },
      },
    },
  },
};

const document = {
  openapi: '3.1.0',
  info: {
    title: 'Tracevault',
    version: '0.1.0',
    description:
      'A personal-information registry: field-encrypted, masked by default, ' +
      'every disclosure in a tamper-evident ledger.',
  },
  security: [{ bearer: [] }],
  components: {
    securitySchemes: {
      bearer: {
        type: 'http',
        scheme: 'bearer',
        description: 'An API token (POST /v1/principals) or a session token (POST /v1/sessions)',
      },
      portal: {
        type: 'http',
        scheme: 'bearer',
        description: 'A guardian’s portal token (POST /v1/portal/sessions); refused on every staff route',
      },
    },
    responses: {
      Error: {
        description: 'A coded error; the message is fixed per code and never carries a personal value',
        content: { 'application/json': { schema: errorSchema } },
      },
    },
    'x-error-codes': Object.fromEntries(
      Object.entries(ERROR_CODES).map(([code, message]) => [code, { status: statusOf(code as ErrorCode), message }]),
    ),
  },
};

const zodToJsonSchema = createJsonSchemaTransform({ skipList: [] });

/** `{ type: object, properties }` of the path parameters of an OpenAPI path, each a string. */
function pathParams(url: string): Record<string, unknown> | undefined {
  const names = [...url.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  if (names.length === 0) return undefined;
  return {
    type: 'object',
    properties: Object.fromEntries(names.map((n) => [n, { type: 'string' }])),
    required: names,
  };
}

/** A success without a declared shape: its status, and its content types when it has a body. */
function success(status: number, produces: readonly string[] | undefined): Record<string, unknown> {
  if (status === 204) return { type: 'null', description: STATUS_CODES[204] };
  const types = produces ?? ['application/json'];
  return { description: STATUS_CODES[status], content: Object.fromEntries(types.map((t) => [t, { schema: {} }])) };
}

/** A route's schema for the document: zod shapes as JSON Schema, and what its declaration implies. */
const transform: SwaggerTransform = (input) => {
  const { route } = input;
  if (route.url === DOCS_PATH && route.method === 'GET') {
    const summary = 'This reference, interactive (try requests with a bearer token)';
    return { schema: { tags: ['meta'], summary, security: [], produces: ['text/html'] }, url: route.url };
  }
  const { schema, url } = zodToJsonSchema(input);
  const config = route.config as Partial<RouteConfig> | undefined;
  if (!schema || schema.hide || config?.status === undefined) return { schema, url };
  // A rest parameter is `*` in fastify's pattern, and named in the document.
  const docUrl = (config.rest ? url.replace(/\*$/, `{${config.rest}}`) : url).replace(/:(\w+)/g, '{$1}');
  const out: FastifySchema & Record<string, unknown> = { ...schema };
  out.params ??= pathParams(docUrl);
  out.response ??= { [config.status]: success(config.status, out.produces) };
  for (const [status, shape] of Object.entries(out.response as Record<string, Record<string, unknown>>)) {
    shape.description ??= STATUS_CODES[status];
  }
  // A body taken as it is (a leaked file): any of the content types it accepts.
  if (!out.body && out.consumes) out.body = { type: 'string', format: 'binary', description: 'the file as it is' };
  return { schema: out, url: docUrl };
};

interface Operation {
  responses?: Record<string, unknown>;
}

/** Every operation may answer a coded error. */
const transformObject: SwaggerTransformObject = (input) => {
  if (!('openapiObject' in input)) return input.swaggerObject;
  const paths = (input.openapiObject as { paths?: Record<string, Record<string, Operation>> }).paths ?? {};
  for (const item of Object.values(paths)) {
    for (const op of Object.values(item)) if (op.responses) op.responses.default = ERROR_RESPONSE;
  }
  return input.openapiObject;
};

export const openApiOptions: FastifyDynamicSwaggerOptions = {
  openapi: document as FastifyDynamicSwaggerOptions['openapi'],
  // Routes without a tag are the reference's own assets.
  hideUntagged: true,
  transform,
  transformObject,
};
