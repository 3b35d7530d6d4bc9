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
import type { FastifyPluginAsync } from 'fastify';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LEDGER_FILES } from '../ledger/log-key.ts';
import { loadWitnesses } from '../ledger/witness-client.ts';
import type { Services } from '../service/services.ts';
import { meta, WEB_HEADERS, webApp } from './web-static.ts';

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

export const PORTAL_HEADERS = { 'content-security-policy': PORTAL_CSP, ...WEB_HEADERS } as const;

export interface PortalStaticOptions {
  readonly services: Services;
  /** The built app (default web/dist/ of this repository). */
  readonly root?: string;
}

/** The <meta> elements of the keys pinned in the page: the log's, each witness's, the quorum. */
export function pinnedKeyMeta(dir: string): string {
  const file = join(dir, LEDGER_FILES.verifier);
  if (!existsSync(file)) return '';
  const log = readFileSync(file, 'utf8').trim();
  const witnesses = loadWitnesses(dir).map((w) => w.verifierKey.trim());
  return [
    meta('tracevault-log-key', log),
    ...witnesses.map((w) => meta('tracevault-witness-key', w)),
    // Every configured witness must have cosigned: a checkpoint a witness refused is not shown as verified.
    meta('tracevault-witness-quorum', String(witnesses.length)),
  ].join('\n    ');
}

export const portalStatic: FastifyPluginAsync<PortalStaticOptions> = async (app, opts) => {
  await app.register(webApp, {
    at: PORTAL_PREFIX,
    root: opts.root ?? DIST,
    name: "The parents' portal",
    csp: () => PORTAL_CSP,
    // The keys as the vault holds them now (two small files): a page is never older than its keys.
    page: (html) => html.replace(KEYS_MARK, () => pinnedKeyMeta(opts.services.vault.dir)),
  });
};
