/**
 * The investigator's screens in the staff console (web/console/src/pages/investigator/), in
 * chromium against a real vault served over HTTP: a leak made from a real export file (a records
 * clerk's export approved by a DPO, thirty rows of it, as test/browser/trace-report.test.ts), saved
 * in GBK and dropped on the trace page as a file, followed through the job's progress to the
 * report's page, which names the accused person (name, role, organisation), shows the window on a
 * timeline, the families affected as a count, the evidence per candidate and the draft notices, and
 * sends the families' notice with one action. Also a whole XLSX export dropped, pasted text, and the
 * parents' reports page, and a run of a nurse's standing due list leaked with 40% noise, traced to
 * her run. Desktop in Chinese and English, phone in English; axe-core; the keyboard;
 * no CSP violation; no personal value of the leak or the city in the page's text, a requested URL,
 * the browser's console or the server's log.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import iconv from 'iconv-lite';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
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
import { parse } from 'csv-parse/sync';
import { consoleVault, PASSWORD } from '../helpers/console.ts';
import { leaks } from '../helpers/http-vault.ts';
import { generateCity } from '../../src/synth/city.ts';
import { Rng } from '../../src/synth/random.ts';
import { localDate } from '../../src/schema/local-date.ts';

describe('the staff console in chromium: the investigator', () => {
  const v = consoleVault();
  let browser: Browser;
  let dir = '';
  let leakFile = '';
  let leakText = '';
  let xlsxBytes = Buffer.alloc(0);
  const leaked: string[] = [];
  const investigator = { login: 'investigator.test', displayName: '孙调查' };
  let investigatorToken = '';

  before(async () => {
    const { admin } = v.opened();
    const inv = await v.principal({
      displayName: investigator.displayName,
      login: investigator.login,
      password: PASSWORD,
      roles: ['investigator'],
      organizationId: admin.orgId,
    });
    investigatorToken = inv.token;
    const dpo = await v.principal({ displayName: 'dpo', roles: ['dpo'], organizationId: admin.orgId });
    // A second export, as XLSX: the whole file leaks as it was downloaded.
    const x = await v.api('POST', '/v1/exports', v.staff.clerk.token, {
      purpose: 'birth_registration',
      fields: ['babyName', 'motherName', 'birthTime', 'hospital'],
      format: 'xlsx',
    });
    assert.equal(x.status, 201, x.text);
    assert.equal((await v.api('POST', `/v1/exports/${x.json.id}/approve`, dpo.token)).status, 200);
    const xlsx = await fetch(`${v.base()}/v1/exports/${x.json.id}/file`, {
      headers: { authorization: `Bearer ${v.staff.clerk.token}` },
    });
    assert.equal(xlsx.status, 200);
    xlsxBytes = Buffer.from(await xlsx.arrayBuffer());
    // The clerk's export, approved, downloaded: the file that leaks.
    const req = await v.api('POST', '/v1/exports', v.staff.clerk.token, {
      purpose: 'birth_registration',
      fields: ['babyName', 'motherName', 'birthTime', 'address', 'hospital'],
      format: 'csv',
    });
    assert.equal(req.status, 201, req.text);
    assert.equal((await v.api('POST', `/v1/exports/${req.json.id}/approve`, dpo.token)).status, 200);
    const file = (await v.api('GET', `/v1/exports/${req.json.id}/file`, v.staff.clerk.token)).text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    const sample = [file[0]!, ...file.slice(1, 31)];
    for (const line of sample.slice(1))
      leaked.push(...line.split(',').filter((c) => c.length >= 3 && !/医院|院$/.test(c) && !/^\d{4}[-/]/.test(c)));
    dir = mkdtempSync(join(tmpdir(), 'tv-console-leak-'));
    leakFile = join(dir, '名单.csv');
    leakText = sample.join('\n') + '\n';
    // As such lists pass round: saved by a spreadsheet in GBK, not UTF-8.
    writeFileSync(leakFile, iconv.encode(leakText, 'gbk'));
    writeFileSync(join(dir, 'list.xlsx'), xlsxBytes);
    browser = await launch('console');
  });
  after(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const clean = async (page: Page, urls: string[], problems: () => Promise<string[]>) => {
    const shown = (await page.evaluate(() => (globalThis as InPage).document.body.innerText)) as string;
    assert.deepEqual(leaks(shown, [...leaked, ...v.seeded]), [], 'the page shows a personal value');
    assert.deepEqual(leaks(urls.join('\n'), [...leaked, ...v.seeded]), [], 'a requested URL holds a personal value');
    assert.deepEqual(await problems(), [], 'console errors or CSP violations');
  };

  test('desktop, zh-CN: a dropped GBK file, its progress, the report naming the clerk, the notice sent', async () => {
    const { page, problems, context } = await openPage(browser, DESKTOP);
    const urls = requestedUrls(page);
    try {
      await staffLogin(page, v.base(), investigator.login, PASSWORD);
      await page.getByRole('navigation').getByText('追溯泄露文件', { exact: true }).click();
      await page.getByRole('heading', { level: 1, name: '追溯泄露文件' }).waitFor();
      await axe(page, 'trace desktop');
      await consoleShot(page, 'investigator-trace-zh-CN-desktop.png');
      // The file as a person drops it: the upload's file input.
      await page.locator('input[type=file]').setInputFiles(leakFile);
      await page.getByText('名单.csv').waitFor();
      const start = page.getByRole('button', { name: /开始追溯/ });
      await start.focus();
      await page.keyboard.press('Enter');
      // The job's progress, then the report's own page.
      await page.waitForURL(/\/console\/traces\/[^/]+$/, { timeout: 60_000 });
      await page.getByRole('heading', { level: 1, name: '追溯报告' }).waitFor();
      const accused = page.getByTestId('accused-name');
      await accused.waitFor({ timeout: 30_000 });
      assert.equal(await accused.innerText(), v.staff.clerk.displayName);
      const verdict = await page.locator('.tv-verdict').innerText();
      assert.match(verdict, /病案|登记/); // the clerk's role, in words
      assert.ok(verdict.includes(v.opened().city.hospitals[0]!.name), verdict);
      // The window on a timeline (an image with its words), the families as a count, the evidence.
      const timeline = page.getByRole('img', { name: /泄露时间窗/ });
      await timeline.waitFor();
      await timeline.locator('svg').waitFor(); // the chart, once ECharts has loaded (chart.tsx)
      await page
        .getByText(/\d+ 户/)
        .first()
        .waitFor();
      await page.getByRole('heading', { name: '各候选来源的证据' }).waitFor();
      await page.getByRole('heading', { name: '致受影响的家庭' }).waitFor();
      await axe(page, 'report desktop');
      await consoleShot(page, 'investigator-report-zh-CN-desktop.png');
      // One action sends the families' notice.
      await page.getByRole('checkbox', { name: '已复核导出' }).check();
      await page.getByRole('button', { name: '确认并发送给家庭' }).click();
      await page
        .getByRole('status')
        .getByText(/已发送：\d+ 位家长/)
        .waitFor();
      await clean(page, urls, problems);
    } finally {
      await context.close();
    }
  });

  test('desktop, en: a dropped XLSX file traced to the clerk', async () => {
    const { page, problems, context } = await openPage(browser, DESKTOP);
    const urls = requestedUrls(page);
    try {
      await staffLogin(page, v.base(), investigator.login, PASSWORD, 'en');
      await page.goto(`${v.base()}/console/trace`);
      await page.getByRole('heading', { level: 1, name: 'Trace a leaked file' }).waitFor();
      await page.locator('input[type=file]').setInputFiles(join(dir, 'list.xlsx'));
      await page.getByText('list.xlsx').waitFor();
      await page.getByRole('button', { name: 'Trace' }).click();
      await page.waitForURL(/\/console\/traces\/[^/]+$/, { timeout: 60_000 });
      await page.getByTestId('accused-name').waitFor({ timeout: 30_000 });
      assert.equal(await page.getByTestId('accused-name').innerText(), v.staff.clerk.displayName);
      await page.getByText('Records clerk').first().waitFor();
      await axe(page, 'report desktop en');
      await consoleShot(page, 'investigator-report-xlsx-en-desktop.png');
      await clean(page, urls, problems);
    } finally {
      await context.close();
    }
  });

  test("phone, en: pasted text traced to its report; the parents' reports page", async () => {
    const { page, problems, context } = await openPage(browser, PHONE);
    const urls = requestedUrls(page);
    try {
      await staffLogin(page, v.base(), investigator.login, PASSWORD, 'en');
      await page.getByRole('button', { name: 'Menu' }).click();
      await page.getByRole('navigation').getByText('Trace a leaked file', { exact: true }).click();
      await page.getByRole('heading', { level: 1, name: 'Trace a leaked file' }).waitFor();
      await page.getByRole('dialog').waitFor({ state: 'hidden' });
      await page.getByLabel('Or paste text').fill(leakText);
      await page.getByRole('button', { name: 'Trace' }).click();
      await page.waitForURL(/\/console\/traces\/[^/]+$/, { timeout: 60_000 });
      await page.getByTestId('accused-name').waitFor({ timeout: 30_000 });
      assert.equal(await page.getByTestId('accused-name').innerText(), v.staff.clerk.displayName);
      await page
        .getByText(/\d+ families/)
        .first()
        .waitFor();
      const width = await page.evaluate(() => (globalThis as InPage).document.documentElement.scrollWidth);
      assert.ok(width <= PHONE.width, `the page is ${width}px wide on a phone`);
      await axe(page, 'report phone');
      await consoleShot(page, 'investigator-report-en-phone.png');
      await page.getByRole('button', { name: 'Menu' }).click();
      await page.getByRole('navigation').getByText("Parents' reports", { exact: true }).click();
      await page.getByRole('heading', { level: 1, name: "Parents' reports" }).waitFor();
      await page.getByRole('dialog').waitFor({ state: 'hidden' }); // the menu's drawer gone
      await page.getByText(/\d+ reports/).waitFor();
      await axe(page, 'call reports phone');
      await clean(page, urls, problems);
    } finally {
      await context.close();
    }
  });

  test("desktop, zh-CN: a run of the nurse's standing due list, leaked with 40% noise, traced to her", async () => {
    // The nurse asks once for her monthly list as a file, a DPO approves, she runs it (issue 22).
    const nurse = v.staff.nurseA;
    const today = localDate(Date.now());
    const validTo = localDate(Date.now() + 60 * 86_400_000);
    const req = await v.api('POST', '/v1/due-list/standing-exports', nurse.token, {
      format: 'csv',
      validFrom: today,
      validTo,
      justification: '每月预防接种通知',
    });
    assert.equal(req.status, 201, req.text);
    const dpo = await v.principal({ displayName: 'dpo2', roles: ['dpo'], organizationId: v.opened().admin.orgId });
    assert.equal((await v.api('POST', `/v1/exports/${req.json.id}/approve`, dpo.token)).status, 200);
    const run = await v.api('POST', `/v1/exports/${req.json.id}/runs`, nurse.token, {
      from: '2026-12-01',
      to: '2026-12-31',
    });
    assert.equal(run.status, 201, run.text);
    const rows = parse<Record<string, string>>(run.text.replace(/^\uFEFF/, ''), { columns: true });
    // Sold on: 40% of the rows made up (other families) or retyped (the phone without separators, a
    // name with a slip of the keyboard), the rest as they were.
    const rng = new Rng('console-due-list-leak');
    const fake = [...generateCity({ seed: 'console-fabricated', families: rows.length }).families()];
    const noisy = rows.map((r, i) => {
      if (!rng.chance(0.4)) return r;
      if (rng.chance(0.5)) {
        const f = fake[i]!.initial.values;
        return {
          ...r,
          babyName: String(f.babyName),
          motherName: String(f.motherName),
          motherPhone: String(f.motherPhone),
          birthDate: String(f.birthTime).slice(0, 10),
        };
      }
      return {
        ...r,
        motherPhone: r.motherPhone!.replace(/\D/g, ''),
        motherName: [...r.motherName!].reverse().join(''),
      };
    });
    const header = Object.keys(rows[0]!);
    const cell = (x: string) => `"${x.replaceAll('"', '""')}"`;
    const csv = [header.map(cell).join(','), ...noisy.map((r) => header.map((h) => cell(r[h] ?? '')).join(','))];
    const file = join(dir, '接种名单.csv');
    writeFileSync(file, csv.join('\n') + '\n');
    const values = rows.flatMap((r) => [r.babyName!, r.motherName!, r.motherPhone!]).filter((x) => x.length >= 3);

    const { page, problems, context } = await openPage(browser, DESKTOP);
    const urls = requestedUrls(page);
    try {
      await staffLogin(page, v.base(), investigator.login, PASSWORD);
      await page.goto(`${v.base()}/console/trace`);
      await page.getByRole('heading', { level: 1, name: '追溯泄露文件' }).waitFor();
      await page.locator('input[type=file]').setInputFiles(file);
      await page.getByText('接种名单.csv').waitFor();
      await page.getByRole('button', { name: /开始追溯/ }).click();
      await page.waitForURL(/\/console\/traces\/[^/]+$/, { timeout: 60_000 });
      const accused = page.getByTestId('accused-name');
      await accused.waitFor({ timeout: 60_000 });
      assert.equal(await accused.innerText(), nurse.displayName);
      const traceId = page.url().split('/').pop()!;
      const report = await v.api('GET', `/v1/traces/${traceId}`, investigatorToken);
      assert.equal(report.json.accused?.disclosureId, run.headers.get('x-disclosure-id'), 'the run whose file leaked');
      await axe(page, 'standing-export leak report');
      const shown = (await page.evaluate(() => (globalThis as InPage).document.body.innerText)) as string;
      assert.deepEqual(leaks(shown, values), [], 'the report shows a value of the leaked list');
      assert.deepEqual(leaks(urls.join('\n'), values), []);
      assert.deepEqual(await problems(), []);
    } finally {
      await context.close();
    }
  });
});
