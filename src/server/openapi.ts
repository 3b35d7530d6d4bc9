/**
 * The OpenAPI 3.1 document, made from the route declarations (zod shapes → JSON Schema with
 * z.toJSONSchema), and a docs page rendered from it without any script or outside asset.
 */
import { z } from 'zod';
import { ERROR_CODES } from '../errors.ts';
import { statusOf } from './errors.ts';

export interface RouteDoc {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  readonly url: string;
  readonly tag: string;
  readonly summary: string;
  readonly body?: z.ZodType;
  readonly query?: z.ZodType;
  /** Default true: a bearer token is required. */
  readonly auth?: boolean;
}

const jsonSchema = (s: z.ZodType) => z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;

export function openApiDocument(routes: readonly RouteDoc[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const op: Record<string, unknown> = { summary: r.summary, tags: [r.tag], responses: { default: { $ref: '#/components/responses/Error' } } };
    const parameters: unknown[] = [...r.url.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    if (r.query) {
      const q = jsonSchema(r.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(q.properties ?? {})) parameters.push({ name, in: 'query', required: q.required?.includes(name) ?? false, schema });
    }
    if (parameters.length) op.parameters = parameters;
    if (r.body) op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(r.body) } } };
    if (r.auth === false) op.security = [];
    (paths[r.url] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Tracevault', version: '0.1.0', description: 'A personal-information registry: field-encrypted, masked by default, every disclosure in a tamper-evident ledger.' },
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API token (POST /v1/principals) or a session token (POST /v1/sessions)' } },
      responses: {
        Error: {
          description: 'A coded error; the message is fixed per code and never carries a personal value',
          content: { 'application/json': { schema: {
            type: 'object', required: ['statusCode', 'code', 'message'],
            properties: { statusCode: { type: 'integer' }, code: { type: 'string', enum: Object.keys(ERROR_CODES) }, error: { type: 'string' }, message: { type: 'string' }, details: { type: 'object' } },
          } } },
        },
      },
      'x-error-codes': Object.fromEntries(Object.entries(ERROR_CODES).map(([code, message]) => [code, { status: statusOf(code as keyof typeof ERROR_CODES), message }])),
    },
  };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function docsPage(routes: readonly RouteDoc[]): string {
  const rows = routes.map((r) => `<tr><td><code>${r.method}</code></td><td><code>${esc(r.url)}</code></td><td>${esc(r.summary)}</td><td>${r.auth === false ? 'none' : 'bearer'}</td></tr>`).join('\n');
  const errors = Object.entries(ERROR_CODES).map(([c, m]) => `<tr><td><code>${c}</code></td><td>${statusOf(c as keyof typeof ERROR_CODES)}</td><td>${esc(m)}</td></tr>`).join('\n');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Tracevault API</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:70em;margin:2em auto;padding:0 1em}table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:.3em .5em;text-align:left;vertical-align:top}</style></head>
<body><h1>Tracevault API</h1><p>The machine-readable document: <a href="/openapi.json">/openapi.json</a>. Bearer tokens: <code>Authorization: Bearer …</code>.</p>
<h2>Endpoints</h2><table><tr><th>Method</th><th>Path</th><th>What it does</th><th>Auth</th></tr>
${rows}</table><h2>Error codes</h2><table><tr><th>Code</th><th>Status</th><th>Message</th></tr>
${errors}</table></body></html>`;
}
