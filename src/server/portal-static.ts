/**
 * The parents' portal's web app (web/, built into web/dist/ by `npm run build:web`), served at
 * /portal/: its hashed assets by @fastify/static, and its one HTML page for /portal and every path
 * below it that is not an asset (the app routes in the browser).
 *
 * The page carries the keys the browser verifies the ledger with, pinned in it (ADR 0014): the
 * log's verifier key (DIR/ledger.pub) and the witnesses' (DIR/witnesses.json), read as the page is
 * sent and written into its HTML as <meta> elements, not a script, so that the page runs under a
 * policy that allows no inline code at all.
 *
 * Every answer under /portal carries the content-security policy and the other safety headers
 * below; the page itself is never cached, the hashed assets for a year.
 */
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LEDGER_FILES } from '../ledger/log-key.ts';
import { loadWitnesses } from '../ledger/witness-client.ts';
import type { Services } from '../service/services.ts';

export const PORTAL_PREFIX = '/portal';
const DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));
const KEYS_MARK = '<!-- tracevault: pinned keys -->';

/** Only this origin's own files: no inline script or style, no plugin, no framing, no <base>. */
export const PORTAL_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  // DOM XSS sinks (innerHTML, script URLs) take no strings at all: the app never needs them.
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

export const PORTAL_HEADERS = {
  'content-security-policy': PORTAL_CSP,
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()',
} as const;

export interface PortalStaticOptions {
  readonly services: Services;
  /** The built app (default web/dist/ of this repository). */
  readonly root?: string;
}

const attr = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The <meta> elements of the keys pinned in the page: the log's, each witness's, the quorum. */
export function pinnedKeyMeta(dir: string): string {
  const file = join(dir, LEDGER_FILES.verifier);
  if (!existsSync(file)) return '';
  const log = readFileSync(file, 'utf8').trim();
  const witnesses = loadWitnesses(dir).map((w) => w.verifierKey.trim());
  return [
    `<meta name="tracevault-log-key" content="${attr(log)}" />`,
    ...witnesses.map((w) => `<meta name="tracevault-witness-key" content="${attr(w)}" />`),
    // Every configured witness must have cosigned: a checkpoint a witness refused is not shown as verified.
    `<meta name="tracevault-witness-quorum" content="${witnesses.length}" />`,
  ].join('\n    ');
}

export const portalStatic: FastifyPluginAsync<PortalStaticOptions> = async (app, opts) => {
  const root = opts.root ?? DIST;
  const built = existsSync(join(root, 'index.html'));
  const html = built ? readFileSync(join(root, 'index.html'), 'utf8') : undefined;

  app.addHook('onSend', async (_req, reply) => {
    void reply.headers(PORTAL_HEADERS);
  });

  if (built && existsSync(join(root, 'assets'))) {
    await app.register(fastifyStatic, {
      root: join(root, 'assets'),
      prefix: `${PORTAL_PREFIX}/assets/`,
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
        .send("The parents' portal is not built: run `npm run build:web`.\n");
    }
    // The keys as the vault holds them now (two small files): a page is never older than its keys.
    const page = html.replace(KEYS_MARK, () => pinnedKeyMeta(opts.services.vault.dir));
    return reply.code(200).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
  };

  app.get(PORTAL_PREFIX, { schema: { hide: true } }, (_req, reply) => sendPage(reply));
  app.get(`${PORTAL_PREFIX}/*`, { schema: { hide: true } }, (req, reply) => {
    if (req.url.startsWith(`${PORTAL_PREFIX}/assets/`)) {
      return reply.code(404).type('text/plain; charset=utf-8').send('not found\n');
    }
    return sendPage(reply);
  });
};
