/**
 * A child's record and its access history in the parents' portal, in a real browser (Debian's
 * chromium through playwright-core) against a real vault served as `tracevault serve` serves it,
 * with a witness cosigning over HTTP, at a phone's viewport: from the home to the child's record
 * (masked), then to who looked at it — every entry's proof checked in the browser and marked
 * verified, the guardian's own look among them; an inclusion proof with one changed byte flagged as
 * "this history may have been altered"; an entry's receipt downloaded and verified offline; the
 * English page; axe-core finding nothing serious or critical; no console error, no CSP violation.
 *
 * TRACEVAULT_SCREENSHOTS=DIR keeps a screenshot of each screen there (docs/screenshots/).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { axe, DESKTOP, launch, openPage, PHONE, shot } from '../helpers/browser.ts';
import { verifyReceipt } from '../../src/ledger/receipt.ts';
import { parseVerifierKey } from '../../src/ledger/signed-note.ts';
import { enrolOverHttp } from '../helpers/enrol.ts';
import { witnessedVault, type WitnessedVault } from '../helpers/witnessed-vault.ts';

describe("the parents' portal in chromium: a child's access history with proofs", () => {
  let v: WitnessedVault, browser: Browser;
  let child = '',
    token = '';

  before(async () => {
    v = await witnessedVault({ seed: 'portal-history', families: 20 });
    const admin = async (displayName: string) =>
      (await v.vault.createPrincipal(null, { displayName, roles: ['administrator'], orgId: v.admin.orgId })).token;
    const [a1, a2] = [await admin('admin'), await admin('second admin')];
    const hospital = v.city.hospitals[0]!.orgId;
    const clinician = await enrolOverHttp(v.base, a1, a2, {
      displayName: 'clinician',
      roles: ['clinician'],
      organizationId: hospital,
    });
    const staff = { authorization: `Bearer ${clinician.token}` };
    child = (await v.vault.db.get<{ id: string }>('SELECT id FROM records WHERE org_id = ? ORDER BY seq LIMIT 1', [
      hospital,
    ]))!.id;
    // A clinician at work: a masked read, then the mother's phone revealed for treatment.
    assert.equal((await fetch(`${v.base}/v1/records/${child}`, { headers: staff })).status, 200);
    const reveal = await fetch(`${v.base}/v1/records/${child}?purpose=treatment&reveal=motherPhone`, {
      headers: staff,
    });
    assert.equal(reveal.status, 200);
    // The mother enrols (invitation, her phone, the SMS's code) and has a portal session.
    const inv = await fetch(`${v.base}/v1/records/${child}/invitations`, { method: 'POST', headers: staff });
    const { code } = (await inv.json()) as { code: string };
    const phone = String((await v.vault.registry.get(child)).current.get('motherPhone')!.value);
    const post = (path: string, body: unknown) =>
      fetch(`${v.base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    assert.equal((await post('/v1/portal/enrol', { code, phone })).status, 202);
    const s = await post('/v1/portal/sessions', { phone, otp: await v.otpFor(phone) });
    assert.equal(s.status, 201);
    token = ((await s.json()) as { token: string }).token;
    await v.checkpoint();
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await v?.close();
  });

  const history = (page: Page, state: string) => page.locator(`[data-history="${state}"]`).waitFor();
  const marks = (page: Page, state: string) => page.locator(`[data-proof="${state}"]`).count();

  test('home → the child’s record, masked → its history, every proof verified; a receipt downloaded', async () => {
    const { context, page, problems } = await openPage(browser, PHONE, token);
    await page.goto(`${v.base}/portal/home`);
    await page.getByRole('link', { name: '查看孩子 1的记录和访问记录' }).click();
    await page.getByRole('heading', { level: 2, name: '登记的信息' }).waitFor();
    const h1 = await page.getByRole('heading', { level: 1 }).innerText();
    assert.match(h1, /\*/, 'the child’s name, masked');
    const phone = String((await v.vault.registry.get(child)).current.get('motherPhone')!.value);
    assert.ok(!(await page.content()).includes(phone), 'no phone in clear');
    assert.match(await page.locator('dl').innerText(), /母亲手机号\s+\d{3}\*{4}\d{4}/);
    await axe(page, 'child');
    await shot(page, 'child-zh-CN-phone.png');

    // The look at the record is an entry; a checkpoint covers it before the history is opened.
    await v.checkpoint();
    await page.getByRole('link', { name: '谁查看过这份记录' }).click();
    await page.getByRole('heading', { level: 1, name: '谁查看过孩子的信息' }).waitFor();
    await history(page, 'verified');
    const status = await page.getByRole('status').innerText();
    assert.match(status, /已核验：这 \d+ 条记录都在已签名的记录簿里/);
    const entries = await page.locator('li.tv-entry').count();
    assert.ok(entries >= 5, `${entries} entries`);
    assert.equal(await marks(page, 'verified'), entries, 'every entry verified in the browser');
    const text = await page.locator('ol.tv-history').innerText();
    for (const what of ['登记了孩子的信息', '查看了完整信息', '查看了记录（信息已遮挡）', '在家长服务里查看了记录'])
      assert.ok(text.includes(what), what);
    assert.match(text, /母亲手机号/);
    assert.match(text, /治疗：为保护生命健康所必需/);
    assert.match(text, /您本人（家长服务）/);
    assert.match(text, /医生/);
    assert.ok(!text.includes('clinician'), 'no staff name unless the organisation publishes it');
    await axe(page, 'history');
    await shot(page, 'history-zh-CN-phone.png');

    // The reveal's receipt, downloaded and checked offline with the log's key.
    const reveal = page.locator('li.tv-entry', { hasText: '查看了完整信息' });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      reveal.getByRole('button', { name: /下载这条记录的凭证/ }).click(),
    ]);
    const receipt = readFileSync(await download.path(), 'utf8');
    const check = verifyReceipt(receipt, parseVerifierKey(v.logKey));
    assert.equal(check.valid, true);
    assert.equal(String(check.index), await reveal.getAttribute('data-index'));
    assert.match(check.entry ?? '', /"action":"reveal"/);
    assert.deepEqual(await problems(), []);
    await context.close();
  });

  test('an inclusion proof with one changed byte: "this history may have been altered"', async () => {
    const { context, page, problems } = await openPage(browser, PHONE, token);
    await page.route('**/v1/portal/children/*/accesses', async (route) => {
      const r = await route.fetch();
      const body = (await r.json()) as { entries: { proof: string[] | null }[] };
      const target = body.entries.find((e) => e.proof && e.proof.length > 0)!;
      const h = target.proof![0]!;
      target.proof![0] = (h[0] === 'A' ? 'B' : 'A') + h.slice(1);
      await route.fulfill({ response: r, json: body });
    });
    await page.goto(`${v.base}/portal/children/${child}/history`);
    await history(page, 'altered');
    assert.match(await page.getByRole('status').innerText(), /这段历史可能被篡改过/);
    assert.equal(await marks(page, 'altered'), 1, 'the tampered entry, and only it, failed');
    await axe(page, 'history, altered');
    await shot(page, 'history-altered-zh-CN-phone.png');
    assert.deepEqual(await problems(), []);
    await context.close();
  });

  test('in English, and on a desktop', async () => {
    const { context, page, problems } = await openPage(browser, PHONE, token);
    await page.goto(`${v.base}/portal/children/${child}/history?lang=en`);
    await page.getByRole('heading', { level: 1, name: 'Who has looked at your child’s details' }).waitFor();
    await history(page, 'verified');
    assert.match(await page.getByRole('status').innerText(), /Verified/);
    assert.match(await page.locator('ol.tv-history').innerText(), /Looked at details in full/);
    await axe(page, 'history, English');
    await shot(page, 'history-en-phone.png');
    await page.goto(`${v.base}/portal/children/${child}?lang=en`);
    await page.getByRole('heading', { level: 2, name: 'Registered details' }).waitFor();
    await shot(page, 'child-en-phone.png');
    assert.deepEqual(await problems(), []);
    await context.close();
    const desk = await openPage(browser, DESKTOP, token);
    await desk.page.goto(`${v.base}/portal/children/${child}/history`);
    await history(desk.page, 'verified');
    await axe(desk.page, 'history, desktop');
    await shot(desk.page, 'history-zh-CN-desktop.png');
    assert.deepEqual(await desk.problems(), []);
    await desk.context.close();
  });
});
