/**
 * The portal's browser tests' common parts: Debian's chromium through playwright-core, a page opened
 * as a guardian (or nobody) that collects console errors, page errors and content-security
 * violations, axe-core (WCAG 2.1 A and AA: nothing serious or critical), and screenshots kept under
 * TRACEVAULT_SCREENSHOTS=DIR (docs/screenshots/ in the README).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const CHROMIUM =
  process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SHOTS = process.env.TRACEVAULT_SCREENSHOTS;

export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1440, height: 900 };
/** Where the portal keeps its session (web/src/session/token.ts). */
export const SESSION_KEY = 'tracevault.portal.session';

/**
 * The page's globals, in the functions that run in the browser (`(globalThis as InPage).document`):
 * this project's TypeScript has no DOM types, its code runs on Node.js. Only a type: the functions
 * are sent to the page as text, so they may use nothing of this file.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type InPage = any;

export interface Opened {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Console errors and warnings, page errors, and content-security violations. */
  readonly problems: () => Promise<string[]>;
}

/** Chromium, once the portal (or the staff console) is built (npm test builds both; .ci/run installs chromium). */
export async function launch(app: 'portal' | 'console' = 'portal'): Promise<Browser> {
  assert.ok(CHROMIUM, 'chromium is not installed (apt-get install chromium; .ci/run does)');
  const built = app === 'portal' ? 'web/dist/index.html' : 'web/console/dist/index.html';
  assert.ok(existsSync(built), `the ${app} is not built (npm run build:web; npm test does)`);
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
}

/**
 * A page in a context of its own, in Chinese and in a zone that is not Beijing's (dates must be in
 * Asia/Shanghai whatever the phone's zone), logged in with `token` when one is given.
 */
export async function openPage(
  browser: Browser,
  viewport: { width: number; height: number },
  token?: string,
): Promise<Opened> {
  const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Europe/London' });
  await context.addInitScript(() => {
    const w = globalThis as InPage;
    w.__csp = [];
    w.document.addEventListener('securitypolicyviolation', (e: { violatedDirective: string; blockedURI: string }) =>
      w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  if (token)
    await context.addInitScript(
      ([key, value]) => (globalThis as InPage).sessionStorage.setItem(key, value),
      [SESSION_KEY, JSON.stringify({ token, expiresAt: new Date(Date.now() + 3_600_000).toISOString() })],
    );
  const page = await context.newPage();
  const seen: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') seen.push(m.text());
  });
  page.on('pageerror', (e) => seen.push(e.message));
  return {
    context,
    page,
    problems: async () => [...seen, ...((await page.evaluate(() => (globalThis as InPage).__csp)) as string[])],
  };
}

/** axe-core on the page as it is: no serious or critical violation of WCAG 2.1 A or AA. */
export async function axe(page: Page, label: string): Promise<void> {
  // Evaluated through the DevTools protocol, not as a <script>: the page's policy allows none inline.
  await page.evaluate(AXE);
  const result = await page.evaluate(() =>
    (globalThis as InPage).axe.run((globalThis as InPage).document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    }),
  );
  const bad = (result as { violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }).violations
    .filter((x) => x.impact === 'serious' || x.impact === 'critical')
    .map((x) => `${x.id} (${x.impact}): ${x.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(bad, [], label);
}

/** A full-page screenshot as docs/screenshots/portal-NAME, when TRACEVAULT_SCREENSHOTS says where. */
export async function shot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `portal-${name}`), fullPage: true });
}

/** The page's main heading, once it is there. */
export const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name }).waitFor();

/** Where the staff console keeps its session (web/console/src/session.ts). */
export const CONSOLE_SESSION_KEY = 'tracevault.console.session';

/**
 * Logs in to the staff console at `base` as a person would: the login page, the account and the
 * password typed, Enter pressed; waits for the start page (its level-1 heading). `lang` as
 * `?lang=en` on the first page, as a link would give it.
 */
export async function staffLogin(
  page: Page,
  base: string,
  login: string,
  password: string,
  lang: 'zh-CN' | 'en' = 'zh-CN',
): Promise<void> {
  await page.goto(`${base}/console/login${lang === 'en' ? '?lang=en' : ''}`);
  await page.getByLabel(lang === 'en' ? 'Account' : '账号').fill(login);
  await page.getByLabel(lang === 'en' ? 'Password' : '密码', { exact: true }).fill(password);
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => !u.pathname.endsWith('/login'));
  await page.getByRole('heading', { level: 1 }).first().waitFor();
}

/** Every URL the page requests, from now on (to check that none holds a personal value). */
export function requestedUrls(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (r) => urls.push(r.url()));
  return urls;
}

/** A full-page screenshot as docs/screenshots/console-NAME, when TRACEVAULT_SCREENSHOTS says where. */
export async function consoleShot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `console-${name}`), fullPage: true });
}

/**
 * Presses Tab until `focused(document)` holds (at most `max` times), as a keyboard user reaches a
 * control; fails if it never does. The function runs in the page: it may use nothing of this file.
 */
export async function tabTo(page: Page, focused: (d: InPage) => boolean, max = 30): Promise<void> {
  for (let i = 0; i < max; i++) {
    if (await page.evaluate(`(${focused.toString()})(document)`)) return;
    await page.keyboard.press('Tab');
  }
  assert.fail('the control was not reached with Tab');
}
