/**
 * The web apps the server serves as files (built by `npm run build:web`, scripts/build-web.ts): the
 * parents' portal at /portal/ (web/dist/, portal-static.ts) and the staff console at /console/
 * (web/console/dist/, console-static.ts). One plugin for both: the hashed assets by
 * @fastify/static (a route per file present at start, immutable for a year: an unknown asset is a
 * 404), and the app's one HTML page for the prefix and every other path below it (the app routes in
 * the browser), never cached, written afresh for each answer by `page` (the pinned keys, a nonce).
 *
 * Every answer under the prefix carries `headers(reply)`: the content-security policy and the other
 * safety headers below.
 */
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The safety headers of every answer under an app's prefix, but its content-security policy. */
export const WEB_HEADERS = {
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()',
} as const;

export interface WebAppOptions {
  /** Where it is served, e.g. `/portal` (not `prefix`: fastify would prefix the routes with it again). */
  readonly at: string;
  /** The built app: its index.html and assets/. */
  readonly root: string;
  /** What the 503 says when the app is not built. */
  readonly name: string;
  /** The content-security policy of this answer (and its per-answer `nonce`, when it has one). */
  readonly csp: (nonce: string) => string;
  /** A nonce per answer, given to `csp` and `page`; none (`''`) when not asked for. */
  readonly nonce?: () => string;
  /** The HTML page as sent: the built one with what this answer writes into it. */
  readonly page?: (html: string, nonce: string) => string;
}

const NONCE = Symbol('tracevault.web.nonce');
type WithNonce = FastifyReply & { [NONCE]?: string };

const attr = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A <meta> element with the content escaped for an attribute. */
export const meta = (name: string, content: string) => `<meta name="${attr(name)}" content="${attr(content)}" />`;

export const webApp: FastifyPluginAsync<WebAppOptions> = async (app, opts) => {
  const { at: prefix, root } = opts;
  const built = existsSync(join(root, 'index.html'));
  const html = built ? readFileSync(join(root, 'index.html'), 'utf8') : undefined;

  app.addHook('onSend', async (_req, reply) => {
    void reply.headers({ ...WEB_HEADERS, 'content-security-policy': opts.csp((reply as WithNonce)[NONCE] ?? '') });
  });

  if (built && existsSync(join(root, 'assets'))) {
    await app.register(fastifyStatic, {
      root: join(root, 'assets'),
      prefix: `${prefix}/assets/`,
      // Routes for the files present at start only: an unknown asset is a 404, never the page.
      wildcard: false,
      index: false,
      decorateReply: false,
      serveDotFiles: false,
      // File names carry a hash of their content (Vite): they never change.
      maxAge: '365d',
      immutable: true,
    });
  }

  const sendPage = (reply: FastifyReply) => {
    if (html === undefined) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send(`${opts.name} is not built: run \`npm run build:web\`.\n`);
    }
    const nonce = opts.nonce?.() ?? '';
    (reply as WithNonce)[NONCE] = nonce;
    const page = opts.page ? opts.page(html, nonce) : html;
    return reply.code(200).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
  };

  app.get(prefix, { schema: { hide: true } }, (_req, reply) => sendPage(reply));
  app.get(`${prefix}/*`, { schema: { hide: true } }, (req, reply) => {
    if (req.url.startsWith(`${prefix}/assets/`)) {
      return reply.code(404).type('text/plain; charset=utf-8').send('not found\n');
    }
    return sendPage(reply);
  });
};
