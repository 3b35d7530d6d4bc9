/**
 * Every screen of the staff console's data-protection officer, investigator and statistician, at a
 * phone's width and a desktop's, in Chinese and in English, against one real vault
 * (test/helpers/console.ts) with something on each: a guard alert (a clinician blocked after its
 * threshold was lowered), a pending export, a guardian's rights request, a guardian's report of a
 * suspicious call, a finished trace, statistics with withheld cells. Each screen: its language
 * kept, axe-core finds nothing serious or critical, no console error and no content-security
 * violation, no seeded personal value in its text; a page wider than its viewport is reported.
 *
 * TRACEVAULT_SCREENSHOTS=DIR keeps console-SCREEN-LANG-phone|desktop.png there (docs/screenshots/).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { investigation as investigationWords } from '../../web/console/src/i18n/investigation.ts';
import { oversight as oversightWords } from '../../web/console/src/i18n/oversight.ts';
import { shell as shellWords } from '../../web/console/src/i18n/shell.ts';
import { statistics as statisticsWords } from '../../web/console/src/i18n/statistics.ts';
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
import { consoleVault } from '../helpers/console.ts';
import { leaks } from '../helpers/http-vault.ts';
import { portalHarness } from '../helpers/portal.ts';

describe('the staff console in chromium: every screen of the DPO, investigator and statistician', () => {
  const v = consoleVault();
  const portal = portalHarness(v);
  let browser: Browser;
  const who: Record<'dpo' | 'investigator' | 'statistician', { id: string; token: string; displayName: string }> =
    {} as never;
  let traceId = '';

  before(async () => {
    portal.connect();
    const { admin, city } = v.opened();
    const hospital = city.hospitals[0]!.orgId;
    const stats = await v.api('POST', '/v1/organizations', v.tokens.admin, {
      name: '市统计局',
      kind: 'statistics_office',
    });
    const make = async (key: keyof typeof who, displayName: string, roles: string[], organizationId: string) => {
      who[key] = { ...(await v.principal({ displayName, roles, organizationId })), displayName };
    };
    await make('dpo', '陈数据', ['dpo'], hospital);
    await make('investigator', '孙调查', ['investigator'], admin.orgId!);
    await make('statistician', '周统计', ['statistician'], stats.json.id as string);

    // A guardian's restriction request and a report of a suspicious call.
    const { token } = await portal.enrolled(v.recordsA[5]!);
    const asked = await v.api('POST', '/v1/portal/requests', token, { childId: v.recordsA[5], kind: 'restriction' });
    assert.equal(asked.status, 201, asked.text);
    const reported = await v.api('POST', '/v1/portal/reports', token, {
      at: new Date(Date.now() - 3_600_000).toISOString(),
      childId: v.recordsA[5],
      callerNumber: '+86 171 0531 7788',
      claimedToBe: '妇幼保健院摄影师',
      knew: ['babyName', 'hospital', 'dischargeTime'],
    });
    assert.equal(reported.status, 201, reported.text);

    // An alert: the clinicians' velocity lowered to 2, a clinician reads three records in clear.
    const g = await v.api('GET', '/v1/guard/settings', who.dpo.token);
    const settings = { ...g.json.settings, roles: { ...g.json.settings.roles, clinician: { velocityPerMinute: 2 } } };
    const put = await v.api('PUT', '/v1/guard/settings', who.dpo.token, { expectedVersion: g.json.version, settings });
    assert.equal(put.status, 200, put.text);
    let refused = 0;
    for (const id of v.recordsA.slice(0, 4)) {
      const r = await v.api('GET', `/v1/records/${id}?purpose=treatment&reveal=motherPhone`, v.staff.clinician.token);
      if (r.status !== 200) refused++;
    }
    assert.ok(refused > 0, 'the guard stopped the clinician');

    // An export approved, its file leaked and traced; another export waiting.
    const request = async (fields: string[]) => {
      const r = await v.api('POST', '/v1/exports', v.staff.clerk.token, {
        purpose: 'birth_registration',
        fields,
        format: 'csv',
        justification: '季度出生登记核对',
      });
      assert.equal(r.status, 201, r.text);
      return r.json.id as string;
    };
    const done = await request(['babyName', 'motherName', 'birthTime', 'hospital']);
    assert.equal((await v.api('POST', `/v1/exports/${done}/approve`, who.dpo.token)).status, 200);
    const lines = (await v.api('GET', `/v1/exports/${done}/file`, v.staff.clerk.token)).text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    const trace = await v.api('POST', '/v1/traces', who.investigator.token, lines.slice(0, 26).join('\n') + '\n', {
      'content-type': 'text/csv',
      prefer: 'wait=60',
    });
    assert.equal(trace.status, 201, trace.text);
    traceId = trace.json.id as string;
    await request(['babyName', 'address', 'motherName']);
    browser = await launch('console');
  });
  after(async () => {
    await browser?.close();
  });

  for (const lang of ['zh-CN', 'en'] as const)
    for (const [viewport, size] of [
      [PHONE, 'phone'],
      [DESKTOP, 'desktop'],
    ] as const)
      test(`${lang}, ${size}: every screen, axe, no problem, a screenshot`, async (t) => {
        const s = shellWords[lang],
          o = oversightWords[lang],
          i = investigationWords[lang],
          st = statisticsWords[lang];
        const { context, page, problems } = await openPage(browser, viewport);
        let seen = 0;
        const check = async (screen: string) => {
          assert.equal(await page.getAttribute('html', 'lang'), lang, `${screen}: the language kept`);
          // antd's colour transitions (0.2 s: a button enabled once its data came) end first.
          await page.waitForTimeout(300);
          await axe(page, `${screen}, ${lang}, ${size}`);
          const all = await problems();
          assert.deepEqual(all.slice(seen), [], `${screen}, ${lang}, ${size}`);
          seen = all.length;
          const shown = (await page.evaluate(() => (globalThis as InPage).document.body.innerText)) as string;
          assert.deepEqual(leaks(shown, v.seeded), [], `${screen}: a personal value shown`);
          const wide = await page.evaluate(() => {
            const g = globalThis as InPage;
            return g.document.documentElement.scrollWidth - g.innerWidth;
          });
          if (wide > 0) t.diagnostic(`${screen}: ${wide}px wider than the ${size}'s viewport`);
          await consoleShot(page, `${screen}-${lang}-${size}.png`);
        };
        const h1 = (name: string) => page.getByRole('heading', { level: 1, name }).waitFor();
        const as = async (key: keyof typeof who) => {
          const session = {
            token: who[key].token,
            expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
            principalId: who[key].id,
          };
          await page.goto(`${v.base()}/console/login${lang === 'en' ? '?lang=en' : ''}`);
          await page.evaluate(
            ([k, value]) => (globalThis as InPage).sessionStorage.setItem(k, value),
            [CONSOLE_SESSION_KEY, JSON.stringify(session)],
          );
          await page.goto(`${v.base()}/console/`);
          await h1(s.home.title.replace('{{name}}', who[key].displayName));
        };
        const go = async (path: string, title: string, ready: string | RegExp) => {
          await page.goto(`${v.base()}/console${path}`);
          await h1(title);
          await page.getByText(ready).first().waitFor();
        };
        try {
          await as('dpo');
          await go('/alerts', o.alerts.title, o.alerts.rules.velocity);
          await page.locator('.tv-chart svg').first().waitFor();
          await check('dpo-alerts');
          await go('/approvals', o.approvals.title, '季度出生登记核对');
          await check('dpo-approvals');
          await go('/guard', o.guard.title, o.guard.version.replace('{{version}}', '1'));
          await check('dpo-guard');
          await go('/policy', o.policy.title, o.policy.text);
          await check('dpo-policy');
          await go('/rights', o.rights.title, o.rights.kinds.restriction);
          await check('dpo-rights');
          await go('/ledger', o.ledger.title, o.ledger.witnesses);
          await check('dpo-ledger');

          await as('investigator');
          await go('/trace', i.trace.title, i.trace.drop);
          await check('investigator-trace');
          await go(`/traces/${traceId}`, i.report.title, v.staff.clerk.displayName);
          await page.getByRole('heading', { name: i.report.families }).waitFor();
          await check('investigator-report');
          await go('/call-reports', i.reports.title, '妇幼保健院摄影师');
          await check('investigator-call-reports');
          if (lang === 'en' && size === 'desktop') {
            // The period's reports traced as a complaint set: a job, then its report's page.
            await page.getByRole('button', { name: i.reports.trace }).click();
            await page.waitForURL(/\/console\/traces\/[^/]+$/, { timeout: 60_000 });
            await page.getByRole('heading', { name: i.report.verdict }).waitFor({ timeout: 30_000 });
            await check('investigator-complaints');
          }

          await as('statistician');
          await go('/stats', st.stats.title, st.stats.value);
          await page.locator('.tv-chart svg').first().waitFor();
          await check('statistician-stats');
        } finally {
          await context.close();
        }
      });
});
