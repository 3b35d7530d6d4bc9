/**
 * Consents and breach notices in the parents' portal, in a real browser (Debian's chromium through
 * playwright-core) at a phone's viewport, against a real vault served as `tracevault serve` serves
 * it: a guardian allows a partner studio to contact the family and withdraws it again, each after a
 * confirm dialog, and the studio's next read of the record is refused; a simulated leak (thirty rows
 * of an approved export) is traced and confirmed by an investigator, and the breach notice appears
 * in plain words with what to do. axe-core finds nothing serious or critical, with the dialog open
 * too; no console error and no content-security violation; zh-CN by default, English by `?lang=en`.
 *
 * TRACEVAULT_SCREENSHOTS=DIR keeps a screenshot of each screen there (docs/screenshots/).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { axe, DESKTOP, heading, launch, openPage, PHONE, shot, type InPage } from '../helpers/browser.ts';
import { enrolOverHttp } from '../helpers/enrol.ts';
import { witnessedVault, type WitnessedVault } from '../helpers/witnessed-vault.ts';

const STUDIO = '宝贝影像工作室';

describe("the parents' portal in chromium: consents and breach notices", () => {
  let v: WitnessedVault, browser: Browser;
  let guardian = '',
    studio = '',
    investigator = '',
    traceId = '',
    child = '';

  const call = async (method: string, path: string, token?: string, body?: unknown, headers = {}) => {
    const res = await fetch(v.base + path, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: typeof body === 'string' || body === undefined ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text, json: text.startsWith('{') ? JSON.parse(text) : undefined };
  };

  before(async () => {
    v = await witnessedVault({ seed: 'portal-consents', families: 60 });
    const admin = async (displayName: string) =>
      (await v.vault.createPrincipal(null, { displayName, roles: ['administrator'], orgId: v.admin.orgId })).token;
    const [a1, a2] = [await admin('admin'), await admin('second admin')];
    const hospital = v.city.hospitals[0]!.orgId;
    const make = async (displayName: string, roles: string[], organizationId: string) =>
      enrolOverHttp(v.base, a1, a2, { displayName, roles, organizationId });
    const clinician = await make('clinician', ['clinician'], hospital);
    const clerk = await make('clerk', ['records_clerk'], hospital);
    const dpo = await make('dpo', ['dpo'], v.admin.orgId!);
    const regulator = (await call('POST', '/v1/organizations', a1, { name: '网信办', kind: 'regulator' })).json.id;
    investigator = (await make('investigator', ['investigator'], regulator)).token;
    const partner = (await call('POST', '/v1/organizations', a1, { name: STUDIO, kind: 'partner' })).json.id;
    studio = (await make('studio', ['partner'], partner)).token;

    // The family: the first record of the hospital, its mother enrolled with the printed code.
    child = (await v.vault.db.get<{ id: string }>('SELECT id FROM records WHERE org_id = ? ORDER BY seq LIMIT 1', [
      hospital,
    ]))!.id;
    const phone = String((await v.vault.registry.get(child)).current.get('motherPhone')!.value);
    const code = (await call('POST', `/v1/records/${child}/invitations`, clinician.token)).json.code;
    assert.equal((await call('POST', '/v1/portal/enrol', undefined, { code, phone })).status, 202);
    const s = await call('POST', '/v1/portal/sessions', undefined, { phone, otp: await v.otpFor(phone) });
    assert.equal(s.status, 201, s.text);
    guardian = s.json.token;

    // A simulated leak: the first thirty rows of an approved export, traced by an investigator.
    const req = await call('POST', '/v1/exports', clerk.token, {
      purpose: 'birth_registration',
      fields: ['babyName', 'motherName', 'birthTime', 'address', 'hospital'],
      format: 'csv',
    });
    assert.equal((await call('POST', `/v1/exports/${req.json.id}/approve`, dpo.token)).status, 200);
    const lines = (await call('GET', `/v1/exports/${req.json.id}/file`, clerk.token)).text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    const trace = await call('POST', '/v1/traces', investigator, [lines[0], ...lines.slice(1, 31)].join('\n') + '\n', {
      'content-type': 'text/csv',
      prefer: 'wait=60',
    });
    assert.equal(trace.status, 201, trace.text);
    traceId = trace.json.id;
    assert.ok(trace.json.affected.direct.includes(child), 'the family is in the leak');
    await v.checkpoint();
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await v?.close();
  });

  /** The dialog once its opening animation has ended (axe measures contrast as it is drawn). */
  const settled = (page: Page) =>
    page.waitForFunction(() => {
      const body = (globalThis as InPage).document.querySelector('[role="dialog"] .adm-center-popup-body');
      return body && (globalThis as InPage).getComputedStyle(body.parentElement).opacity === '1';
    });
  const studioRead = async () => call('GET', `/v1/records/${child}?purpose=partner_contact&reveal=motherPhone`, studio);

  test('allow a partner, then withdraw: each after a dialog; the partner’s next read is refused', async () => {
    const { context, page, problems } = await openPage(browser, PHONE, guardian);
    await page.goto(`${v.base}/portal/home`);
    await heading(page, '您的家庭');
    await page.getByRole('link', { name: '合作机构授权：谁可以联系您' }).click();
    await heading(page, '合作机构授权');
    const item = page.locator('.tv-consent', { hasText: STUDIO });
    await item.getByText('未同意').waitFor();
    assert.equal((await studioRead()).json.code, 'ERR_NOT_FOUND', 'no consent, no read');
    await axe(page, 'consents');
    await shot(page, 'consents-zh-CN-phone.png');

    await page.getByRole('button', { name: `同意${STUDIO}联系您` }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(`同意${STUDIO}联系您吗？`).waitFor();
    await settled(page);
    await axe(page, 'the grant dialog');
    await dialog.getByRole('button', { name: '同意', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('status').getByText(`已同意。${STUDIO}现在可以联系您。`).waitFor();
    await item.getByText(/已同意（.+起）/).waitFor();
    const allowed = await studioRead();
    assert.equal(allowed.status, 200, allowed.text);

    await page.getByRole('button', { name: `撤回同意（${STUDIO}）` }).click();
    await dialog.getByText(`撤回对${STUDIO}的同意吗？`).waitFor();
    await settled(page);
    await axe(page, 'the withdraw dialog');
    await shot(page, 'consents-withdraw-zh-CN-phone.png');
    // Cancelling changes nothing.
    await dialog.getByRole('button', { name: '取消' }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.equal((await studioRead()).status, 200);
    await page.getByRole('button', { name: `撤回同意（${STUDIO}）` }).click();
    await dialog.getByRole('button', { name: '撤回同意', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('status').getByText(`已撤回。${STUDIO}不能再查看孩子的信息。`).waitFor();
    await item.getByText('未同意').waitFor();
    const refused = await studioRead();
    assert.deepEqual([refused.status, refused.json.code], [404, 'ERR_NOT_FOUND']);
    await axe(page, 'consents, withdrawn');
    await shot(page, 'consents-withdrawn-zh-CN-phone.png');
    assert.deepEqual(await problems(), []);
    await context.close();

    const en = await openPage(browser, PHONE, guardian);
    await en.page.goto(`${v.base}/portal/consents?lang=en`);
    await heading(en.page, 'Partners you allow to contact you');
    await en.page.getByText('Not allowed').waitFor();
    await axe(en.page, 'consents, English');
    await shot(en.page, 'consents-en-phone.png');
    assert.deepEqual(await en.problems(), []);
    await en.context.close();
  });

  test('a traced leak, once confirmed, shows as a notice in plain words with what to do', async () => {
    const { context, page, problems } = await openPage(browser, PHONE, guardian);
    await page.goto(`${v.base}/portal/notices`);
    await heading(page, '信息泄露通知');
    await page.getByText('目前没有涉及您孩子的泄露通知。').waitFor();

    const confirmed = await call('POST', `/v1/traces/${traceId}/confirm`, investigator, {
      actions: ['source_account_suspended', 'regulator_informed'],
    });
    assert.equal(confirmed.status, 201, confirmed.text);
    await page.goto(`${v.base}/portal/home`);
    await heading(page, '您的家庭');
    await page.getByRole('link', { name: '信息泄露通知' }).click();
    await heading(page, '信息泄露通知');
    const notice = page.locator('article.tv-breach');
    await notice.getByRole('heading', { level: 2, name: /确认的信息泄露$/ }).waitFor();
    const text = await notice.innerText();
    for (const words of [
      '涉及的孩子：孩子 1',
      '出生时间',
      '孩子姓名',
      '家庭住址',
      '一份经批准导出的名单被转给了外人',
      '暂停了泄露来源账号的权限',
      '已报告网信部门',
      '先在家长门户核验来电是否真实',
      '不要因此就相信他',
    ])
      assert.ok(text.includes(words), `${words}\n${text}`);
    assert.match(text, /大约在 .+ 至 .+ 之间被复制|大约在 .+ (之后|之前)被复制/);
    await axe(page, 'notices');
    await shot(page, 'notices-zh-CN-phone.png');
    assert.deepEqual(await problems(), []);
    await context.close();

    for (const [viewport, name] of [
      [PHONE, 'phone'],
      [DESKTOP, 'desktop'],
    ] as const) {
      const en = await openPage(browser, viewport, guardian);
      await en.page.goto(`${v.base}/portal/notices?lang=en`);
      await heading(en.page, 'Data leak notices');
      await en.page.getByText('An approved list exported from the registry was passed on to outsiders').waitFor();
      await axe(en.page, `notices, English, ${name}`);
      await shot(en.page, `notices-en-${name}.png`);
      assert.deepEqual(await en.problems(), []);
      await en.context.close();
    }
  });
});
