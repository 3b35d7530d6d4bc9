/**
 * The parents' portal (web/, served at /portal/) in a real browser — Debian's chromium through
 * playwright-core — against a real vault served as `tracevault serve` serves it (SQLite, a synthetic
 * city, the log's key, a witness cosigning over HTTP), at a phone's viewport and a desktop's:
 * enrolling with a printed code and the SMS's one-time code, the home with the ledger verified in
 * the browser and, on the next visit, proven consistent; a changed byte of the checkpoint or of a
 * consistency proof shown as "this history may have been altered"; logging in with a wrong code;
 * the language switch and the large-text mode; axe-core (WCAG 2.1 A and AA) finding nothing serious
 * or critical on any page; the content-security policy on every answer and no violation of it.
 *
 * TRACEVAULT_SCREENSHOTS=DIR keeps a screenshot of each screen there (docs/screenshots/ in the README).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { PORTAL_CSP } from '../../src/server/portal-static.ts';
import { axe, DESKTOP, heading, launch, openPage, PHONE, SESSION_KEY, shot, type InPage } from '../helpers/browser.ts';
import { enrolOverHttp } from '../helpers/enrol.ts';
import { witnessedVault, type WitnessedVault } from '../helpers/witnessed-vault.ts';

describe("the parents' portal in chromium", () => {
  let v: WitnessedVault, browser: Browser;
  let code = '',
    phone = '',
    session = '';

  before(async () => {
    v = await witnessedVault({ seed: 'portal-web', families: 20 });
    const admin = async (displayName: string) =>
      (await v.vault.createPrincipal(null, { displayName, roles: ['administrator'], orgId: v.admin.orgId })).token;
    const [a1, a2] = [await admin('admin'), await admin('second admin')];
    const hospital = v.city.hospitals[0]!.orgId;
    const clinician = await enrolOverHttp(v.base, a1, a2, {
      displayName: 'clinician',
      roles: ['clinician'],
      organizationId: hospital,
    });
    const rec = (await v.vault.db.get<{ id: string }>('SELECT id FROM records WHERE org_id = ? ORDER BY seq LIMIT 1', [
      hospital,
    ]))!.id;
    phone = String((await v.vault.registry.get(rec)).current.get('motherPhone')!.value);
    const inv = await fetch(`${v.base}/v1/records/${rec}/invitations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${clinician.token}` },
    });
    assert.equal(inv.status, 201);
    code = ((await inv.json()) as { code: string }).code;
    await v.checkpoint();
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await v?.close();
  });

  /** New ledger entries (a failed staff login is one) and a checkpoint that covers them. */
  async function grow(): Promise<void> {
    const before = await v.checkpoint();
    await fetch(`${v.base}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'nobody.here', password: 'not the password' }),
    });
    assert.ok((await v.checkpoint()) > before, 'the log grew');
  }

  const ledger = (page: Page, state: string) => page.locator(`[data-ledger="${state}"]`).waitFor();

  test('enrol with the printed code and the SMS code; the home verifies the ledger, then its growth', async () => {
    const { context, page, problems } = await openPage(browser, PHONE);
    const res = await page.goto(`${v.base}/portal/`);
    assert.equal(res?.status(), 200);
    assert.equal(res?.headers()['content-security-policy'], PORTAL_CSP);
    await heading(page, '看看谁查看过您孩子的信息');
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    await axe(page, 'start');
    await shot(page, 'start-zh-CN-phone.png');

    await page.getByRole('link', { name: '用邀请码开始' }).click();
    await heading(page, '输入邀请码和手机号码');
    await page.getByRole('button', { name: '发送验证码' }).click();
    const summary = page.getByRole('alert');
    await summary.waitFor();
    assert.match(await summary.innerText(), /邀请码是 16 位字母和数字[\s\S]*请输入 11 位手机号码/);
    assert.equal(await page.getByLabel('邀请码', { exact: true }).getAttribute('aria-invalid'), 'true');
    await axe(page, 'enrol, with errors');
    await shot(page, 'enrol-errors-zh-CN-phone.png');
    // Typed from the paper: lower case, spaces for dashes.
    await page.getByLabel('邀请码', { exact: true }).fill(code.toLowerCase().replaceAll('-', ' '));
    await page.getByLabel('手机号码', { exact: true }).fill(phone);
    await page.getByRole('button', { name: '发送验证码' }).click();

    await heading(page, '输入短信验证码');
    assert.ok(!page.url().includes(phone), 'no phone number in the URL');
    await axe(page, 'one-time code');
    await shot(page, 'verify-zh-CN-phone.png');
    await page.getByLabel('验证码', { exact: true }).fill(await v.otpFor(phone));
    await page.getByRole('button', { name: '继续' }).click();

    await heading(page, '您的家庭');
    await page.getByRole('heading', { name: '您已为 1 个孩子注册。' }).waitFor();
    await ledger(page, 'verified');
    assert.match(await page.getByRole('status').innerText(), /已核验[\s\S]*1 个独立见证方确认[\s\S]*第一次核验/);
    await axe(page, 'home');
    await shot(page, 'home-zh-CN-phone.png');
    const stored: string = await page.evaluate((k) => (globalThis as InPage).sessionStorage.getItem(k), SESSION_KEY);
    session = (JSON.parse(stored) as { token: string }).token;
    assert.match(session, /^tvp_/);
    assert.equal(
      await page.evaluate((k) => (globalThis as InPage).localStorage.getItem(k), SESSION_KEY),
      null,
      'not in localStorage',
    );

    // The log grows; the next visit proves the new tree extends the one this browser verified.
    await grow();
    await page.reload();
    await ledger(page, 'verified');
    assert.match(await page.getByRole('status').innerText(), /包含了这台设备上次核验过的全部/);
    assert.deepEqual(await problems(), []);
    await context.close();
  });

  test('a changed byte of the checkpoint or of a consistency proof: "this history may have been altered"', async () => {
    const one = await openPage(browser, PHONE, session);
    await one.page.route('**/v1/ledger/checkpoint', async (route) => {
      const r = await route.fetch();
      const lines = (await r.text()).split('\n');
      // The root hash's first character, changed.
      lines[2] = (lines[2]![0] === 'A' ? 'B' : 'A') + lines[2]!.slice(1);
      await route.fulfill({ response: r, body: lines.join('\n') });
    });
    await one.page.goto(`${v.base}/portal/home`);
    await ledger(one.page, 'altered');
    assert.match(await one.page.getByRole('status').innerText(), /这段历史可能被篡改过/);
    await axe(one.page, 'home, altered');
    await shot(one.page, 'home-altered-zh-CN-phone.png');
    assert.deepEqual(await one.problems(), []);
    await one.context.close();

    const two = await openPage(browser, PHONE, session);
    await two.page.goto(`${v.base}/portal/home`);
    await ledger(two.page, 'verified');
    await grow();
    await two.page.route('**/v1/ledger/proof/consistency*', async (route) => {
      const r = await route.fetch();
      const body = (await r.json()) as { proof: string[] };
      body.proof[0] = (body.proof[0]![0] === 'A' ? 'B' : 'A') + body.proof[0]!.slice(1);
      await route.fulfill({ response: r, json: body });
    });
    await two.page.reload();
    await ledger(two.page, 'altered');
    assert.match(
      await two.page.getByRole('status').innerText(),
      /这段历史可能被篡改过[\s\S]*不能证明它包含上次核验过的全部记录/,
    );
    assert.deepEqual(await two.problems(), []);
    await two.context.close();
  });

  test('English by the switch, large text by the other; both kept; the home in English', async () => {
    const { context, page, problems } = await openPage(browser, PHONE);
    await page.goto(`${v.base}/portal/`);
    await heading(page, '看看谁查看过您孩子的信息');
    const size = async (): Promise<string> =>
      page.evaluate(() => {
        const w = globalThis as InPage;
        return w.getComputedStyle(w.document.querySelector('h1')).fontSize;
      });
    const normal = parseFloat(await size());
    await page.getByRole('button', { name: 'English' }).click();
    await heading(page, 'See who has looked at your child’s details');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    assert.equal(await page.title(), "See who has looked at your child’s details · Parents' portal");
    await axe(page, 'start, English');
    await shot(page, 'start-en-phone.png');
    const large = page.getByRole('button', { name: 'Large text' });
    assert.equal(await large.getAttribute('aria-pressed'), 'false');
    await large.click();
    assert.equal(await large.getAttribute('aria-pressed'), 'true');
    const root = () => {
      const w = globalThis as InPage;
      return w.getComputedStyle(w.document.documentElement).fontSize;
    };
    assert.equal(await page.evaluate(root), '21px');
    assert.ok(parseFloat(await size()) >= normal * 1.3, `${await size()} vs ${normal}px`);
    // Nothing overflows the phone's width in large text.
    assert.ok(
      await page.evaluate(() => {
        const w = globalThis as InPage;
        return w.document.documentElement.scrollWidth <= w.innerWidth;
      }),
    );
    await axe(page, 'start, large text');
    await shot(page, 'start-en-large-phone.png');
    await page.reload();
    await heading(page, 'See who has looked at your child’s details');
    assert.equal(await page.getByRole('button', { name: 'Large text' }).getAttribute('aria-pressed'), 'true');
    await page.getByRole('button', { name: 'Large text' }).click();
    await page.getByRole('link', { name: 'Start with your code' }).click();
    await heading(page, 'Enter your invitation code and mobile number');
    await axe(page, 'enrol, English');
    await shot(page, 'enrol-en-phone.png');
    await page.getByRole('button', { name: '中文' }).click();
    await heading(page, '输入邀请码和手机号码');
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    assert.deepEqual(await problems(), []);
    await context.close();

    const home = await openPage(browser, PHONE, session);
    await home.page.goto(`${v.base}/portal/home?lang=en`);
    await heading(home.page, 'Your family');
    await home.page.getByRole('heading', { name: 'You are enrolled for 1 child.' }).waitFor();
    await ledger(home.page, 'verified');
    // Dates in Asia/Shanghai whatever the phone's zone (this browser runs in Europe/London).
    const today = new Intl.DateTimeFormat('en', { timeZone: 'Asia/Shanghai', dateStyle: 'long' }).format(new Date());
    assert.ok((await home.page.locator('main').innerText()).includes(`Enrolled on ${today}`));
    await axe(home.page, 'home, English');
    await shot(home.page, 'home-en-phone.png');
    assert.deepEqual(await home.problems(), []);
    await home.context.close();
  });

  test('at a desktop width: logging in, a wrong code refused plainly; every page passes axe', async () => {
    const { context, page, problems } = await openPage(browser, DESKTOP);
    await page.goto(`${v.base}/portal/`);
    await heading(page, '看看谁查看过您孩子的信息');
    await axe(page, 'start, desktop');
    await shot(page, 'start-zh-CN-desktop.png');
    await page.getByRole('link', { name: '登录' }).click();
    await heading(page, '登录');
    await axe(page, 'login, desktop');
    await page.getByLabel('手机号码', { exact: true }).fill(phone);
    await page.getByRole('button', { name: '发送验证码' }).click();
    await heading(page, '输入短信验证码');
    await page.getByLabel('验证码', { exact: true }).fill('000000' === (await v.otpFor(phone)) ? '000001' : '000000');
    await page.getByRole('button', { name: '继续' }).click();
    await page.getByRole('alert').getByText('验证码不对，或者已经过期').waitFor();
    await axe(page, 'one-time code refused, desktop');
    await shot(page, 'verify-refused-zh-CN-desktop.png');
    await page.goto(`${v.base}/portal/no/such/page`);
    await heading(page, '找不到这个页面');
    await axe(page, 'not found, desktop');
    // The refused code's 401, as the browser reports any refused request; nothing else.
    assert.deepEqual(await problems(), [
      'Failed to load resource: the server responded with a status of 401 (Unauthorized)',
    ]);
    await context.close();

    const home = await openPage(browser, DESKTOP, session);
    await home.page.goto(`${v.base}/portal/home`);
    await ledger(home.page, 'verified');
    await axe(home.page, 'home, desktop');
    await shot(home.page, 'home-zh-CN-desktop.png');
    await home.page.getByRole('button', { name: '退出登录' }).click();
    await heading(home.page, '看看谁查看过您孩子的信息');
    const me = await fetch(`${v.base}/v1/portal/me`, { headers: { authorization: `Bearer ${session}` } });
    assert.equal(me.status, 401, 'logging out ends the session');
    assert.deepEqual(await home.problems(), []);
    await home.context.close();
  });

  test('every answer under /portal carries the policy; assets are immutable, an unknown one a 404', async () => {
    const page = await fetch(`${v.base}/portal/enrol`);
    assert.equal(page.status, 200);
    const html = await page.text();
    for (const [k, want] of Object.entries({
      'content-security-policy': PORTAL_CSP,
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
      'cross-origin-opener-policy': 'same-origin',
      'cache-control': 'no-store',
    }))
      assert.equal(page.headers.get(k), want, k);
    assert.match(PORTAL_CSP, /default-src 'self'/);
    assert.doesNotMatch(PORTAL_CSP, /unsafe-inline|unsafe-eval|data:/);
    // The keys pinned in the page are the vault's.
    assert.ok(html.includes(`<meta name="tracevault-log-key" content="${v.logKey.replaceAll('+', '+')}" />`));
    assert.ok(html.includes('<meta name="tracevault-witness-quorum" content="1" />'));
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
    assert.doesNotMatch(html, /<style|style=/, 'no inline style');
    const asset = /src="(\/portal\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const js = await fetch(v.base + asset);
    assert.equal(js.status, 200);
    assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(js.headers.get('content-security-policy'), PORTAL_CSP);
    const missing = await fetch(`${v.base}/portal/assets/nope.js`);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('content-security-policy'), PORTAL_CSP);
    // The API is not under the portal's policy, and the portal's paths are not in the API's document.
    const doc = (await (await fetch(`${v.base}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    assert.deepEqual(
      Object.keys(doc.paths).filter((p) => p.startsWith('/portal')),
      [],
    );
  });
});
