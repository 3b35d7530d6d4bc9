/**
 * The staff console's web app (web/console/, built into web/console/dist/ by `npm run build:web`),
 * served at /console/ as the portal is (web-static.ts), under a policy as strict as Ant Design
 * allows (docs/adr/0024-staff-console.md):
 *
 * - antd writes its styles into <style> elements at run time (CSS-in-JS). They carry a nonce made
 *   afresh for each page (`style-src 'self' 'nonce-…'`), which the server writes into the page as
 *   <meta name="tracevault-csp-nonce"> and the app gives antd (ConfigProvider `csp`); no other inline
 *   style, and no inline script at all.
 * - antd sets those elements' text with `innerHTML`, a DOM sink that Trusted Types guard. The page
 *   allows one policy, `default`, which the app makes first thing (web/console/src/trusted-types.ts)
 *   and which passes only strings with no `<` in them: text that cannot make an element, so no
 *   script can come in through it.
 */
import type { FastifyPluginAsync } from 'fastify';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { meta, webApp } from './web-static.ts';

export const CONSOLE_PREFIX = '/console';
const DIST = fileURLToPath(new URL('../../web/console/dist/', import.meta.url));
const NONCE_MARK = '<!-- tracevault: csp nonce -->';

/** The console's policy for a page whose styles carry `nonce` (an asset's answer: none). */
export function consoleCsp(nonce: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    nonce ? `style-src 'self' 'nonce-${nonce}'` : "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
    // One policy, made by the app before anything else: text without markup only.
    'trusted-types default',
  ].join('; ');
}

export interface ConsoleStaticOptions {
  /** The built app (default web/console/dist/ of this repository). */
  readonly root?: string;
}

export const consoleStatic: FastifyPluginAsync<ConsoleStaticOptions> = async (app, opts) => {
  await app.register(webApp, {
    at: CONSOLE_PREFIX,
    root: opts.root ?? DIST,
    name: 'The staff console',
    csp: consoleCsp,
    nonce: () => randomBytes(18).toString('base64'),
    page: (html, nonce) => html.replace(NONCE_MARK, () => meta('tracevault-csp-nonce', nonce)),
  });
};
