/**
 * "Is this caller real?" and "Report a suspicious call" (web/src/pages/caller.tsx, report.tsx) in a
 * real browser — Debian's chromium through playwright-core — at a phone's viewport, against a real
 * vault served as `tracevault serve` serves it: a vaccination nurse registers a call, the guardian
 * sees it ("接种护士 李（历下区预防接种门诊）正在给您打电话 … 4821") and verifies it by its code; an unregistered
 * number is "no registered organisation is calling you now", with a link to report the call; the
 * report form's errors, its confirmation, the report stored. A script in every free-text field (the
 * call's purpose as staff wrote it, who the caller claimed to be, what they said) is shown as text
 * and never runs. axe-core finds nothing serious or critical; zh-CN by default, English by `?lang=en`.
 *
 * TRACEVAULT_SCREENSHOTS=DIR keeps a screenshot of each screen there.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { axe, heading, launch, openPage, PHONE, shot, type InPage } from '../helpers/browser.ts';
import { districtCode } from '../../src/schema/address-district.ts';
import { enrolOverHttp } from '../helpers/enrol.ts';
import { witnessedVault, type WitnessedVault } from '../helpers/witnessed-vault.ts';

const CLINIC = '历下区预防接种门诊';
const XSS = '<script>window.__xss=1</script><img src=x onerror="window.__xss=2">';

describe('is this caller real? and report a call, in chromium', () => {
  let v: WitnessedVault, browser: Browser;
  let guardian = '',
    nurse = '',
    investigator = '',
    child = '';

  const api = async (method: string, path: string, token: string, body?: unknown) => {
    const r = await fetch(v.base + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: r.status, json: (await r.json()) as Record<string, unknown> & { code?: string } };
  };

  before(async () => {
    v = await witnessedVault({ seed: 'portal-caller', families: 20 });
    const admin = async (displayName: string) =>
      (await v.vault.createPrincipal(null, { displayName, roles: ['administrator'], orgId: v.admin.orgId })).token;
    const [a1, a2] = [await admin('admin'), await admin('second admin')];
    const hospital = v.city.hospitals[0]!.orgId;
    const clinician = await enrolOverHttp(v.base, a1, a2, {
      displayName: 'clinician',
      roles: ['clinician'],
      organizationId: hospital,
    });
    child = (await v.vault.db.get<{ id: string }>('SELECT id FROM records WHERE org_id = ? ORDER BY seq LIMIT 1', [
      hospital,
    ]))!.id;
    const current = (await v.vault.registry.get(child)).current;
    const phone = String(current.get('motherPhone')!.value);
    // The district clinic's nurse, whose district is where the child lives.
    const district = districtCode(String(current.get('address')!.value))!;
    const clinic = await v.vault.createOrganisation(v.admin, {
      name: CLINIC,
      kind: 'vaccination_clinic',
      region: district,
    });
    nurse = (
      await v.vault.createPrincipal(v.admin, {
        displayName: '李',
        roles: ['vaccination_nurse'],
        orgId: clinic,
        relationships: [{ kind: 'district', value: district }],
      })
    ).token;
    const regulator = await v.vault.createOrganisation(v.admin, { name: '市网信办', kind: 'regulator' });
    investigator = (
      await v.vault.createPrincipal(v.admin, { displayName: 'investigator', roles: ['investigator'], orgId: regulator })
    ).token;
    const inv = await api('POST', `/v1/records/${child}/invitations`, clinician.token);
    assert.equal(inv.status, 201);
    const enrol = await fetch(`${v.base}/v1/portal/enrol`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: inv.json.code, phone }),
    });
    assert.equal(enrol.status, 202);
    const s = await fetch(`${v.base}/v1/portal/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phone, otp: await v.otpFor(phone) }),
    });
    assert.equal(s.status, 201);
    guardian = ((await s.json()) as { token: string }).token;
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await v?.close();
  });

  /** Nothing typed ran: no global set by a script, no element made from the text. */
  async function inert(page: Page): Promise<void> {
    assert.equal(await page.evaluate(() => (globalThis as InPage).__xss), undefined, 'a script ran');
    assert.equal(await page.locator('img[src="x"]').count(), 0, 'markup from text');
    assert.equal(await page.locator('main script').count(), 0, 'a script element from text');
  }

  test('a registered caller is genuine by its code; an unregistered number is not, with a link to report', async () => {
    const reg = await api('POST', '/v1/calls', nurse, {
      recordId: child,
      purpose: '乙肝疫苗第 2 针',
      fromNumber: '0531 8888 6666',
    });
    assert.equal(reg.status, 201);
    const code = reg.json.code!;
    // Another call whose purpose, as staff typed it, holds a script.
    assert.equal((await api('POST', '/v1/calls', nurse, { recordId: child, purpose: XSS })).status, 201);

    const { context, page, problems } = await openPage(browser, PHONE, guardian);
    await page.goto(`${v.base}/portal/caller`);
    await heading(page, '来电是真的吗？');
    const listed = page.locator('.tv-call', { hasText: '乙肝疫苗第 2 针' });
    await listed.waitFor();
    assert.match(
      await listed.innerText(),
      new RegExp(`接种护士 李（${CLINIC}）正在给您打电话[\\s\\S]*${code}[\\s\\S]*来电号码 0531 8888 6666`),
    );
    assert.ok((await page.locator('.tv-call', { hasText: XSS }).count()) === 1, 'the script shown as text');
    await inert(page);
    await axe(page, 'caller');
    await shot(page, 'caller-zh-CN-phone.png');

    // Nothing typed: the form says what it needs.
    await page.getByRole('button', { name: '核对' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /请填写对方说的验证码，或来电号码/);

    await page.getByLabel('对方说的验证码', { exact: true }).fill(code);
    await page.getByRole('button', { name: '核对' }).click();
    await page.getByRole('heading', { name: '是真的：这个电话已经登记' }).waitFor();
    assert.match(await page.getByRole('status').innerText(), new RegExp(`${CLINIC}[\\s\\S]*乙肝疫苗第 2 针`));
    await axe(page, 'caller, genuine');
    await shot(page, 'caller-genuine-zh-CN-phone.png');

    const wrong = code === '0000' ? '1111' : '0000';
    await page.getByLabel('对方说的验证码', { exact: true }).fill(wrong);
    await page.getByLabel('来电号码（可不填）', { exact: true }).fill('171 0531 7788');
    await page.getByRole('button', { name: '核对' }).click();
    await page.getByRole('heading', { name: '现在没有登记的机构在给您打电话' }).waitFor();
    await axe(page, 'caller, not genuine');
    await shot(page, 'caller-unregistered-zh-CN-phone.png');
    await page.getByRole('link', { name: '举报这个电话' }).click();
    await heading(page, '举报可疑电话');
    assert.equal(await page.getByLabel('来电号码（可不填）', { exact: true }).inputValue(), '171 0531 7788');
    assert.ok(!page.url().includes('7788'), 'no number in the URL');
    assert.deepEqual(await problems(), []);
    await context.close();
  });

  test('report a call: errors first, then a clear confirmation; a script in every field stays text', async () => {
    const { context, page, problems } = await openPage(browser, PHONE, guardian);
    await page.goto(`${v.base}/portal/report`);
    await heading(page, '举报可疑电话');
    await axe(page, 'report');
    await shot(page, 'report-zh-CN-phone.png');

    await page.getByRole('button', { name: '提交举报' }).click();
    await page.getByRole('alert').waitFor();
    assert.match(await page.getByRole('alert').innerText(), /请填写对方自称是谁/);
    assert.equal(await page.getByLabel('对方自称是谁', { exact: true }).getAttribute('aria-invalid'), 'true');
    await axe(page, 'report, with errors');
    await shot(page, 'report-errors-zh-CN-phone.png');

    await page.getByLabel('来电号码（可不填）', { exact: true }).fill('171 0531 7788');
    await page.getByLabel('对方自称是谁', { exact: true }).fill(XSS);
    await page.getByRole('checkbox', { name: '孩子的姓名' }).check();
    await page.getByRole('checkbox', { name: '出院日期' }).check();
    await page.getByRole('checkbox', { name: '出生的医院' }).check();
    await page.getByLabel('对方说了什么（可不填）', { exact: true }).fill(`免费拍满月照 ${XSS}`);
    await page.getByRole('button', { name: '提交举报' }).click();
    await page.getByRole('heading', { name: '我们已收到您的举报' }).waitFor();
    assert.equal(await page.getByTestId('sent-claimed').innerText(), XSS);
    assert.equal(await page.getByTestId('sent-quote').innerText(), `免费拍满月照 ${XSS}`);
    assert.match(await page.locator('main').innerText(), /孩子的姓名、出生的医院、出院日期/);
    await inert(page);
    await axe(page, 'report, sent');
    await shot(page, 'report-sent-zh-CN-phone.png');
    assert.deepEqual(await problems(), []);
    await context.close();

    // Stored: the investigator sees it clustered, with the fields known and the number masked.
    const from = new Date(Date.now() - 86_400_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const c = await api('GET', `/v1/reports?from=${from}&to=${to}`, investigator);
    assert.equal(c.status, 200);
    const clusters = c.json.clusters as { reports: number; callers: { masked: string }[]; knew: { field: string }[] }[];
    assert.equal(clusters.length, 1);
    assert.deepEqual(clusters[0]!.callers[0]!.masked, '171****7788');
    assert.deepEqual(clusters[0]!.knew.map((k) => k.field).sort(), ['babyName', 'dischargeTime', 'hospital']);
  });

  test('in English (?lang=en): both pages, axe', async () => {
    const { context, page, problems } = await openPage(browser, PHONE, guardian);
    await page.goto(`${v.base}/portal/caller?lang=en`);
    await heading(page, 'Is this caller real?');
    await page.locator('.tv-call').first().waitFor();
    await axe(page, 'caller, English');
    await shot(page, 'caller-en-phone.png');
    await page.getByRole('link', { name: 'Had a suspicious call? Report it' }).click();
    await heading(page, 'Report a suspicious call');
    await page.getByRole('checkbox', { name: 'Your child’s name' }).waitFor();
    await axe(page, 'report, English');
    await shot(page, 'report-en-phone.png');
    assert.deepEqual(await problems(), []);
    await context.close();
  });
});
