/**
 * Tracing leaks end to end, on SQLite and PostgreSQL, over real HTTP and the command line: a
 * copied export names its recipient; a retyped, masked sample keeps the true source in its
 * confidence set; rows from outside the registry accuse no one; pasted chat text links; only
 * investigators may trace; every trace is a ledger entry; the report names no personal value.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { BACKENDS } from './helpers/backends.ts';
import { initVault, type Vault } from '../src/store/vault.ts';
import { loadCity, type LoadResult } from '../src/sim/load.ts';
import { generateCity } from '../src/synth/city.ts';
import { snapshot } from '../src/synth/snapshot.ts';
import { Services } from '../src/service/services.ts';
import { Ledger } from '../src/ledger/log.ts';
import { buildServer } from '../src/server/app.ts';
import { tableOf } from '../src/trace/leak-file.ts';
import type { TraceReport } from '../src/trace/report.ts';

const CITY = { seed: 'trace-test', families: 240, hospitals: 2 } as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- reports are asserted field by field
type Json = any;

function csvRows(text: string): { header: string[]; rows: string[][] } {
  const lines = text
    .replace(/^\uFEFF/, '')
    .trim()
    .split('\r\n')
    .map((l) => l.split(','));
  return { header: lines[0]!, rows: lines.slice(1) };
}

const toCsv = (header: readonly string[], rows: readonly (readonly string[])[]) =>
  [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';

for (const backend of BACKENDS) {
  describe(`trace on ${backend.name}`, () => {
    let env: Awaited<ReturnType<typeof backend.fresh>>;
    let vault: Vault, city: LoadResult, app: FastifyInstance, base: string;
    const tokens: Record<string, string> = {};
    const ids: Record<string, string> = {};
    let exportA = { header: [] as string[], rows: [] as string[][], disclosureId: '' };

    const api = async (
      method: string,
      path: string,
      token: string | undefined,
      body?: unknown,
      type = 'application/json',
    ) => {
      const res = await fetch(base + path, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': type } : {}),
          // A trace is a job; these tests wait for its end, as a trace answered before jobs (RFC 7240).
          ...(method === 'POST' && path.startsWith('/v1/traces') ? { prefer: 'wait=60' } : {}),
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let json: Json;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, json, text };
    };

    before(async () => {
      env = await backend.fresh();
      let admin;
      ({ vault, admin } = await initVault(env.dir, { database: env.database }));
      city = await loadCity(vault, admin, CITY);
      app = await buildServer(await Services.open(vault, { ledger: new Ledger(vault.db) }), {});
      await app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      // Principals made in the store: this file is about traces, not about how principals are enrolled.
      const [a, b] = city.hospitals;
      const regulator = await vault.createOrganisation(admin, { name: '网信办', kind: 'regulator' });
      for (const [name, roles, org] of [
        ['clerkA', ['records_clerk'], a!.orgId],
        ['clerkB', ['records_clerk'], b!.orgId],
        ['dpo', ['dpo'], admin.orgId],
        ['investigator', ['investigator'], regulator],
      ] as const) {
        const r = await vault.createPrincipal(admin, { displayName: name, roles, orgId: org });
        tokens[name] = r.token;
        ids[name] = r.id;
      }
      const fields = ['babyName', 'motherName', 'motherResidentId', 'birthTime', 'address', 'hospital'];
      for (const clerk of ['clerkA', 'clerkB']) {
        const req = await api('POST', '/v1/exports', tokens[clerk], {
          purpose: 'birth_registration',
          fields,
          format: 'csv',
        });
        assert.equal(req.status, 201, req.text);
        assert.equal((await api('POST', `/v1/exports/${req.json.id}/approve`, tokens.dpo)).status, 200);
        const res = await fetch(`${base}/v1/exports/${req.json.id}/file`, {
          headers: { authorization: `Bearer ${tokens[clerk]}` },
        });
        assert.equal(res.status, 200);
        if (clerk === 'clerkA')
          exportA = { ...csvRows(await res.text()), disclosureId: res.headers.get('x-disclosure-id')! };
      }
    });

    after(async () => {
      await app?.close();
      await vault?.close();
      await env?.cleanup();
    });

    test('a copied export of 30 rows names its recipient and its disclosure', async () => {
      const sample = exportA.rows.filter((_, i) => i % 3 === 0).slice(0, 30);
      const r = await api('POST', '/v1/traces', tokens.investigator, toCsv(exportA.header, sample), 'text/csv');
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.accused?.principalId, ids.clerkA);
      assert.equal(r.json.accused?.disclosureId, exportA.disclosureId);
      assert.ok(r.json.rows.linked + r.json.rows.canaries >= 29, JSON.stringify(r.json.rows));
      assert.ok(r.json.confidenceSets['0.000001'].includes(ids.clerkA));
      assert.ok(!r.json.confidenceSets['0.000001'].includes(ids.clerkB));
      assert.ok(r.json.affected.total >= sample.length);
      assert.ok(r.json.window.from, 'a lower bound');
      assert.match(r.json.notices.regulator, /个人信息/);
      // The report is kept and readable again, as JSON and as HTML.
      const again = await api('GET', `/v1/traces/${r.json.id}`, tokens.investigator);
      assert.equal(again.json.accused.principalId, ids.clerkA);
      const html = await api('GET', `/v1/traces/${r.json.id}?format=html&lang=en`, tokens.investigator);
      assert.match(html.text, /Trace report/);
      assert.match(html.text, /<svg/);
      // The report names people, not ids (issue 22): who the accused is, which disclosure, when (UTC+8).
      const clerk = r.json.people[ids.clerkA!];
      assert.deepEqual(
        [clerk.displayName, clerk.roles, clerk.organizationId, clerk.organizationName],
        ['clerkA', ['records_clerk'], city.hospitals[0]!.orgId, city.hospitals[0]!.name],
      );
      const d = r.json.disclosures[exportA.disclosureId];
      assert.deepEqual([d.principalId, d.channel, d.purpose], [ids.clerkA, 'export', 'birth_registration']);
      assert.match(d.atBeijing, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/);
      assert.equal(Date.parse(d.atBeijing), Math.floor(Date.parse(d.at) / 1000) * 1000, 'the same instant');
      assert.match(r.json.beijingTime.createdAt, /\+08:00$/);
      assert.match(r.json.notices.regulator, /clerkA/);
      const zh = await api('GET', `/v1/traces/${r.json.id}?format=html`, tokens.investigator);
      assert.match(zh.text, /<html lang="zh-CN">/);
      for (const page of [zh.text, html.text]) {
        assert.ok(
          page.includes('clerkA') && page.includes(city.hospitals[0]!.name),
          'the accused by name and organisation',
        );
        assert.ok(page.includes(d.atBeijing.slice(0, 16).replace('T', ' ')), 'the disclosure’s date in Beijing time');
      }
      assert.match(zh.text, /溯源报告/);
      assert.match(zh.text, /认定来源/);
      assert.match(zh.text, /病案管理员/);
      assert.match(zh.text, /导出文件/);
      assert.match(zh.text, /北京时间/);
      assert.match(html.text, /Records clerk/);
      assert.match(html.text, /export file/);
      assert.match(html.text, /Beijing time/);
      const accept = await fetch(`${base}/v1/traces/${r.json.id}?format=html`, {
        headers: { authorization: `Bearer ${tokens.investigator}`, 'accept-language': 'en-GB,en;q=0.8' },
      });
      assert.match(await accept.text(), /<html lang="en">/);
      // No personal value from the leak in the report, in either language.
      for (const row of sample)
        for (const cell of row)
          if (cell.length >= 4 && !/^\d{4}-\d{2}/.test(cell) && !/医院|院$/.test(cell))
            assert.ok(!r.text.includes(cell) && !html.text.includes(cell) && !zh.text.includes(cell));
      const entries = await vault.db.all<{ entry: string }>("SELECT entry FROM audit_events WHERE action = 'trace'");
      assert.ok(entries.some((e) => e.entry.includes(r.json.id)));
    });

    test('a retyped, masked sample of 29 rows keeps the true source in every confidence set', async () => {
      const h = exportA.header;
      const col = (n: string) => h.indexOf(n);
      const rows = exportA.rows
        .filter((_, i) => i % 2 === 1)
        .slice(0, 29)
        .map((r) => {
          const id = r[col('motherResidentId')]!;
          const birth = r[col('birthTime')]!;
          const name = [...r[col('motherName')]!];
          return [
            `${id.slice(0, 6)}********${id.slice(14)}`,
            `${name[0]}*${name.length > 2 ? name[name.length - 1] : ''}`,
            birth.slice(0, 10),
            r[col('babyName')]!,
          ];
        });
      const r = await api(
        'POST',
        '/v1/traces',
        tokens.investigator,
        toCsv(['身份证号', '母亲姓名', '出生日期', '宝宝姓名'], rows),
        'text/csv',
      );
      assert.equal(r.status, 201, r.text);
      assert.ok(r.json.rows.linked >= 27, JSON.stringify(r.json.rows));
      for (const eps of ['0.01', '0.0001', '0.000001']) assert.ok(r.json.confidenceSets[eps].includes(ids.clerkA), eps);
      assert.notEqual(r.json.accused?.principalId, ids.clerkB);
    });

    test(
      "API reveals carry their recipient's marks: " + 'two clinicians who saw the same versions are told apart',
      async () => {
        const [a] = city.hospitals;
        const who: Record<string, string> = {};
        for (const name of ['nurseA', 'nurseB']) {
          const r = await vault.createPrincipal(null, { displayName: name, roles: ['clinician'], orgId: a!.orgId });
          who[name] = r.token;
          ids[name] = r.id;
        }
        const recs = (
          await vault.db.all<{ id: string }>('SELECT id FROM records WHERE org_id = ? ORDER BY id LIMIT 25', [a!.orgId])
        ).map((r) => r.id);
        const fields = ['motherPhone', 'fatherPhone', 'address'];
        const seen: Record<string, Json[]> = { nurseA: [], nurseB: [] };
        for (const name of ['nurseA', 'nurseB']) {
          for (const id of recs) {
            const r = await api(
              'GET',
              `/v1/records/${id}?purpose=treatment&reveal=${fields.join(',')}` +
                `&justification=${encodeURIComponent('产后随访，核对联系方式')}`,
              who[name],
            );
            assert.equal(r.status, 200, r.text);
            seen[name]!.push(r.json.fields);
          }
        }
        // Same values, other renderings: each still normalises to what is stored.
        const differ = seen.nurseA!.filter((f, i) => JSON.stringify(f) !== JSON.stringify(seen.nurseB![i])).length;
        assert.ok(differ > 5, `renderings differ in ${differ} of 25 records`);
        for (const f of seen.nurseA!) assert.match(f.motherPhone, /^1\d{2}[ -]\d{4}[ -]\d{4}$/);
        const leak = seen.nurseA!.map((f) => [f.motherPhone, f.fatherPhone ?? '', f.address]);
        const r = await api(
          'POST',
          '/v1/traces',
          tokens.investigator,
          toCsv(['手机号', '父亲电话', '家庭住址'], leak),
          'text/csv',
        );
        assert.equal(r.status, 201, r.text);
        assert.equal(r.json.accused?.principalId, ids.nurseA, JSON.stringify(r.json.candidates.slice(0, 3)));
        assert.ok(!r.json.confidenceSets['0.000001'].includes(ids.nurseB));
      },
    );

    test('rows with no phone and no id number link through the broad blocking keys', async () => {
      const h = exportA.header;
      const rows = exportA.rows
        .slice(0, 20)
        .map((r) => [
          r[h.indexOf('babyName')]!,
          r[h.indexOf('motherName')]!,
          r[h.indexOf('birthTime')]!.slice(0, 10),
          r[h.indexOf('hospital')]!,
        ]);
      const r = await api(
        'POST',
        '/v1/traces',
        tokens.investigator,
        toCsv(['宝宝姓名', '母亲姓名', '出生日期', '医院'], rows),
        'text/csv',
      );
      assert.equal(r.status, 201, r.text);
      assert.ok(r.json.rows.linked + r.json.rows.canaries >= 18, JSON.stringify(r.json.rows));
      assert.ok(r.json.confidenceSets['0.01'].includes(ids.clerkA));
    });

    test('a leak linked on a worker thread gets the report it gets on this one', async () => {
      const services = await Services.open(vault);
      const ctx = { principal: await services.sessions.authenticate(tokens.investigator!), requestId: 'worker-test' };
      const h = exportA.header;
      // Rows the precise keys link, and rows only the broad ones can (no id): both tiers.
      const rows = [
        ...exportA.rows.slice(0, 25),
        ...exportA.rows.slice(25, 40).map((r) => r.map((c, k) => (h[k] === 'motherResidentId' ? '' : c))),
      ];
      const table = tableOf(
        'csv',
        h,
        rows.map((cells, j) => ({ line: j + 2, cells })),
      );
      const strip = ({ id: _id, createdAt: _at, beijingTime, ...rest }: TraceReport) => ({
        ...rest,
        beijingTime: { ...beijingTime, createdAt: '' },
      });
      const here = await services.traces.run(ctx, table, { worker: false });
      const there = await services.traces.run(ctx, table, { worker: true });
      assert.deepEqual(strip(there), strip(here));
      assert.equal(here.accused?.principalId, ids.clerkA);
      assert.ok(here.rows.linked >= 38, JSON.stringify(here.rows));
    });

    test('rows from outside the registry accuse no one', async () => {
      const outside = [...generateCity({ seed: 'somewhere-else', families: 40, hospitals: 2 }).families()].map((f) =>
        snapshot(f),
      );
      const rows = outside.map((s) => [s.babyName, s.motherName, s.motherPhone, s.birthTime, s.address].map(String));
      const r = await api('POST', '/v1/traces', tokens.investigator, {
        rows: rows.map((x) => ({
          babyName: x[0],
          motherName: x[1],
          motherPhone: x[2],
          birthTime: x[3],
          address: x[4],
        })),
      });
      assert.equal(r.status, 201, r.text);
      assert.equal(r.json.accused, null);
      assert.equal(r.json.rows.linked, 0);
      assert.ok(r.json.confidenceSets['0.01'].includes('elsewhere'));
    });

    test('pasted chat text links row by row', async () => {
      const h = exportA.header;
      const lines = exportA.rows
        .slice(0, 12)
        .map(
          (r) =>
            `${r[h.indexOf('motherName')]}，身份证：${r[h.indexOf('motherResidentId')]} ` +
            `生于 ${r[h.indexOf('birthTime')]!.slice(0, 16).replace('T', ' ')}`,
        );
      const r = await api('POST', '/v1/traces', tokens.investigator, lines.join('\n'), 'text/plain');
      assert.equal(r.status, 201, r.text);
      assert.ok(r.json.rows.linked >= 11, JSON.stringify(r.json.rows));
      assert.ok(r.json.confidenceSets['0.01'].includes(ids.clerkA));
    });

    test('only investigators trace; bad uploads get coded errors', async () => {
      const body = toCsv(exportA.header, exportA.rows.slice(0, 3));
      for (const who of ['clerkA', 'dpo'])
        assert.equal((await api('POST', '/v1/traces', tokens[who], body, 'text/csv')).status, 403);
      assert.equal((await api('POST', '/v1/traces', undefined, body, 'text/csv')).status, 401);
      const bad = await api('POST', '/v1/traces', tokens.investigator, '{"rows": 5}');
      assert.equal(bad.status, 400);
      assert.equal(bad.json.code, 'ERR_MALFORMED_FILE');
      const eps = await api('POST', '/v1/traces?epsilon=2', tokens.investigator, body, 'text/csv');
      assert.equal(eps.status, 400);
      assert.equal((await api('GET', '/v1/traces/t_nope', tokens.investigator)).status, 404);
    });

    test('the command line traces a file as the key holder', { skip: backend.name !== 'sqlite' }, () => {
      const file = join(env.dir, 'leak.csv');
      writeFileSync(file, toCsv(exportA.header, exportA.rows.slice(0, 40)));
      const out = execFileSync(process.execPath, ['bin/tracevault.js', 'trace', file, '--data', env.dir, '--json'], {
        encoding: 'utf8',
      });
      const report = JSON.parse(out);
      assert.equal(report.accused.principalId, ids.clerkA);
      const text = execFileSync(
        process.execPath,
        ['bin/tracevault.js', 'trace', file, '--data', env.dir, '--epsilon', '1e-3'],
        { encoding: 'utf8' },
      );
      assert.match(text, /accused: /);
      // The HTML report, in Chinese by default and in English on request.
      for (const [lang, title] of [
        [undefined, '溯源报告'],
        ['en', 'Trace report'],
      ] as const) {
        const out = join(env.dir, `report-${lang ?? 'default'}.html`);
        execFileSync(
          process.execPath,
          ['bin/tracevault.js', 'trace', file, '--data', env.dir, '--html', out, ...(lang ? ['--lang', lang] : [])],
          { encoding: 'utf8' },
        );
        const page = readFileSync(out, 'utf8');
        assert.ok(page.includes(title) && page.includes('clerkA'), lang);
        for (const row of exportA.rows.slice(0, 40))
          for (const cell of row)
            if (cell.length >= 4 && !/^\d{4}-\d{2}/.test(cell) && !/医院|院$/.test(cell))
              assert.ok(!page.includes(cell));
      }
      assert.throws(() =>
        execFileSync(
          process.execPath,
          ['bin/tracevault.js', 'trace', file, '--data', env.dir, '--html', 'x.html', '--lang', 'fr'],
          {
            stdio: 'pipe',
          },
        ),
      );
    });
  });
}
