/**
 * The statistician's screen in the staff console (web/console/src/pages/statistician/), in chromium
 * against a real vault served over HTTP: aggregate counts from GET /v1/stats as a chart and a table,
 * a withheld cell (under the server's minimum) shown as "withheld" in both — never as 0 — and the
 * chart's words for those who do not see it. Desktop in Chinese, phone in English; axe-core; no CSP
 * violation; no seeded personal value in the page, a requested URL or the server's log.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import {
  axe,
  consoleShot,
  DESKTOP,
  launch,
  openPage,
  PHONE,
  requestedUrls,
  staffLogin,
  type InPage,
} from '../helpers/browser.ts';
import { consoleVault, PASSWORD } from '../helpers/console.ts';
import { leaks } from '../helpers/http-vault.ts';

describe('the staff console in chromium: the statistician', () => {
  const v = consoleVault();
  let browser: Browser;
  const statistician = { login: 'statistician.test', displayName: '周统计', token: '' };

  before(async () => {
    const org = await v.api('POST', '/v1/organizations', v.tokens.admin, {
      name: '市统计局',
      kind: 'statistics_office',
    });
    assert.equal(org.status, 201, org.text);
    const r = await v.principal({
      displayName: statistician.displayName,
      login: statistician.login,
      password: PASSWORD,
      roles: ['statistician'],
      organizationId: org.json.id,
    });
    statistician.token = r.token;
    browser = await launch('console');
  });
  after(async () => {
    await browser?.close();
  });

  for (const [label, viewport, lang] of [
    ['desktop', DESKTOP, 'zh-CN'],
    ['phone', PHONE, 'en'],
  ] as const) {
    test(`${label}, ${lang}: the chart and its table, a withheld cell shown as withheld`, async () => {
      // The grouping with a withheld cell, as the server answers it.
      let group = '';
      let stats: { cells: { value: string; count: number | null; suppressed: boolean }[] } | undefined;
      for (const g of ['birthMonth', 'district', 'birthYear', 'hospital']) {
        const r = await v.api('GET', `/v1/stats?groupBy=${g}`, statistician.token);
        assert.equal(r.status, 200, r.text);
        if (r.json.cells.some((c: { suppressed: boolean }) => c.suppressed)) {
          group = g;
          stats = r.json;
          break;
        }
      }
      assert.ok(stats, 'no grouping of the city has a withheld cell');
      const withheld = stats.cells.filter((c) => c.suppressed);
      const names = {
        'zh-CN': {
          title: '统计',
          nav: '统计',
          groupBy: '分组',
          withheld: '不予公布',
          birthMonth: '出生月份',
          district: '辖区',
          birthYear: '出生年份',
          hospital: '医院',
        },
        en: {
          title: 'Statistics',
          nav: 'Statistics',
          groupBy: 'Group by',
          withheld: 'withheld',
          birthMonth: 'Month of birth',
          district: 'District',
          birthYear: 'Year of birth',
          hospital: 'Hospital',
        },
      }[lang];
      const { page, problems, context } = await openPage(browser, viewport);
      const urls = requestedUrls(page);
      try {
        await staffLogin(page, v.base(), statistician.login, PASSWORD, lang);
        if (label === 'phone') await page.getByRole('button', { name: 'Menu' }).click();
        await page.getByRole('navigation').getByText(names.nav, { exact: true }).click();
        await page.getByRole('heading', { level: 1, name: names.title }).waitFor();
        // The grouping chosen by keyboard: the select focused, the option's first letters typed.
        const select = page.getByRole('combobox', { name: names.groupBy });
        await page.getByRole('dialog').waitFor({ state: 'hidden' }); // (a phone's menu drawer gone)
        await select.focus();
        await select.selectOption({ label: names[group as 'district'] });
        const table = page.locator('.ant-table');
        await table.getByText(names.withheld).first().waitFor();
        // Each withheld cell: the word in its row, never a number, never 0.
        for (const c of withheld) {
          const row = table.getByRole('row').filter({ hasText: c.value });
          if ((await row.count()) === 0) continue; // a translated value (a sex) is checked by the count below
          const text = await row.first().innerText();
          assert.ok(text.includes(names.withheld), text);
          assert.doesNotMatch(text.replace(c.value, ''), /\b0\b/);
        }
        assert.equal(await table.locator('.tv-withheld').count(), Math.min(withheld.length, 20));
        // The chart: an image named with its numbers, the withheld ones as the word.
        const chart = page.getByRole('img', { name: new RegExp(names.withheld) });
        await chart.waitFor();
        await chart.locator('svg').waitFor(); // the chart, once ECharts has loaded (chart.tsx)
        assert.ok((await chart.locator('svg text').allTextContents()).some((t) => t.includes(names.withheld)));
        await axe(page, `stats ${label}`);
        await consoleShot(page, `statistician-${lang}-${label}.png`);
        const shown = (await page.evaluate(() => (globalThis as InPage).document.body.innerText)) as string;
        assert.deepEqual(leaks(shown, v.seeded), []);
        assert.deepEqual(leaks(urls.join('\n'), v.seeded), []);
        assert.deepEqual(await problems(), []);
      } finally {
        await context.close();
      }
    });
  }
});
