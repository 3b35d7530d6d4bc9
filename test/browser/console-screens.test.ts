/**
 * Every screen of the staff console's clinician, nurse, records clerk and administrator (and the
 * login and the start), at a phone's width and a desktop's, in Chinese and in English, against one
 * real vault (test/helpers/console.ts) with something on each: a guardian's correction request, a
 * search with results, a revealed card, a due list, a refused import's invalid rows, an invitation.
 * Each screen: its language kept, axe-core finds nothing serious or critical, no console error and
 * no content-security violation, and no page wider than its viewport is reported.
 *
 * TRACEVAULT_SCREENSHOTS=DIR keeps console-SCREEN-LANG-phone|desktop.png there (docs/screenshots/).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { BIRTH } from '../../src/schema/record-type.ts';
import { writeCsv } from '../../src/sim/files.ts';
import { generateCity } from '../../src/synth/city.ts';
import { snapshot } from '../../src/synth/snapshot.ts';
import { admin as adminWords } from '../../web/console/src/i18n/admin.ts';
import { clerk as clerkWords } from '../../web/console/src/i18n/clerk.ts';
import { clinician as clinicianWords } from '../../web/console/src/i18n/clinician.ts';
import { shell as shellWords } from '../../web/console/src/i18n/shell.ts';
import {
  axe,
  CONSOLE_SESSION_KEY,
  consoleShot,
  DESKTOP,
  launch,
  openPage,
  PHONE,
  type InPage,
} from '../helpers/browser.ts';
import { consoleVault, type Staff } from '../helpers/console.ts';
import { portalHarness } from '../helpers/portal.ts';

describe('the staff console in chromium: every screen of four roles, phone and desktop, zh-CN and en', () => {
  const v = consoleVault();
  const portal = portalHarness(v);
  let browser: Browser, dir: string, bad: string;
  const record = () => v.recordsA[5]!;

  before(async () => {
    portal.connect();
    // A guardian's correction request, for the clerk's list.
    const { token } = await portal.enrolled(record());
    const asked = await v.api('POST', '/v1/portal/requests', token, {
      childId: record(),
      kind: 'correction',
      fields: { fatherName: '王建国' },
      reason: '父亲的名字写错了',
    });
    assert.equal(asked.status, 201, asked.text);
    dir = mkdtempSync(join(tmpdir(), 'tv-console-shots-'));
    bad = join(dir, 'births.csv');
    const rows = [...generateCity({ seed: 'console-shots', families: 12 }).families()].map((f) => snapshot(f));
    await writeCsv(
      bad,
      rows.map((r, i) => (i === 2 ? { ...r, motherPhone: '14412345678' } : i === 6 ? { ...r, birthTime: 'x' } : r)),
      BIRTH.fields.map((f) => f.name),
    );
    browser = await launch('console');
  });
  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const lang of ['zh-CN', 'en'] as const)
    for (const [viewport, size] of [
      [PHONE, 'phone'],
      [DESKTOP, 'desktop'],
    ] as const)
      test(`${lang}, ${size}: every screen, axe, no problem, a screenshot`, async (t) => {
        const s = shellWords[lang],
          c = clinicianWords[lang],
          k = clerkWords[lang],
          a = adminWords[lang];
        const { context, page, problems } = await openPage(browser, viewport);
        let seen = 0;
        /** Refusals the screen asked for on purpose (a wrong field, an invalid file): the browser's lines. */
        let expected: RegExp | undefined;
        const check = async (screen: string) => {
          assert.equal(await page.getAttribute('html', 'lang'), lang, `${screen}: the language kept`);
          await axe(page, `${screen}, ${lang}, ${size}`);
          const all = await problems();
          assert.deepEqual(
            all.slice(seen).filter((p) => !expected?.test(p)),
            [],
            `${screen}, ${lang}, ${size}`,
          );
          seen = all.length;
          expected = undefined;
          const wide = await page.evaluate(() => {
            const g = globalThis as InPage;
            return g.document.documentElement.scrollWidth - g.innerWidth;
          });
          if (wide > 0) t.diagnostic(`${screen}: ${wide}px wider than the ${size}'s viewport`);
          await consoleShot(page, `${screen}-${lang}-${size}.png`);
        };
        const h1 = (name: string) => page.getByRole('heading', { level: 1, name }).waitFor();
        const login = async (who: Staff) => {
          await page.goto(`${v.base()}/console/login${lang === 'en' ? '?lang=en' : ''}`);
          await h1(s.login.title);
          await page.getByLabel(s.login.login).fill(v.staff[who].login);
          await page.getByLabel(s.login.password, { exact: true }).fill(v.staff[who].password);
          await page.keyboard.press('Enter');
          await h1(s.home.title.replace('{{name}}', v.staff[who].displayName));
        };
        const go = async (path: string, title: string) => {
          await page.goto(`${v.base()}/console${path}`);
          await h1(title);
        };
        const logout = () => page.getByRole('button', { name: s.app.logout }).click();
        /**
         * Another role without the login page (which allows ten attempts a minute from one address): its API
         * token as the tab's session, as a login would keep it.
         */
        const switchTo = async (who: Staff) => {
          const session = {
            token: v.staff[who].token,
            expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
            principalId: v.staff[who].id,
          };
          await page.evaluate(
            ([key, value]) => (globalThis as InPage).sessionStorage.setItem(key, value),
            [CONSOLE_SESSION_KEY, JSON.stringify(session)],
          );
          await page.goto(`${v.base()}/console/`);
          await h1(s.home.title.replace('{{name}}', v.staff[who].displayName));
        };

        // The login page, then the administrator's screens.
        await page.goto(`${v.base()}/console/${lang === 'en' ? '?lang=en' : ''}`);
        await h1(s.login.title);
        await check('login');
        await login('admin');
        await check('admin-home');
        await go('/admin/principals', a.principals.title);
        await page.getByRole('cell', { name: v.staff.nurseA.displayName }).first().waitFor();
        await check('admin-principals');
        await go('/admin/organizations', a.organizations.title);
        await page.getByRole('cell', { name: '历下区预防接种门诊' }).first().waitFor();
        await check('admin-organizations');
        await logout();
        await h1(s.login.title);

        // The clinician: a search with results, the masked card, the card with two fields revealed.
        await switchTo('clinician');
        await check('clinician-home');
        const phone = String((await v.opened().vault.registry.get(record())).current.get('motherPhone')!.value);
        await go('/search', c.search.title);
        await page.getByRole('textbox', { name: c.search.phone }).fill(phone);
        await page.keyboard.press('Enter');
        await page.locator(`[data-row-key="${record()}"]`).waitFor();
        await check('clinician-search');
        await go(`/records/${record()}`, c.record.title);
        await page.locator('.ant-descriptions').waitFor();
        await check('clinician-record');
        await page.locator('form#reveal').getByRole('button').click();
        await page.locator('.tv-clear').first().waitFor();
        await page.getByLabel(c.call.purpose).fill(lang === 'en' ? 'Follow-up after discharge' : '出院后随访');
        await page.getByLabel(c.call.from).fill('0531 8888 6666');
        await page.locator('form#call').getByRole('button').click();
        await page.getByTestId('call-code').waitFor();
        await check('clinician-record-revealed');

        // The nurse's due list.
        await switchTo('nurseA');
        await go('/due-list', c.due.title);
        await page.locator('[data-row-key]').first().waitFor();
        await check('nurse-due-list');

        // The clerk: a birth with a wrong phone, a refused import, the requests, an invitation.
        await switchTo('clerk');
        await check('clerk-home');
        await go('/collect', k.collect.title);
        await page.locator('#collect_babyName').fill('测试宝宝');
        await page.locator('#collect_birthTime').fill('2026-11-28 08:30');
        await page.locator('#collect_motherName').fill('测试妈妈');
        await page.locator('#collect_motherPhone').fill('1380013800');
        await page.locator('form#collect button[type=submit]').click();
        await page.locator('#collect_motherPhone_help').waitFor();
        expected = /status of 400 \(Bad Request\)$/;
        await check('clerk-collect');
        await go('/import', k.import.title);
        await page.locator('input[type=file]').setInputFiles(bad);
        await page.getByRole('button', { name: new RegExp(k.import.start.split('').join('\\s*')) }).click();
        await page.locator('.ant-table-row').first().waitFor();
        await check('clerk-import');
        await go('/requests', k.requests.title);
        await page.locator('tr[data-row-key]').first().waitFor();
        await check('clerk-requests');
        await go(`/records/${record()}/invitation`, k.invite.title);
        await page.getByRole('button', { name: new RegExp(k.invite.issue.split('').join('\\s*')) }).click();
        await page.getByTestId('invitation-code').waitFor();
        await check('clerk-invitation');
        await page.emulateMedia({ media: 'print' });
        await consoleShot(page, `clerk-invitation-print-${lang}-${size}.png`);
        await page.emulateMedia({ media: 'screen' });
        await context.close();
      });
});
