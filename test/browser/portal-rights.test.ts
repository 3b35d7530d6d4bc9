/**
 * The parents' portal's rights page (web/src/pages/rights.tsx) in a real browser — Debian's chromium
 * through playwright-core — against a real vault served as `tracevault serve` serves it, at a phone's
 * viewport: a guardian asks for a copy of the child's record and for a correction; the hospital
 * refuses the correction over HTTP with a reason holding markup; the guardian sees the answer as
 * text (no markup runs: XSS in the free-text fields); axe-core finds nothing serious or critical;
 * the content-security policy is never violated. English by `?lang=en`.
 *
 * TRACEVAULT_SCREENSHOTS=DIR keeps a screenshot of each screen there (docs/screenshots/).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { axe, DESKTOP, launch, openPage, PHONE, shot, type InPage } from '../helpers/browser.ts';
import { enrolOverHttp } from '../helpers/enrol.ts';
import { witnessedVault, type WitnessedVault } from '../helpers/witnessed-vault.ts';

const XSS_REASON = '<img src=x onerror="window.__xss=1">名字写错了';
const XSS_ANSWER = '出生医学证明上的姓名与申请不一致 <script>window.__xss=2</script>';

async function json(base: string, method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are read field by field
  return { status: res.status, body: (await res.json()) as any };
}

describe("the parents' portal in chromium: rights requests", () => {
  let v: WitnessedVault, browser: Browser;
  let clinician = '',
    guardian = '';

  before(async () => {
    v = await witnessedVault({ seed: 'portal-rights', families: 20 });
    const admin = async (displayName: string) =>
      (await v.vault.createPrincipal(null, { displayName, roles: ['administrator'], orgId: v.admin.orgId })).token;
    const [a1, a2] = [await admin('admin'), await admin('second admin')];
    const hospital = v.city.hospitals[0]!.orgId;
    clinician = (
      await enrolOverHttp(v.base, a1, a2, { displayName: 'clinician', roles: ['clinician'], organizationId: hospital })
    ).token;
    const rec = (await v.vault.db.get<{ id: string }>('SELECT id FROM records WHERE org_id = ? ORDER BY seq LIMIT 1', [
      hospital,
    ]))!.id;
    const phone = String((await v.vault.registry.get(rec)).current.get('motherPhone')!.value);
    const inv = await json(v.base, 'POST', `/v1/records/${rec}/invitations`, clinician);
    assert.equal(inv.status, 201);
    assert.equal(
      (await json(v.base, 'POST', '/v1/portal/enrol', undefined, { code: inv.body.code, phone })).status,
      202,
    );
    const s = await json(v.base, 'POST', '/v1/portal/sessions', undefined, { phone, otp: await v.otpFor(phone) });
    assert.equal(s.status, 201);
    guardian = s.body.token as string;
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await v?.close();
  });

  test('request a copy and a correction; the refusal’s reason is shown as text', async () => {
    const { context, page, problems } = await openPage(browser, PHONE, guardian);
    await page.goto(`${v.base}/portal/rights`);
    await page.getByRole('heading', { level: 1, name: '您的权利' }).waitFor();
    await page.getByText('您还没有提交过申请。').waitFor();
    await axe(page, 'rights');
    await shot(page, 'rights-zh-CN-phone.png');

    // A copy: answered at once, every version counted, downloadable.
    await page.getByRole('button', { name: '获取副本' }).click();
    await page.getByText(/副本已准备好：共 \d+ 个信息版本。/).waitFor();
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: '下载 PDF' }).click();
    assert.equal((await download).suggestedFilename(), 'record-copy.pdf');

    // A correction: the form's own checks first, then the request.
    await page.getByRole('button', { name: '提交更正申请' }).click();
    await page.getByText('请选择要更正的信息').first().waitFor();
    await axe(page, 'rights, with errors');
    await shot(page, 'rights-errors-zh-CN-phone.png');
    await page.getByLabel('要更正的信息').selectOption('fatherName');
    await page.getByLabel('正确的内容').fill('王建国');
    await page.getByLabel('说明（可不填）').first().fill(XSS_REASON);
    await page.getByRole('button', { name: '提交更正申请' }).click();
    await page.getByText(/申请已提交。我们会在 .+ 之前答复。/).waitFor();
    await page.getByText('处理中').waitFor();
    await page.getByText(`您的说明：${XSS_REASON}`).waitFor();

    // The hospital refuses it over HTTP, with a reason holding markup.
    const list = await json(v.base, 'GET', '/v1/requests?status=pending', clinician);
    assert.equal(list.status, 200);
    const pending = list.body.requests.find((r: { kind: string }) => r.kind === 'correction');
    assert.deepEqual(pending.fields, { fatherName: '王建国' });
    const decided = await json(v.base, 'POST', `/v1/requests/${pending.id}/decide`, clinician, {
      decision: 'refuse',
      reason: XSS_ANSWER,
    });
    assert.equal(decided.status, 200);

    await page.reload();
    await page.getByText('未同意').waitFor();
    await page.getByText(`答复理由：${XSS_ANSWER}`).waitFor();
    assert.equal(await page.locator('.tv-requests img, .tv-requests script').count(), 0, 'no markup from free text');
    assert.equal(await page.evaluate(() => (globalThis as InPage).__xss), undefined, 'no script ran');
    await axe(page, 'rights, answered');
    await shot(page, 'rights-answered-zh-CN-phone.png');
    assert.deepEqual(await problems(), []);
    await context.close();
  });

  test('in English', async () => {
    const { context, page, problems } = await openPage(browser, PHONE, guardian);
    await page.goto(`${v.base}/portal/rights?lang=en`);
    await page.getByRole('heading', { level: 1, name: 'Your rights' }).waitFor();
    await page.getByText('Refused').waitFor();
    await page.getByRole('radio', { name: /Restrict/ }).check();
    await page.getByRole('button', { name: 'Send the request' }).click();
    await page.getByText(/Request sent\. We will answer by .+\./).waitFor();
    await page.getByText('In progress').waitFor();
    await axe(page, 'rights, English');
    await shot(page, 'rights-en-phone.png');
    assert.deepEqual(await problems(), []);
    await context.close();
  });

  test('at a desktop’s width', async () => {
    const { context, page, problems } = await openPage(browser, DESKTOP, guardian);
    await page.goto(`${v.base}/portal/rights`);
    await page.getByRole('heading', { level: 1, name: '您的权利' }).waitFor();
    await page.getByText('未同意').waitFor();
    await axe(page, 'rights, desktop');
    await shot(page, 'rights-zh-CN-desktop.png');
    assert.deepEqual(await problems(), []);
    await context.close();
  });
});
