/**
 * The vaccination nurse's standing export of the due list in the staff console
 * (web/console/src/pages/clinician/standing-exports.tsx, ADR 0022), in chromium against a real vault
 * served over HTTP: from the due list she asks for a monthly list as a file (period, format,
 * justification); a DPO approves it (through the API); she runs this month's list in the browser,
 * the file arrives as a download whose name holds dates only, and the run is listed on the page as
 * it is in GET /v1/exports/{id}/runs (its disclosure, its rows). A desktop and a phone, in Chinese
 * and in English, CSV and XLSX; axe-core finds nothing serious or critical; no console error or
 * content-security violation; no seeded personal value in the page, in a requested URL or in the
 * browser's console (the server's log: http-vault.ts).
 *
 * TRACEVAULT_SCREENSHOTS=DIR keeps console-nurse-standing-LANG-phone|desktop.png there.
 */
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { clinician as words } from '../../web/console/src/i18n/clinician.ts';
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

describe('the staff console in chromium: a nurse’s standing export of the due list', () => {
  const v = consoleVault();
  let browser: Browser;
  let dpoToken = '';

  before(async () => {
    const { admin } = v.opened();
    dpoToken = (
      await v.principal({
        displayName: '陈数据',
        login: 'dpo.standing',
        password: PASSWORD,
        roles: ['dpo'],
        organizationId: admin.orgId,
      })
    ).token;
    browser = await launch('console');
  });
  after(async () => {
    await browser?.close();
  });

  const cases = [
    { nurse: 'nurseA', lang: 'zh-CN', viewport: DESKTOP, size: 'desktop', format: 'csv', first: true },
    { nurse: 'nurseB', lang: 'en', viewport: PHONE, size: 'phone', format: 'xlsx', first: true },
    // A second request each, beside the first (approved, with its run).
    { nurse: 'nurseA', lang: 'en', viewport: DESKTOP, size: 'desktop', format: 'xlsx', first: false },
    { nurse: 'nurseB', lang: 'zh-CN', viewport: PHONE, size: 'phone', format: 'csv', first: false },
  ] as const;

  for (const c of cases)
    test(`${c.lang}, ${c.size}: asked, approved, run; the file downloaded and the run listed`, async () => {
      const w = words[c.lang];
      const nurse = v.staff[c.nurse];
      const { page, context, problems } = await openPage(browser, c.viewport);
      const urls = requestedUrls(page);
      const lines: string[] = [];
      page.on('console', (m) => lines.push(m.text()));
      try {
        await staffLogin(page, v.base(), nurse.login, nurse.password, c.lang);
        // From the due list: "ask for a monthly list as a file".
        await page.goto(`${v.base()}/console/due-list`);
        await page.getByRole('heading', { level: 1, name: w.due.title }).waitFor();
        await page.getByRole('link', { name: w.due.askFile }).click();
        await page.getByRole('heading', { level: 1, name: w.standing.title }).waitFor();
        await page.getByText(w.standing.recorded).waitFor();
        if (c.first) await page.getByText(w.standing.none).waitFor();

        await page.getByRole('radio', { name: c.format === 'csv' ? 'CSV' : 'Excel (XLSX)' }).check();
        await page.getByLabel(w.standing.justification).fill('每月预防接种通知家长');
        await page.getByRole('button', { name: w.standing.submit }).click();
        await page.getByText(w.standing.state.waiting).waitFor();
        await axe(page, `asked, ${c.lang}, ${c.size}`);

        // The request as the API has it; a DPO approves it.
        const mine = await v.api('GET', '/v1/exports?mine=true', nurse.token);
        assert.equal(mine.status, 200, mine.text);
        const asked = (
          mine.json.exports as { id: string; kind: string; status: string; format: string; validTo: string }[]
        ).filter((e) => e.kind === 'due_list' && e.status === 'pending');
        assert.equal(asked.length, 1);
        assert.equal(asked[0]!.format, c.format);
        const id = asked[0]!.id;
        const approved = await v.api('POST', `/v1/exports/${id}/approve`, dpoToken, {});
        assert.equal(approved.status, 200, approved.text);

        // Approved until the end of its period: "run this month's list" downloads the file.
        await page.reload();
        const card = page.locator(`[data-export-id="${id}"]`);
        await card.getByText(w.standing.state.approved.replace('{{date}}', asked[0]!.validTo)).waitFor();
        // On a desktop by the keyboard (the button focused, Enter), on a phone by a click.
        const button = card.getByRole('button', { name: w.standing.run });
        const [download] = await Promise.all([
          page.waitForEvent('download'),
          c.size === 'desktop' ? button.focus().then(() => page.keyboard.press('Enter')) : button.click(),
        ]);
        const name = download.suggestedFilename();
        assert.match(name, new RegExp(`^due-list-\\d{4}-\\d{2}-\\d{2}-\\d{4}-\\d{2}-\\d{2}\\.${c.format}$`));
        const file = readFileSync(await download.path());
        if (c.format === 'csv') {
          const text = file.toString('utf8').replace(/^\uFEFF/, '');
          assert.match(text.split(/\r?\n/)[0]!, /^babyName,motherName,motherPhone,birthDate,/);
        } else assert.equal(file.subarray(0, 2).toString('latin1'), 'PK', 'an XLSX (a zip)');

        // The run on the page, as the API lists it: one disclosure of its own.
        const runs = await v.api('GET', `/v1/exports/${id}/runs`, nurse.token);
        assert.equal(runs.status, 200, runs.text);
        assert.equal(runs.json.runs.length, 1);
        const run = runs.json.runs[0] as { disclosureId: string; records: number; from: string; to: string };
        assert.ok(run.records > 0, 'rows in the file');
        if (c.format === 'csv') {
          const rows = file.toString('utf8').trim().split(/\r?\n/).length - 1;
          assert.ok(rows >= run.records, `${rows} lines for ${run.records} rows`); // a row per dose due
        }
        // A table on a desktop, a list on a phone.
        await card.getByText(run.disclosureId).waitFor();
        await card.getByText(`${run.from} – ${run.to}`).waitFor();
        if (c.size === 'desktop')
          await card
            .getByRole('region', { name: w.standing.runs })
            .getByRole('cell', { name: String(run.records), exact: true })
            .waitFor();
        else await card.getByText(w.standing.rowsCount.replace('{{count}}', String(run.records))).waitFor();

        await axe(page, `run, ${c.lang}, ${c.size}`);
        assert.equal(await page.getAttribute('html', 'lang'), c.lang);
        await consoleShot(page, `nurse-standing-${c.lang}-${c.size}.png`);

        const encoded = v.seeded.flatMap((s) => [s, encodeURIComponent(s)]);
        assert.deepEqual(leaks([...urls, name].join('\n'), encoded), [], 'a URL or the file name holds a value');
        assert.deepEqual(leaks(lines.join('\n'), v.seeded), [], 'the browser console holds a personal value');
        const shown = (await page.evaluate(() => (globalThis as InPage).document.body.innerText)) as string;
        assert.deepEqual(leaks(shown, v.seeded), [], 'the page shows a personal value');
        assert.deepEqual(await problems(), [], 'console errors or CSP violations');
      } finally {
        await context.close();
      }
    });
});
