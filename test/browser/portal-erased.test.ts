/**
 * A child whose record was erased, in the parents' portal, in a real browser (Debian's chromium
 * through playwright-core) against a real vault served as `tracevault serve` serves it, with a
 * witness cosigning over HTTP, at a phone's viewport: the mother asks for the erasure, a DPO accepts
 * it; the home still lists the child, saying "此记录已于…删除" plainly; the child's page says so
 * instead of an error; its history still shows every entry, the erasure among them, each proof
 * verified in the browser. In English too; axe-core finds nothing serious or critical; no console
 * error, no CSP violation.
 *
 * TRACEVAULT_SCREENSHOTS=DIR keeps a screenshot of each screen there (docs/screenshots/).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { enrolOverHttp } from '../helpers/enrol.ts';
import { axe, launch, openPage, PHONE, shot } from '../helpers/browser.ts';
import { witnessedVault, type WitnessedVault } from '../helpers/witnessed-vault.ts';

describe("the parents' portal in chromium: an erased child", () => {
  let v: WitnessedVault, browser: Browser;
  let child = '',
    token = '';

  const call = async (method: string, path: string, auth?: string, body?: unknown) => {
    const res = await fetch(v.base + path, {
      method,
      headers: {
        ...(auth ? { authorization: `Bearer ${auth}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text, json: text.startsWith('{') ? JSON.parse(text) : undefined };
  };

  before(async () => {
    v = await witnessedVault({ seed: 'portal-erased', families: 20 });
    const admin = async (displayName: string) =>
      (await v.vault.createPrincipal(null, { displayName, roles: ['administrator'], orgId: v.admin.orgId })).token;
    const [a1, a2] = [await admin('admin'), await admin('second admin')];
    const hospital = v.city.hospitals[0]!.orgId;
    const clinician = await enrolOverHttp(v.base, a1, a2, {
      displayName: 'clinician',
      roles: ['clinician'],
      organizationId: hospital,
    });
    const dpo = await enrolOverHttp(v.base, a1, a2, {
      displayName: 'dpo',
      roles: ['dpo'],
      organizationId: v.admin.orgId!,
    });
    child = (await v.vault.db.get<{ id: string }>('SELECT id FROM records WHERE org_id = ? ORDER BY seq LIMIT 1', [
      hospital,
    ]))!.id;
    assert.equal((await call('GET', `/v1/records/${child}`, clinician.token)).status, 200);
    const phone = String((await v.vault.registry.get(child)).current.get('motherPhone')!.value);
    const code = (await call('POST', `/v1/records/${child}/invitations`, clinician.token)).json.code;
    assert.equal((await call('POST', '/v1/portal/enrol', undefined, { code, phone })).status, 202);
    const s = await call('POST', '/v1/portal/sessions', undefined, { phone, otp: await v.otpFor(phone) });
    assert.equal(s.status, 201, s.text);
    token = s.json.token;
    // The mother asks for the erasure; the DPO accepts it: the record's key is destroyed.
    const asked = await call('POST', '/v1/portal/requests', token, { childId: child, kind: 'erasure' });
    assert.equal(asked.status, 201, asked.text);
    const ok = await call('POST', `/v1/requests/${asked.json.id}/decide`, dpo.token, { decision: 'accept' });
    assert.equal(ok.status, 200, ok.text);
    await v.checkpoint();
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await v?.close();
  });

  const history = (page: Page, state: string) => page.locator(`[data-history="${state}"]`).waitFor();

  test('home and the child’s page say the record was erased; its history is whole and verified', async () => {
    const { context, page, problems } = await openPage(browser, PHONE, token);
    await page.goto(`${v.base}/portal/home`);
    const note = page.locator('[data-erased="true"]');
    await note.waitFor();
    assert.match(await note.innerText(), /此记录已于\d{4}年\d{1,2}月\d{1,2}日删除/);
    await axe(page, 'home');
    await shot(page, 'erased-home-zh-CN-phone.png');

    await page.goto(`${v.base}/portal/children/${child}`);
    await page.locator('[data-erased="true"]').waitFor();
    assert.equal(await page.locator('.tv-error-message').count(), 0, 'no error, a plain note');
    await axe(page, 'child');
    await shot(page, 'erased-child-zh-CN-phone.png');

    await page.getByRole('link', { name: '查看访问记录' }).click();
    await history(page, 'verified');
    await page.locator('[data-erased="true"]').waitFor();
    const kinds = await page.locator('.tv-entry-head strong').allInnerTexts();
    assert.ok(kinds.includes('删除了记录'), kinds.join(','));
    assert.equal(await page.locator('[data-proof="altered"]').count(), 0);
    await axe(page, 'history');
    await shot(page, 'erased-history-zh-CN-phone.png');
    assert.deepEqual(await problems(), []);
    await context.close();
  });

  test('in English: "This record was erased on …", the history still verified', async () => {
    const { context, page, problems } = await openPage(browser, PHONE, token);
    await page.goto(`${v.base}/portal/home?lang=en`);
    const note = page.locator('[data-erased="true"]');
    await note.waitFor();
    assert.match(await note.innerText(), /This record was erased on \w+ \d{1,2}, \d{4}/);
    await axe(page, 'home en');
    await shot(page, 'erased-home-en-phone.png');
    await page.goto(`${v.base}/portal/children/${child}/history?lang=en`);
    await history(page, 'verified');
    await page.locator('[data-erased="true"]').waitFor();
    await axe(page, 'history en');
    await shot(page, 'erased-history-en-phone.png');
    assert.deepEqual(await problems(), []);
    await context.close();
  });
});
