/**
 * The web pages in a real browser (Debian's chromium through playwright-core): the investigator's
 * trace report renders its verdict, its chart and the draft notices, loads nothing from elsewhere,
 * breaks no content-security rule and names no personal value; the API docs page lists the
 * endpoints. `.ci/run` installs chromium; without it these tests fail rather than skip.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { initVault, type Vault } from '../../src/store/vault.ts';
import { loadCity } from '../../src/sim/load.ts';
import { Services } from '../../src/service/services.ts';
import { Ledger } from '../../src/ledger/log.ts';
import { buildServer } from '../../src/server/app.ts';
import { enrolOverHttp } from '../helpers/enrol.ts';

const CHROMIUM =
  process.env.CHROMIUM_PATH ?? ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));

describe('web pages in chromium', () => {
  let dir: string, vault: Vault, app: FastifyInstance, browser: Browser, base: string;
  let investigator = '',
    clerkId = '',
    reportId = '';
  const leaked: string[] = [];

  const api = async (method: string, path: string, token: string, body?: unknown, type = 'application/json') => {
    const res = await fetch(base + path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': type } : {}),
        // A trace is a job: wait for its report (RFC 7240), as the page is about the report.
        ...(path === '/v1/traces' ? { prefer: 'wait=60' } : {}),
      },
      body: typeof body === 'string' || body === undefined ? body : JSON.stringify(body),
    });
    return { status: res.status, text: await res.text(), headers: res.headers };
  };

  before(async () => {
    assert.ok(CHROMIUM, 'chromium is not installed (apt-get install chromium; .ci/run does)');
    dir = mkdtempSync(join(tmpdir(), 'tv-browser-'));
    let admin;
    ({ vault, admin } = await initVault(dir));
    const city = await loadCity(vault, admin, { seed: 'browser', families: 150, hospitals: 2 });
    app = await buildServer(await Services.open(vault, { ledger: new Ledger(vault.db) }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const administrator = async (displayName: string) =>
      (await vault.createPrincipal(null, { displayName, roles: ['administrator'], orgId: admin.orgId })).token;
    const adminToken = await administrator('admin');
    const approverToken = await administrator('second admin');
    const reg = JSON.parse(
      (await api('POST', '/v1/organizations', adminToken, { name: '网信办', kind: 'regulator' })).text,
    );
    // Made by one administrator, approved by the other, enrolled (test/helpers/enrol.ts).
    const make = async (name: string, roles: string[], organizationId: string) =>
      enrolOverHttp(base, adminToken, approverToken, { displayName: name, roles, organizationId });
    const clerk = await make('clerk', ['records_clerk'], city.hospitals[0]!.orgId);
    const dpo = await make('dpo', ['dpo'], admin.orgId!);
    const inv = await make('investigator', ['investigator'], reg.id);
    investigator = inv.token;
    clerkId = clerk.id;
    const req = JSON.parse(
      (
        await api('POST', '/v1/exports', clerk.token, {
          purpose: 'birth_registration',
          fields: ['babyName', 'motherName', 'birthTime', 'address', 'hospital'],
          format: 'csv',
        })
      ).text,
    );
    assert.equal((await api('POST', `/v1/exports/${req.id}/approve`, dpo.token)).status, 200);
    const file = (await api('GET', `/v1/exports/${req.id}/file`, clerk.token)).text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    const sample = [file[0]!, ...file.slice(1, 31)];
    for (const line of sample.slice(1))
      leaked.push(...line.split(',').filter((c) => c.length >= 3 && !/医院|院$/.test(c) && !/^\d{4}[-/]/.test(c)));
    const trace = await api('POST', '/v1/traces', inv.token, sample.join('\n') + '\n', 'text/csv');
    assert.equal(trace.status, 201, trace.text);
    reportId = JSON.parse(trace.text).id;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    await vault?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the trace report shows the verdict, the chart and the notices, and loads nothing else', async () => {
    const page = await browser.newPage({ viewport: { width: 1024, height: 900 } });
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    await page.setExtraHTTPHeaders({ authorization: `Bearer ${investigator}` });
    const res = await page.goto(`${base}/v1/traces/${reportId}?format=html`);
    assert.equal(res?.status(), 200);
    assert.match(await page.title(), /^Trace t_/);
    const verdict = await page.locator('#verdict').innerText();
    assert.match(verdict, /Accused/);
    assert.ok(verdict.includes(clerkId), verdict);
    // The chart: one bar pair per candidate, the accused's dark bar past the threshold line.
    const svg = page.locator('svg[role="img"]');
    assert.ok(await svg.isVisible());
    const box = (await svg.boundingBox())!;
    assert.ok(box.width > 300 && box.x + box.width <= 1024, JSON.stringify(box));
    const threshold = Number(await svg.locator('line').getAttribute('x1'));
    const darkBars = await svg
      .locator('rect[fill="#2e86de"]')
      .evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('x')) + Number(r.getAttribute('width'))));
    assert.ok(darkBars[0]! > threshold, `accused bar ends at ${darkBars[0]}, threshold at ${threshold}`);
    assert.match(await page.locator('pre').first().innerText(), /个人信息/);
    // Candidates, assumptions, missing evidence, two notices; and the people and disclosures it names.
    assert.equal(await page.locator('h2').count(), 7);
    assert.ok((await page.locator('table.list').first().innerText()).includes('clerk'));
    // Nothing loaded from anywhere but the page itself; no script errors, no CSP violation.
    assert.deepEqual(requests, [`${base}/v1/traces/${reportId}?format=html`]);
    assert.deepEqual(problems, []);
    // No personal value from the leak on the page.
    const text = await page.content();
    for (const v of leaked) assert.ok(!text.includes(v));
    await page.screenshot({ path: join(dir, 'trace-report.png'), fullPage: true });
    if (process.env.TRACEVAULT_SCREENSHOTS)
      await page.screenshot({ path: join(process.env.TRACEVAULT_SCREENSHOTS, 'trace-report.png'), fullPage: true });
    await page.close();
  });

  test('without a token the report is refused; the docs page lists the endpoints', async () => {
    const page = await browser.newPage();
    const refused = await page.goto(`${base}/v1/traces/${reportId}?format=html`);
    assert.equal(refused?.status(), 401);
    assert.ok(!(await page.content()).includes(clerkId));
    const docs = await page.goto(`${base}/docs`);
    assert.equal(docs?.status(), 200);
    const body = await page.locator('body').innerText();
    for (const path of ['/v1/records/{id}', '/v1/exports', '/v1/traces']) assert.ok(body.includes(path), path);
    await page.close();
  });
});
