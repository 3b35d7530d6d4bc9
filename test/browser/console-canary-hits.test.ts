/**
 * The console's canary hits screen (pages/investigator/canary-hits.tsx) against a real vault: an
 * investigator's export carries canaries with the operator's phone; a buyer's call quoting a
 * canary baby is confirmed and the screen names the export's recipient by name, role and
 * organisation (never an id), a bare call is listed as not confirmed; a DPO sees the hits without
 * the disclosure. At a phone's width and a desktop's, in Chinese and English: axe-core finds
 * nothing serious or critical, no console error, no seeded personal value and no canary's name.
 *
 * TRACEVAULT_SCREENSHOTS=DIR keeps console-canary-hits-LANG-phone|desktop.png there.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { investigation as investigationWords } from '../../web/console/src/i18n/investigation.ts';
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
import { consoleVault } from '../helpers/console.ts';
import { leaks } from '../helpers/http-vault.ts';

describe('the staff console in chromium: canary hits', () => {
  const v = consoleVault();
  let browser: Browser;
  const who: Record<'dpo' | 'investigator' | 'recipient', { id: string; token: string; displayName: string }> =
    {} as never;
  let canaryBaby = '';

  before(async () => {
    const { admin, city } = v.opened();
    const hospital = city.hospitals[0]!.orgId;
    const make = async (key: keyof typeof who, displayName: string, roles: string[], organizationId: string) => {
      who[key] = { ...(await v.principal({ displayName, roles, organizationId })), displayName };
    };
    await make('dpo', '陈数据', ['dpo'], hospital);
    await make('investigator', '孙调查', ['investigator'], admin.orgId!);
    await make('recipient', '马取证', ['investigator'], admin.orgId!);

    // The operator's phone, then an export whose canaries carry it (src/server/exports.http.test.ts).
    const c = await v.api('POST', '/v1/canaries/contacts', who.dpo.token, { kind: 'phone', value: '139 0531 0001' });
    assert.equal(c.status, 201, c.text);
    const req = await v.api('POST', '/v1/exports', who.recipient.token, {
      purpose: 'investigation',
      fields: ['babyName', 'motherName', 'motherPhone', 'birthTime'],
      format: 'jsonl',
      filter: { organizationId: hospital },
    });
    assert.equal(req.status, 201, req.text);
    assert.equal((await v.api('POST', `/v1/exports/${req.json.id}/approve`, who.dpo.token)).status, 200);
    const file = await v.api('GET', `/v1/exports/${req.json.id}/file`, who.recipient.token);
    assert.equal(file.status, 200, file.text);
    const rows = file.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, string>);
    const lookup = await v.api('POST', '/v1/canaries/lookup', who.investigator.token, { rows });
    assert.ok(lookup.json.hits.length >= 1, lookup.text);
    const canary = rows[lookup.json.hits[0].rows[0]]!;
    assert.equal(canary.motherPhone!.replace(/\D/g, ''), '13905310001', 'the canary carries the contact point');
    canaryBaby = String(canary.babyName);
    const bare = await v.api('POST', '/v1/canaries/hits', who.dpo.token, {
      contact: '13905310001',
      at: '2026-11-23T10:00:00+08:00',
      quote: '您好，我是医院的新生儿摄影师',
    });
    assert.equal(bare.json.confirmed, false, bare.text);
    const hit = await v.api('POST', '/v1/canaries/hits', who.investigator.token, {
      contact: '139-0531-0001',
      at: '2026-11-23T10:05:00+08:00',
      quote: `恭喜您，${canaryBaby}的满月照可以预约了`,
    });
    assert.equal(hit.json.confirmed, true, hit.text);
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
      test(`${lang}, ${size}: the confirmed hit names its recipient; a DPO sees no one; axe`, async () => {
        const s = shellWords[lang],
          i = investigationWords[lang];
        const { context, page, problems } = await openPage(browser, viewport);
        const as = async (key: 'dpo' | 'investigator') => {
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
          await page
            .getByRole('heading', { level: 1, name: s.home.title.replace('{{name}}', who[key].displayName) })
            .waitFor();
          await page.goto(`${v.base()}/console/canary-hits`);
          await page.getByRole('heading', { level: 1, name: i.canaries.title }).waitFor();
          await page.getByText(i.canaries.total.replace('{{count}}', '2')).waitFor();
        };
        const text = async () => (await page.evaluate(() => (globalThis as InPage).document.body.innerText)) as string;
        try {
          await as('investigator');
          const region = page.getByRole('region', { name: i.canaries.title });
          await region.getByText(who.recipient.displayName).waitFor();
          const shown = await text();
          assert.equal(await page.getAttribute('html', 'lang'), lang);
          assert.ok(shown.includes(s.roles.investigator), 'the recipient’s role');
          assert.ok(shown.includes(i.report.channels.export), 'the channel');
          assert.ok(shown.includes(i.canaries.confirmed) && shown.includes(i.canaries.unconfirmed));
          assert.ok(shown.includes(i.canaries.unconfirmedNote), 'the bare call names no one');
          assert.match(shown, /2026[-/]11[-/]23|23\/11\/2026/, 'the call’s day in Beijing time');
          assert.ok(!shown.includes(canaryBaby), 'what the caller said is never listed');
          assert.ok(!shown.includes(who.recipient.id), 'a name, not an id');
          assert.deepEqual(leaks(shown, v.seeded), [], 'a personal value shown');
          await page.waitForTimeout(300);
          await axe(page, `canary hits, ${lang}, ${size}`);
          await consoleShot(page, `canary-hits-${lang}-${size}.png`);
          // The trace button goes to the tracing page.
          await page.getByRole('button', { name: i.canaries.trace }).click();
          await page.getByRole('heading', { level: 1, name: i.trace.title }).waitFor();

          await as('dpo');
          await page.getByText(i.canaries.notNamed).first().waitFor();
          const toDpo = await text();
          assert.ok(!toDpo.includes(who.recipient.displayName), 'a DPO is not told whose canary it was');
          await page.waitForTimeout(300);
          await axe(page, `canary hits (DPO), ${lang}, ${size}`);
          assert.deepEqual(await problems(), [], `${lang}, ${size}`);
        } finally {
          await context.close();
        }
      });
});
