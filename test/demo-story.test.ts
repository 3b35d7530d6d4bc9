/**
 * The demo's story (issue 22 part 4; src/sim/story/, src/cli/commands/demo.ts), on SQLite and
 * PostgreSQL: the demo is built into a temporary directory and served, and every ingredient of its
 * story is found through the HTTP API as the console and the portal would find it — a login per
 * role; the scraper's stolen token blocked with its alerts open for the DPO; the clinic's due list
 * run as a standing export, its leaked copy traced to the nurse's run, a canary in that copy and
 * the canary's call confirmed; parents' reports in two clusters by what the callers knew; an export
 * waiting for approval and a correction waiting for a decision, the demo family able to log in and
 * see it (and, once the trace is confirmed, its breach notice); a new account waiting for a second
 * administrator. What the demo prints holds no value of the city but its logins. A second start
 * reuses the vault and the story, and the guard's block outlives it.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BACKENDS } from './helpers/backends.ts';
import { printDemo, startDemo, type Demo, type DemoOptions } from '../src/cli/commands/demo.ts';
import { csvRows } from '../src/sim/story/due-list.ts';
import { generateCity } from '../src/synth/city.ts';

const CITY = { seed: 'demo-story-test', families: 600 } as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are asserted field by field
type Json = any;

const LOGINS = {
  clinician: ['clinician', 'demo-clinician-pw'],
  vaccination_nurse: ['nurse', 'demo-nurse-pw-1'],
  records_clerk: ['clerk', 'demo-clerk-pw-1'],
  dpo: ['dpo', 'demo-dpo-password'],
  investigator: ['investigator', 'demo-investigator-pw'],
  administrator: ['admin', 'demo-admin-password'],
  statistician: ['statistician', 'demo-statistician-pw'],
  auditor: ['auditor', 'demo-auditor-pw'],
} as const;

/** Every name, phone, id number and address of the demo city, for scanning what the demo prints. */
function seededValues(): string[] {
  const out = new Set<string>();
  for (const f of generateCity(CITY).families())
    for (const c of [f.initial, ...f.later])
      for (const [k, v] of Object.entries(c.values))
        if (typeof v === 'string' && /Phone|ResidentId|Name$|address/.test(k) && v.length >= 2) out.add(v);
  return [...out];
}

for (const backend of BACKENDS) {
  describe(`the demo's story, on ${backend.name}`, () => {
    let env: Awaited<ReturnType<typeof backend.fresh>>;
    let demo: Demo;
    let opts: DemoOptions;
    const tokens: Record<string, string> = {};

    const api = async (method: string, path: string, token?: string, body?: unknown) => {
      const res = await fetch(demo.url + path, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
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
    const idOf = (role: string) => demo.creds.find((c) => c.role === role && c.login)!.principalId;
    const window = () =>
      `from=${new Date(Date.now() - 86_400_000).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}`;

    /** A guardian's portal session: the phone, the SMS code from the demo's outbox. */
    const portalLogin = async (phone: string): Promise<string> => {
      const seen = () =>
        readFileSync(join(demo.dir, 'outbox.jsonl'), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { to: string; text: string })
          .filter((m) => m.to === phone);
      const before = seen().length;
      assert.equal((await api('POST', '/v1/portal/login', undefined, { phone })).status, 202);
      for (let i = 0; i < 100 && seen().length === before; i++) await new Promise((r) => setTimeout(r, 50));
      const otp = /(?<!\d)(\d{6})(?!\d)/.exec(seen().at(-1)!.text)![1];
      const s = await api('POST', '/v1/portal/sessions', undefined, { phone, otp });
      assert.equal(s.status, 201, s.text);
      return s.json.token as string;
    };

    before(async () => {
      env = await backend.fresh();
      opts = { data: env.dir, ...CITY, port: 0, host: '127.0.0.1', serve: true, database: env.database };
      const started = Date.now();
      demo = await startDemo(opts);
      process.stderr.write(`demo built and served in ${Date.now() - started} ms on ${backend.name}\n`);
      for (const [role, [login, password]] of Object.entries(LOGINS)) {
        const r = await api('POST', '/v1/sessions', undefined, { login, password });
        assert.equal(r.status, 201, `${role}: ${r.text}`);
        tokens[role] = r.json.token;
      }
    });

    after(async () => {
      await demo?.stop();
      await env?.cleanup();
    });

    test('one login per role, each a principal of that role', async () => {
      for (const role of Object.keys(LOGINS)) {
        const c = demo.creds.find((x) => x.role === role && x.login);
        assert.ok(c, role);
        assert.ok(c.displayName, `${role} has a name`);
      }
      // Eight logins, and the story told to its end.
      assert.equal(demo.creds.filter((c) => c.login).length, 8);
      assert.ok(demo.story.done);
    });

    test("the scraper's stolen token is blocked, its alerts open in the DPO's queue", async () => {
      const stolen = demo.creds.find((c) => c.role.includes('stolen'))!;
      const alerts = await api('GET', '/v1/alerts', tokens.dpo);
      assert.equal(alerts.status, 200, alerts.text);
      const mine = (alerts.json.alerts as Json[]).filter((a) => a.principalId === stolen.principalId);
      assert.ok(
        mine.some((a) => a.action === 'block' && a.resolvedAt === null),
        JSON.stringify(mine),
      );
      assert.ok(demo.story.scraper!.blocked);
      assert.ok(demo.story.scraper!.read.length > 0 && demo.story.scraper!.read.length < 60);
      const again = await api('GET', `/v1/records/${demo.story.scraper!.read[0]}`, stolen.token);
      assert.equal(again.status, 403);
      assert.equal(again.json.code, 'ERR_GUARD_BLOCKED');
    });

    test("the clinic's due list leaked, and the trace of the copy names the nurse's run", async () => {
      const due = demo.story.dueList!;
      const runs = await api('GET', `/v1/exports/${due.standingExportId}/runs`, tokens.dpo);
      assert.equal(runs.status, 200, runs.text);
      assert.ok((runs.json.runs as Json[]).some((r) => r.disclosureId === due.disclosureId));
      const t = await api('GET', `/v1/traces/${demo.story.trace!.id}`, tokens.investigator);
      assert.equal(t.status, 200, t.text);
      assert.equal(t.json.status, 'done');
      assert.equal(t.json.accused?.principalId, idOf('vaccination_nurse'), JSON.stringify(t.json.candidates?.[0]));
      assert.equal(t.json.accused?.disclosureId, due.disclosureId);
      // The copy for sale is in the demo directory, for the investigator to drop into the console.
      const leak = join(demo.dir, 'leaked-due-list.csv');
      assert.ok(existsSync(leak));
      const [header, ...rows] = csvRows(readFileSync(leak, 'utf8'));
      assert.equal(rows.length, due.rows);
      assert.ok(header!.includes('妈妈手机'));
    });

    test("a canary of the due list is in the copy, and the buyer's call to it is confirmed", async () => {
      const due = demo.story.dueList!;
      assert.ok(due.canaryQuote, 'a canary of the run holds the operator phone');
      assert.deepEqual(demo.story.canaryCall, {
        hitId: demo.story.canaryCall!.hitId,
        confirmed: true,
        disclosureIds: [due.disclosureId],
      });
      const [header, ...rows] = csvRows(readFileSync(join(demo.dir, 'leaked-due-list.csv'), 'utf8'));
      const names: Record<string, string> = { 宝宝姓名: 'babyName', 母亲姓名: 'motherName', 妈妈手机: 'motherPhone' };
      const table = rows.map((r) => Object.fromEntries(header!.map((h, i) => [names[h] ?? h, r[i] ?? ''])));
      const found = await api('POST', '/v1/canaries/lookup', tokens.investigator, { rows: table });
      assert.equal(found.status, 200, found.text);
      assert.ok(
        (found.json.hits as Json[]).some((h) => h.disclosureId === due.disclosureId),
        found.text,
      );
    });

    test("parents' reports of suspicious calls, clustered by who called and what they knew", async () => {
      const r = await api('GET', `/v1/reports?${window()}`, tokens.investigator);
      assert.equal(r.status, 200, r.text);
      const clusters = r.json.clusters as Json[];
      assert.equal(clusters.length, 2, JSON.stringify(clusters.map((c) => c.knew)));
      const knew = (c: Json) => (c.knew as Json[]).map((k) => k.field as string);
      const clinic = clusters.find((c) => knew(c).includes('vaccinations'));
      const photographer = clusters.find((c) => knew(c).includes('ward'));
      assert.ok(clinic && photographer);
      assert.equal(clinic.reports, 6);
      assert.ok(photographer.reports >= 2 && photographer.reports <= 4, String(photographer.reports));
      assert.equal(r.json.reports, demo.story.reports!.ids.length);
    });

    test('an export waits for the DPO, a correction for a decision, and the family can see it', async () => {
      const x = await api('GET', `/v1/exports/${demo.story.pendingExport!.id}`, tokens.dpo);
      assert.equal(x.status, 200, x.text);
      assert.equal(x.json.status, 'pending');
      const fam = demo.story.demoFamily!;
      const pending = await api('GET', '/v1/requests?status=pending', tokens.dpo);
      assert.equal(pending.status, 200, pending.text);
      const req = (pending.json.requests as Json[]).find((q) => q.id === fam.requestId);
      assert.equal(req?.kind, 'correction');
      assert.equal(req?.recordId, fam.recordId);
      // The family logs in as the demo says: its phone, the code from the outbox.
      const portal = await portalLogin(fam.motherPhone);
      const mine = await api('GET', '/v1/portal/requests', portal);
      assert.equal((mine.json.requests as Json[]).find((q) => q.id === fam.requestId)?.status, 'pending');
      // A partner she may consent to, not consented yet.
      const consents = await api('GET', `/v1/portal/children/${fam.recordId}/consents`, portal);
      assert.equal(consents.status, 200, consents.text);
      const partner = (consents.json.consents as Json[]).find((c) => c.organizationId === demo.story.partner!.id);
      assert.equal(partner?.state, 'not_granted');
    });

    test('confirming the trace sends the demo mother a breach notice', async () => {
      const c = await api('POST', `/v1/traces/${demo.story.trace!.id}/confirm`, tokens.dpo, {
        actions: ['source_account_suspended', 'regulator_informed'],
      });
      assert.equal(c.status, 201, c.text);
      const fam = demo.story.demoFamily!;
      const notices = await api('GET', '/v1/portal/notices', await portalLogin(fam.motherPhone));
      assert.equal(notices.status, 200, notices.text);
      assert.ok((notices.json.notices as Json[]).some((n) => (n.childIds as string[]).includes(fam.recordId)));
    });

    test("the dose the nurse gave is on the child's record, and off her list", async () => {
      const given = demo.story.doseGiven!;
      assert.ok(given.recordId, 'a child was due this week');
      const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
      const week = new Date(Date.now() + 8 * 3_600_000 + 7 * 86_400_000).toISOString().slice(0, 10);
      const list = await api('GET', `/v1/due-list?from=${today}&to=${week}&limit=500`, tokens.vaccination_nurse);
      assert.equal(list.status, 200, list.text);
      const row = (list.json.rows as Json[]).find((r) => r.id === given.recordId);
      for (const d of (row?.due ?? []) as Json[])
        assert.ok(!(d.vaccine === given.vaccine && d.dose === given.dose), JSON.stringify(d));
      assert.ok(
        ((row?.given ?? []) as Json[]).some((g) => g.vaccine === given.vaccine && g.dose === given.dose) || !row,
      );
    });

    test("a new clinician's account waits for the second administrator", async () => {
      const r = await api('GET', '/v1/principals/pending', tokens.administrator);
      assert.equal(r.status, 200, r.text);
      const p = (r.json.principals as Json[]).find((x) => x.id === demo.story.pendingPrincipal!.id);
      assert.deepEqual(p?.roles, ['clinician']);
      // The administrator who logs in is not the one who created it: she may approve it.
      assert.notEqual(p?.createdBy, idOf('administrator'));
    });

    test('what the demo prints holds its logins and no other value of the city', () => {
      const lines: string[] = [];
      printDemo(demo, opts.data, (l) => lines.push(l));
      const text = lines.join('\n');
      assert.ok(text.includes(`${demo.url}/console/`) && text.includes(`${demo.url}/portal/`));
      for (const [login, password] of Object.values(LOGINS)) assert.ok(text.includes(`${login} / ${password}`), login);
      const allowed = new Set([demo.story.demoFamily!.motherPhone, demo.guardian?.motherPhone]);
      // The staff's names are synthetic too, and may be a family's: they are what the console shows.
      const staff = demo.creds.map((c) => c.displayName ?? '').join(' ');
      const leaked = seededValues().filter((v) => !allowed.has(v) && !staff.includes(v) && text.includes(v));
      assert.deepEqual(leaked, []);
    });

    test('a second start reuses the vault and the story', async () => {
      const before = await api('GET', `/v1/reports?${window()}`, tokens.investigator);
      const story = demo.story;
      await demo.stop();
      demo = await startDemo(opts);
      assert.deepEqual(demo.story, story);
      const after = await api('GET', `/v1/reports?${window()}`, tokens.investigator);
      assert.equal(after.status, 200, after.text);
      assert.equal(after.json.reports, before.json.reports);
      // The guard's block outlives the server: the stolen token stays refused.
      const stolen = demo.creds.find((c) => c.role.includes('stolen'))!;
      const again = await api('GET', `/v1/records/${story.scraper!.read[0]}`, stolen.token);
      assert.equal(again.json?.code, 'ERR_GUARD_BLOCKED');
    });

    test('a story cut short goes on where it stopped, and tells nothing twice', async () => {
      const file = join(demo.dir, 'demo-story.json');
      const { partner, pendingPrincipal, ...cut } = demo.story;
      writeFileSync(file, JSON.stringify(cut));
      const pending = async () =>
        ((await api('GET', '/v1/principals/pending', tokens.administrator)).json.principals as Json[]).length;
      const before = { reports: demo.story.reports!.ids.length, pending: await pending() };
      await demo.stop();
      demo = await startDemo(opts);
      assert.ok(demo.story.partner && demo.story.partner.id !== partner!.id, 'the partner step told again');
      // The account was made already (its login is taken): found among the pending, not made twice.
      assert.equal(demo.story.pendingPrincipal!.id, pendingPrincipal!.id);
      assert.equal(await pending(), before.pending);
      assert.deepEqual(demo.story.reports!.ids.length, before.reports);
      assert.equal(demo.story.trace!.id, cut.trace!.id);
    });
  });
}
