/**
 * Every screen of the parents' portal (each route of web/src/app.tsx, and the one-time code's page
 * on the way to the home) at a phone's viewport and a desktop's, in Chinese and in English, against
 * one real vault served as `tracevault serve` serves it: a guardian enrolled for a child, a call
 * registered for that child, a partner's consent given, a traced leak confirmed (so a breach notice
 * exists), and a rights request answered by the hospital. Each page is waited for until its content
 * is there (the history: every entry's proof verified in the browser), then axe-core finds nothing
 * serious or critical, no console error and no content-security violation, and the language is the
 * one chosen (English by `?lang=en` on the first page, kept by the switch's preference).
 *
 * TRACEVAULT_SCREENSHOTS=DIR keeps portal-SCREEN-LANG-phone|desktop.png there (docs/screenshots/).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { en } from '../../web/src/i18n/en.ts';
import type { Messages } from '../../web/src/i18n/resources.ts';
import { zhCN } from '../../web/src/i18n/zh-CN.ts';
import { axe, DESKTOP, heading, launch, openPage, PHONE, shot, type InPage } from '../helpers/browser.ts';
import { enrolOverHttp } from '../helpers/enrol.ts';
import { witnessedVault, type WitnessedVault } from '../helpers/witnessed-vault.ts';

const STUDIO = '宝贝影像工作室';
const WORDS: Record<'zh-CN' | 'en', Messages> = { 'zh-CN': zhCN, en };

describe("the parents' portal in chromium: every screen, phone and desktop, Chinese and English", () => {
  let v: WitnessedVault, browser: Browser;
  let phone = '',
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
    v = await witnessedVault({ seed: 'portal-screens', families: 60 });
    const admin = async (displayName: string) =>
      (await v.vault.createPrincipal(null, { displayName, roles: ['administrator'], orgId: v.admin.orgId })).token;
    const [a1, a2] = [await admin('admin'), await admin('second admin')];
    const hospital = v.city.hospitals[0]!.orgId;
    const make = async (displayName: string, roles: string[], organizationId: string) =>
      (await enrolOverHttp(v.base, a1, a2, { displayName, roles, organizationId })).token;
    const clinician = await make('clinician', ['clinician'], hospital);
    const clerk = await make('clerk', ['records_clerk'], hospital);
    const dpo = await make('dpo', ['dpo'], v.admin.orgId!);
    const regulator = (await call('POST', '/v1/organizations', a1, { name: '网信办', kind: 'regulator' })).json.id;
    const investigator = await make('investigator', ['investigator'], regulator);
    assert.equal((await call('POST', '/v1/organizations', a1, { name: STUDIO, kind: 'partner' })).status, 201);

    // The family: the hospital's first record, its mother enrolled with the printed code.
    child = (await v.vault.db.get<{ id: string }>('SELECT id FROM records WHERE org_id = ? ORDER BY seq LIMIT 1', [
      hospital,
    ]))!.id;
    phone = String((await v.vault.registry.get(child)).current.get('motherPhone')!.value);
    const code = (await call('POST', `/v1/records/${child}/invitations`, clinician)).json.code;
    assert.equal((await call('POST', '/v1/portal/enrol', undefined, { code, phone })).status, 202);
    const s = await call('POST', '/v1/portal/sessions', undefined, { phone, otp: await v.otpFor(phone) });
    assert.equal(s.status, 201, s.text);
    const guardian: string = s.json.token;

    // A call registered for the child, as the hospital's clinician makes it.
    const reg = await call('POST', '/v1/calls', clinician, {
      recordId: child,
      purpose: '出院后随访',
      fromNumber: '0531 8888 6666',
    });
    assert.equal(reg.status, 201, reg.text);

    // The studio allowed to contact the family.
    const listed = await call('GET', `/v1/portal/children/${child}/consents`, guardian);
    assert.equal(listed.status, 200, listed.text);
    const offer = listed.json.consents.find((c: { organization: string }) => c.organization === STUDIO);
    assert.ok(offer, listed.text);
    const granted = await call('POST', `/v1/portal/children/${child}/consents`, guardian, {
      organizationId: offer.organizationId,
      purpose: offer.purpose,
    });
    assert.equal(granted.status, 201, granted.text);

    // A rights request answered by the hospital, and a copy (answered at once).
    const asked = await call('POST', '/v1/portal/requests', guardian, {
      childId: child,
      kind: 'correction',
      fields: { fatherName: '王建国' },
      reason: '父亲的名字写错了',
    });
    assert.equal(asked.status, 201, asked.text);
    const decided = await call('POST', `/v1/requests/${asked.json.id}/decide`, clinician, {
      decision: 'refuse',
      reason: '出生医学证明上的姓名与申请不一致',
    });
    assert.equal(decided.status, 200, decided.text);
    assert.equal((await call('POST', '/v1/portal/requests', guardian, { childId: child, kind: 'copy' })).status, 201);

    // A leak: thirty rows of an approved export, traced and confirmed by an investigator.
    const req = await call('POST', '/v1/exports', clerk, {
      purpose: 'birth_registration',
      fields: ['babyName', 'motherName', 'birthTime', 'address', 'hospital'],
      format: 'csv',
    });
    assert.equal((await call('POST', `/v1/exports/${req.json.id}/approve`, dpo)).status, 200);
    const lines = (await call('GET', `/v1/exports/${req.json.id}/file`, clerk)).text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    const trace = await call('POST', '/v1/traces', investigator, [lines[0], ...lines.slice(1, 31)].join('\n') + '\n', {
      'content-type': 'text/csv',
      prefer: 'wait=60',
    });
    assert.equal(trace.status, 201, trace.text);
    assert.ok(trace.json.affected.direct.includes(child), 'the family is in the leak');
    const confirmed = await call('POST', `/v1/traces/${trace.json.id}/confirm`, investigator, {
      actions: ['source_account_suspended', 'regulator_informed'],
    });
    assert.equal(confirmed.status, 201, confirmed.text);
    await v.checkpoint();
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await v?.close();
  });

  for (const [lang, suffix] of [
    ['zh-CN', ''],
    ['en', '?lang=en'],
  ] as const)
    for (const [viewport, size] of [
      [PHONE, 'phone'],
      [DESKTOP, 'desktop'],
    ] as const)
      test(`${lang}, ${size}: every screen loaded, axe, no problem, a screenshot`, async (t) => {
        const w = WORDS[lang];
        const { context, page, problems } = await openPage(browser, viewport);
        let seen = 0;
        /** The screen as it is: its language, axe, nothing new in the console, its screenshot. */
        const check = async (screen: string) => {
          assert.equal(await page.getAttribute('html', 'lang'), lang, `${screen}: the language kept`);
          await axe(page, `${screen}, ${lang}, ${size}`);
          const all = await problems();
          assert.deepEqual(all.slice(seen), [], `${screen}, ${lang}, ${size}`);
          seen = all.length;
          const wide = await page.evaluate(() => {
            const g = globalThis as InPage;
            return g.document.documentElement.scrollWidth - g.innerWidth;
          });
          if (wide > 0) t.diagnostic(`${screen}: ${wide}px wider than the ${size}'s viewport`);
          await shot(page, `${screen}-${lang}-${size}.png`);
        };
        const open = async (path: string, title?: string) => {
          await page.goto(`${v.base}/portal${path}`);
          if (title) await heading(page, title);
        };

        // Nobody logged in: the start (where the language is chosen), enrolling, logging in.
        await open(`/${suffix}`, w.start.title);
        await check('start');
        await open('/enrol', w.enrol.title);
        await page.getByLabel(w.enrol.code, { exact: true }).waitFor();
        await check('enrol');
        await open('/no/such/page', w.notFound.title);
        await check('not-found');
        await open('/login', w.login.title);
        await check('login');
        await page.getByLabel(w.login.phone, { exact: true }).fill(phone);
        await page.getByRole('button', { name: w.login.submit }).click();
        await heading(page, w.verify.title);
        await page.getByLabel(w.verify.otp, { exact: true }).waitFor();
        await check('verify');
        await page.getByLabel(w.verify.otp, { exact: true }).fill(await v.otpFor(phone));
        await page.getByRole('button', { name: w.verify.submit }).click();

        // Logged in: the home, with the ledger verified in the browser.
        await heading(page, w.home.title);
        await page.locator('[data-ledger="verified"]').waitFor();
        await check('home');

        // Its heading is the child's name, masked.
        await open(`/children/${child}`);
        await page.getByRole('heading', { level: 2, name: w.child.fieldsTitle }).waitFor();
        await check('child');

        // The look at the record is an entry: a checkpoint covers it before the history is opened.
        await v.checkpoint();
        await open(`/children/${child}/history`, w.history.title);
        await page.locator('[data-history="verified"]').waitFor();
        const entries = await page.locator('[data-proof]').count();
        assert.ok(entries >= 3, `${entries} entries`);
        assert.equal(await page.locator('[data-proof="verified"]').count(), entries, 'every proof verified');
        await check('history');

        await open('/caller', w.caller.title);
        await page.locator('.tv-call', { hasText: '出院后随访' }).waitFor();
        await check('caller');

        await open('/report', w.report.title);
        await page.getByRole('button', { name: w.report.submit }).waitFor();
        await check('report');

        await open('/rights', w.rights.title);
        await page.getByText(w.rights.status.refused, { exact: true }).waitFor();
        // The forms' buttons are enabled once the child is known (/v1/portal/me).
        await page.waitForFunction(() => {
          const buttons = [...(globalThis as InPage).document.querySelectorAll('main button[type="submit"]')];
          return buttons.length > 0 && buttons.every((b: { disabled: boolean }) => !b.disabled);
        });
        await check('rights');

        await open('/consents', w.consents.title);
        await page
          .locator('.tv-consent', { hasText: STUDIO })
          .getByText(new RegExp(w.consents.granted.replace(/[()（）]/g, '.').replace('{{date}}', '.+')))
          .waitFor();
        await check('consents');

        await open('/notices', w.notices.title);
        await page.locator('article.tv-breach').waitFor();
        await check('notices');

        await context.close();
      });
});
