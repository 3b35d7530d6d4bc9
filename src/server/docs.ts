/**
 * The API's documentation: `/openapi.json` (the document @fastify/swagger builds from the route
 * declarations) and `/docs`, an interactive reference (@fastify/swagger-ui, its assets served from
 * the package: nothing from elsewhere) where requests can be tried with a bearer token. The page
 * also carries, rendered here from the same document, a plain index of the endpoints and the table
 * of error codes (which the interactive part does not show), readable before its script has run.
 */
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsync } from 'fastify';
import { DOCS_PATH } from './openapi.ts';
import { router, type AreaOptions } from './route.ts';

/** The reference runs only its own scripts and talks only to this server. */
const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const INDEX_CSS = `
#tv-index { font: 15px/1.5 system-ui, sans-serif; max-width: 1460px; margin: 2em auto; padding: 0 20px; color: #3b4151 }
#tv-index table { border-collapse: collapse; width: 100% }
#tv-index td, #tv-index th { border-bottom: 1px solid #ddd; padding: .3em .5em; text-align: left; vertical-align: top }
`;

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

interface Doc {
  paths?: Record<string, Record<string, { summary?: string; security?: unknown[] }>>;
  components?: { 'x-error-codes'?: Record<string, { status: number; message: string }> };
}

/** The endpoints and error codes of the document as plain HTML. */
export function indexSection(doc: Doc): string {
  const rows: string[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(item)) {
      const auth = op.security?.length === 0 ? 'none' : 'bearer';
      const cells = [`<code>${method.toUpperCase()}</code>`, `<code>${esc(path)}</code>`, esc(op.summary ?? ''), auth];
      rows.push(`<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`);
    }
  }
  const codes = Object.entries(doc.components?.['x-error-codes'] ?? {}).map(
    ([code, e]) => `<tr><td><code>${code}</code></td><td>${e.status}</td><td>${esc(e.message)}</td></tr>`,
  );
  return `<section id="tv-index"><h2>Endpoints</h2>
<p>The machine-readable document: <a href="/openapi.json">/openapi.json</a>.
Bearer tokens: <code>Authorization: Bearer …</code>.</p>
<table><tr><th>Method</th><th>Path</th><th>What it does</th><th>Auth</th></tr>
${rows.join('\n')}</table>
<h2>Error codes</h2>
<p>Errors are <code>{statusCode, code, error, message, details?}</code>: a fixed message per code,
details that name fields, rules and counts, never a value.</p>
<table><tr><th>Code</th><th>Status</th><th>Message</th></tr>
${codes.join('\n')}</table></section>`;
}

export const docsRoutes: FastifyPluginAsync<AreaOptions> = async (app, { services }) => {
  const route = router(app, services);

  route({
    method: 'GET',
    url: '/openapi.json',
    auth: false,
    tag: 'meta',
    summary: 'This document (OpenAPI 3.1)',
    handler: () => app.swagger(),
  });

  // The index goes into the reference's page as it is sent (the plugin writes the page itself).
  let index: string | undefined;
  app.addHook('onSend', async (req, _reply, payload) => {
    const url = req.routeOptions.url;
    if ((url !== DOCS_PATH && url !== `${DOCS_PATH}/`) || typeof payload !== 'string') return payload;
    index ??= indexSection(app.swagger() as Doc);
    return payload.replace('</body>', () => `${index}\n</body>`);
  });

  await app.register(fastifySwaggerUi, {
    routePrefix: DOCS_PATH,
    staticCSP: DOCS_CSP,
    theme: { title: 'Tracevault API', css: [{ filename: 'tracevault.css', content: INDEX_CSS }] },
    uiConfig: {
      // No top bar: its box would explore other documents.
      layout: 'BaseLayout',
      deepLinking: true,
      docExpansion: 'list',
      defaultModelsExpandDepth: -1,
      displayRequestDuration: true,
    },
  });
};
