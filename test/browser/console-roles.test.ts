/**
 * Each role's main flow in the staff console (web/console/), in chromium against a real vault served
 * over HTTP (the synthetic city on SQLite; test/helpers/console.ts), logged in with an account and a
 * password as staff are:
 *
 * - a clinician finds a family by the mother's phone (a POST body, never a URL), opens the masked
 *   card, sees two fields in clear for treatment, is asked for a justification for a resident id and
 *   gives one, and registers a call to the family (the 4-digit code);
 * - a vaccination nurse's due list holds her clinic's districts' children and never another
 *   clinic's, and "dose given" takes the dose off the list;
 * - a records clerk registers a birth, sees the validator's words under the wrong field, corrects
 *   it; imports a CSV with invalid rows (listed by row, field, rule) and then a good one, with its
 *   progress to done;
 * - an administrator creates a principal (its token shown once) and disables it.
 *
 * Throughout: no console error or content-security violation, no seeded personal value in the
 * browser's console or in any URL the page requested, nor in the server's log lines (http-vault.ts
 * checks those after the file).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { BIRTH } from '../../src/schema/record-type.ts';
import { writeCsv } from '../../src/sim/files.ts';
import { generateCity } from '../../src/synth/city.ts';
import { snapshot } from '../../src/synth/snapshot.ts';
import { DESKTOP, launch, openPage, requestedUrls, staffLogin, type Opened } from '../helpers/browser.ts';
import { consoleVault, type Staff } from '../helpers/console.ts';
import { leaks } from '../helpers/http-vault.ts';

describe('the staff console in chromium: each role’s main flow', () => {
  const v = consoleVault();
  let browser: Browser, dir: string;

  before(async () => {
    browser = await launch('console');
    dir = mkdtempSync(join(tmpdir(), 'tv-console-'));
  });
  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A page logged in as `who`, with every console line and requested URL kept; checked on `done()`. */
  async function as(who: Staff): Promise<Opened & { done: (expected?: RegExp) => Promise<void>; page: Page }> {
    const opened = await openPage(browser, DESKTOP);
    const lines: string[] = [];
    opened.page.on('console', (m) => lines.push(m.text()));
    const urls = requestedUrls(opened.page);
    await staffLogin(opened.page, v.base(), v.staff[who].login, v.staff[who].password);
    return {
      ...opened,
      /** `expected`: the browser's own line for a refusal the test asked for (a 400 of a wrong field). */
      async done(expected?: RegExp) {
        const encoded = v.seeded.flatMap((s) => [s, encodeURIComponent(s)]);
        assert.deepEqual(leaks(urls.join('\n'), encoded), [], 'a requested URL holds a personal value');
        assert.deepEqual(leaks(lines.join('\n'), v.seeded), [], 'the browser console holds a personal value');
        assert.deepEqual(
          (await opened.problems()).filter((p) => !expected?.test(p)),
          [],
        );
        await opened.context.close();
      },
    };
  }

  test('clinician: search by phone → masked card → reveal (then with a justification) → call the family', async () => {
    const { vault } = v.opened();
    const id = v.recordsA[3]!;
    const rec = (await vault.registry.get(id)).current;
    const value = (f: string) => String(rec.get(f)!.value);
    const { page, done } = await as('clinician');
    await page.getByRole('navigation', { name: '主导航' }).getByText('查找记录').click();
    await page.getByRole('heading', { level: 1, name: '查找记录' }).waitFor();
    await page.getByRole('textbox', { name: '手机号' }).fill(value('motherPhone'));
    await page.keyboard.press('Enter');
    await page.getByText(/找到 \d+ 条记录/).waitFor();
    const table = await page.locator('.ant-table').innerText();
    assert.deepEqual(leaks(table, v.seeded), [], 'the results are masked');
    await page
      .locator(`tr[data-row-key="${id}"]`)
      .getByRole('button', { name: /^查\s*看$/ })
      .click();
    await page.getByRole('heading', { level: 1, name: '出生记录' }).waitFor();
    await page.getByText('默认脱敏显示').waitFor();
    assert.deepEqual(leaks(await page.locator('#main').innerText(), v.seeded), [], 'the card is masked');
    // Two fields in clear, for treatment (the default purpose of a clinician).
    await page.getByRole('button', { name: '查看明文' }).click();
    await page.getByText(value('motherName'), { exact: true }).waitFor();
    // The phone in clear carries the reveal's mark (its digits grouped: disclose/marks.ts); the digits are hers.
    const clear = await page.locator('.tv-clear').allInnerTexts();
    assert.ok(
      clear.some((x) => x.replace(/\D/g, '') === value('motherPhone')),
      clear.join(' | '),
    );
    await page.getByText(/已作为一次披露记入台账/).waitFor();
    // A resident id is sensitive: the server asks for a justification, then shows it.
    await page.getByRole('checkbox', { name: '母亲身份证号' }).check();
    await page.getByRole('button', { name: '查看明文' }).click();
    await page.getByText('此次查看需要填写理由。').waitFor();
    await page.getByLabel('理由').fill('产妇复诊需核对身份信息');
    await page.getByRole('button', { name: '查看明文' }).click();
    await page.getByText(value('motherResidentId'), { exact: true }).waitFor();
    // Call the family: registered, the code to say.
    await page.getByLabel('来电事由').fill('产后随访');
    await page.getByLabel('您的来电号码').fill('0531 8888 6666');
    await page.getByRole('button', { name: '登记来电' }).click();
    assert.match(await page.getByTestId('call-code').innerText(), /^\d{4}$/);
    const calls = await vault.db.all<{ n: number }>(
      "SELECT COUNT(*) AS n FROM audit_events WHERE action = 'call.register'",
    );
    assert.equal(Number(calls[0]!.n), 1);
    // The refusal that asked for the justification is the browser's one line.
    await done(/status of 403 \(Forbidden\)$/);
  });

  test("nurse: her districts' due list and never another clinic's; dose given takes it off", async () => {
    const from = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const to = new Date(Date.now() + (8 + 30 * 24) * 3_600_000).toISOString().slice(0, 10);
    const ids = async (who: Staff) => {
      const out: string[] = [];
      for (let offset = 0; ; offset += 200) {
        const r = await v.api(
          'GET',
          `/v1/due-list?from=${from}&to=${to}&limit=200&offset=${offset}`,
          v.staff[who].token,
        );
        assert.equal(r.status, 200, r.text);
        out.push(...r.json.rows.map((x: { id: string }) => x.id));
        if (offset + 200 >= r.json.total) return { ids: out, total: r.json.total as number };
      }
    };
    const [a, b] = [await ids('nurseA'), await ids('nurseB')];
    assert.ok(a.total > 0 && b.total > 0, `${a.total} / ${b.total}`);
    const { page, done } = await as('nurseA');
    await page.getByRole('navigation', { name: '主导航' }).getByText('待接种名单').click();
    await page.getByRole('heading', { level: 1, name: '待接种名单' }).waitFor();
    await page.getByText(`共 ${a.total} 名儿童`).waitFor();
    const shown = await page
      .locator('tr[data-row-key]')
      .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-row-key')!));
    assert.ok(shown.length > 0 && shown.every((x) => a.ids.includes(x)), 'her districts only');
    assert.ok(
      shown.every((x) => !b.ids.includes(x)),
      "never another clinic's child",
    );
    assert.deepEqual(leaks(await page.locator('#main').innerText(), v.seeded), [], 'the list is masked');
    // Dose given: the first row's first dose.
    const first = page.locator(`tr[data-row-key="${shown[0]}"]`);
    const button = first.getByRole('button', { name: /^已接种:/ }).first();
    const label = (await button.getAttribute('aria-label'))!;
    await button.click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /保\s*存/ })
      .click();
    await page.getByText(/^已登记：/).waitFor();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await page.locator(`tr[data-row-key="${shown[0]}"]`).first().waitFor();
    assert.equal(await page.locator(`tr[data-row-key="${shown[0]}"]`).getByRole('button', { name: label }).count(), 0);
    await done();
  });

  test('clerk: a birth with a wrong phone shown under its field, corrected; an import refused, then done', async () => {
    const { page, done } = await as('clerk');
    await page.getByRole('navigation', { name: '主导航' }).getByText('登记出生记录').click();
    await page.getByRole('heading', { level: 1, name: '登记出生记录' }).waitFor();
    await page.getByLabel('新生儿姓名').fill('测试宝宝');
    await page.getByLabel('性别').click();
    await page.locator('.ant-select-item-option[title="女"]').click();
    await page.getByLabel('出生时间').fill('2026-11-28 08:30');
    await page.getByLabel('母亲姓名').fill('测试妈妈');
    await page.getByLabel('母亲手机号').fill('1380013800');
    await page.getByRole('button', { name: /登\s*记/ }).click();
    await page.getByText(/个字段需要修改/).waitFor();
    // The validator's words under the phone: field + rule, from GET /v1/validation-rules.
    const help = page.locator('#collect_motherPhone_help');
    await help.waitFor();
    assert.match(await help.innerText(), /\S/);
    await page.getByLabel('母亲手机号').fill('13800138000');
    await page.getByRole('button', { name: /登\s*记/ }).click();
    await page.getByRole('heading', { level: 1, name: '已登记' }).waitFor();

    // An import with two invalid rows: refused whole, the rows listed.
    await page.getByRole('navigation', { name: '主导航' }).getByText('批量导入').click();
    await page.getByRole('heading', { level: 1, name: '批量导入' }).waitFor();
    const columns = BIRTH.fields.map((f) => f.name);
    const rows = (seed: string) => [...generateCity({ seed, families: 30 }).families()].map((f) => snapshot(f));
    const bad = join(dir, 'bad.csv');
    await writeCsv(
      bad,
      rows('console-bad').map((r, i) => (i === 2 ? { ...r, motherPhone: '14412345678' } : r)),
      columns,
    );
    await page.locator('input[type=file]').setInputFiles(bad);
    await page.getByRole('button', { name: /开始导入/ }).click();
    await page.getByText('导入失败，没有任何记录被导入').waitFor();
    await page
      .getByRole('cell', { name: /^motherPhone$|母亲手机号/ })
      .first()
      .waitFor();
    assert.ok(await page.getByRole('cell', { name: '4', exact: true }).count(), 'row 4 (the header is row 1)');
    const good = join(dir, 'good.csv');
    await writeCsv(good, rows('console-good'), columns);
    await page.locator('input[type=file]').setInputFiles(good);
    await page.getByRole('button', { name: /开始导入/ }).click();
    await page.getByRole('progressbar').waitFor();
    await page.getByText(/导入完成：新增 30 条/).waitFor();
    await done(/status of 400 \(Bad Request\)$/);
  });

  test('admin: a principal created, its token shown once; then disabled', async () => {
    const { page, done } = await as('admin');
    await page.getByRole('navigation', { name: '主导航' }).getByText('人员与账号').click();
    await page.getByRole('heading', { level: 1, name: '人员与账号' }).waitFor();
    await page.getByLabel('姓名', { exact: true }).fill('孙审计');
    await page.getByRole('combobox', { name: '角色' }).click();
    await page.locator('.ant-select-item-option[title="审计员"]').click();
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: /创\s*建/ }).click();
    const token = await page.getByTestId('shown-once').innerText();
    assert.match(token, /^tv_/);
    await page.locator('.ant-modal-footer').getByRole('button').click();
    await page.getByText(token).waitFor({ state: 'detached' });
    const r = await fetch(`${v.base()}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(r.status, 200, 'the token works');
    // Disabled: the row says so, and the token no longer works.
    const row = page.locator('tr', { hasText: '孙审计' });
    await row.getByRole('button', { name: /停\s*用/ }).click();
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /停\s*用/ })
      .click();
    await row.getByText('已停用').waitFor();
    const after = await fetch(`${v.base()}/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(after.status, 401);
    await done();
  });
});
