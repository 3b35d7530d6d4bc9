/**
 * The staff console's shell (web/console/, served at /console/) in chromium against a real vault
 * served over HTTP: the page's content-security policy (a nonce per answer for antd's styles, the
 * one Trusted Types policy) and no violation of it; logging in with a wrong password and then the
 * right one, with the keyboard only (Tab, Enter); the menu of the person's roles and no other; a
 * page of another role refused in the page; the language switch; logging out. axe-core finds
 * nothing serious or critical, at a phone's width and a desktop's.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { axe, DESKTOP, launch, openPage, PHONE, tabTo, type InPage } from '../helpers/browser.ts';
import { consoleVault } from '../helpers/console.ts';

describe('the staff console in chromium: the shell', () => {
  const v = consoleVault();
  let browser: Browser;

  before(async () => {
    browser = await launch('console');
  });
  after(async () => {
    await browser?.close();
  });

  test('each page answer has its own style nonce, written into the page, and the strict policy', async () => {
    const [a, b] = [await fetch(`${v.base()}/console/`), await fetch(`${v.base()}/console/search`)];
    const csp = [a.headers.get('content-security-policy')!, b.headers.get('content-security-policy')!];
    const nonces = csp.map((c) => /style-src 'self' 'nonce-([A-Za-z0-9+/=]+)'/.exec(c)?.[1]);
    assert.ok(nonces[0] && nonces[1] && nonces[0] !== nonces[1], csp.join('\n'));
    assert.ok((await a.text()).includes(`<meta name="tracevault-csp-nonce" content="${nonces[0]}" />`));
    for (const c of csp) {
      assert.match(c, /script-src 'self';/);
      assert.match(c, /require-trusted-types-for 'script'; trusted-types default/);
      assert.doesNotMatch(c, /unsafe-inline|unsafe-eval/);
    }
    assert.equal(a.headers.get('x-frame-options'), 'DENY');
    assert.equal(a.headers.get('cache-control'), 'no-store');
    // An asset: immutable, and an unknown one is a 404, not the page.
    const asset = /src="(\/console\/assets\/[^"]+\.js)"/.exec(await b.text())![1]!;
    assert.match((await fetch(v.base() + asset)).headers.get('cache-control')!, /immutable/);
    assert.equal((await fetch(`${v.base()}/console/assets/nope.js`)).status, 404);
  });

  for (const [label, viewport] of [
    ['phone', PHONE],
    ['desktop', DESKTOP],
  ] as const) {
    test(`${label}: a wrong password refused, then logging in by keyboard, the admin's menu, logging out`, async () => {
      const { page, problems, context } = await openPage(browser, viewport);
      try {
        await page.goto(`${v.base()}/console/`);
        // No session: the login page.
        await page.getByRole('heading', { level: 1, name: '工作人员登录' }).waitFor();
        await axe(page, `login ${label}`);
        const admin = v.staff.admin;
        // Keyboard only: Tab to the account field, type, Tab to the password, type, Enter submits.
        await tabTo(page, (d) => d.activeElement?.getAttribute('autocomplete') === 'username');
        await page.keyboard.type(admin.login);
        await page.keyboard.press('Tab');
        await page.keyboard.type('not the password at all');
        await page.keyboard.press('Enter');
        await page.getByRole('alert').filter({ hasText: '账号或密码不正确' }).waitFor();
        await page.getByLabel('密码', { exact: true }).fill(admin.password);
        await page.keyboard.press('Enter');
        await page.getByRole('heading', { level: 1, name: `您好，${admin.displayName}` }).waitFor();
        await axe(page, `home ${label}`);
        // The administrator's pages are there; a clinician's are not.
        if (label === 'phone') await page.getByRole('button', { name: '菜单' }).click();
        const nav = page.getByRole('navigation', { name: '主导航' });
        await nav.getByText('人员与账号').waitFor();
        assert.equal(await nav.getByText('查找记录').count(), 0);
        await nav.getByText('人员与账号').click();
        await page.getByRole('heading', { level: 1, name: '人员与账号' }).waitFor();
        await page.getByRole('cell', { name: v.staff.clinician.displayName }).first().waitFor();
        await axe(page, `principals ${label}`);
        // Another role's page, opened by its address: refused in the page.
        await page.goto(`${v.base()}/console/search`);
        await page.getByRole('heading', { level: 1, name: '您的角色不能使用此页面' }).waitFor();
        // English by the switch, kept.
        await page.getByRole('button', { name: 'English' }).click();
        await page.getByRole('heading', { level: 1, name: 'Your roles cannot use this page' }).waitFor();
        assert.equal(await page.evaluate(() => (globalThis as InPage).document.documentElement.lang), 'en');
        await page.getByRole('button', { name: 'Log out' }).click();
        await page.getByRole('heading', { level: 1, name: 'Staff login' }).waitFor();
        assert.equal(
          await page.evaluate(() => (globalThis as InPage).sessionStorage.getItem('tracevault.console.session')),
          null,
        );
        // The refused login's 401 is the browser's own line; nothing else.
        const expected = /status of 401 \(Unauthorized\)$/;
        assert.deepEqual(
          (await problems()).filter((p) => !expected.test(p)),
          [],
        );
      } finally {
        await context.close();
      }
    });
  }
});
