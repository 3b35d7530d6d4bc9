/**
 * The vaccination clinic's due list over real HTTP, on SQLite and on PostgreSQL (routes/due-list.ts,
 * service/due-lists.ts, ADR 0022): a nurse lists exactly the children of her clinic's districts
 * (its region and her district relationships) whose next dose falls in the window, computed here
 * from the synthetic city itself, and never another district's; masked; in clear only as a run of
 * a standing export a DPO approved once, each run its own fingerprinted disclosure with canaries; a
 * leaked run with 40% of its rows replaced or noised is traced to that run; a dose given moves the
 * child off the list.
 */
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { BACKENDS } from '../../test/helpers/backends.ts';
import { CITY, httpVault, leaks } from '../../test/helpers/http-vault.ts';
import { generateCity } from '../synth/city.ts';
import { Rng } from '../synth/random.ts';
import { districtCode } from '../schema/address-district.ts';
import { localDate } from '../schema/local-date.ts';
import { nextDue, vaccineZh } from '../schema/vaccines.ts';
import type { Vaccination } from '../schema/field-kind.ts';

/** The window every list here covers (the city's histories run to 2026-11-01). */
const WINDOW = { from: '2026-12-01', to: '2026-12-31' };
const DAY = 86_400_000;

/** Independently of the service: the city's families, as their final values, by `motherName|birthDate`. */
function expectedKeys(districts: readonly string[], window: { from: string; to: string }): Set<string> {
  const out = new Set<string>();
  for (const f of generateCity(CITY).families()) {
    const v: Record<string, unknown> = { ...f.initial.values };
    for (const c of f.later) Object.assign(v, c.values);
    const home = districtCode(v.address as string);
    if (!home || !districts.includes(home)) continue;
    const birthDate = localDate(Date.parse(v.birthTime as string));
    const due = nextDue(birthDate, (v.vaccinations ?? []) as Vaccination[]);
    if (due.some((d) => d.due >= window.from && d.due <= window.to)) out.add(`${v.motherName}|${birthDate}`);
  }
  return out;
}

function csvRows(text: string): Record<string, string>[] {
  return parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), { columns: true });
}

function toCsv(header: readonly string[], rows: readonly Record<string, string>[]): string {
  const cell = (s: string) => `"${s.replaceAll('"', '""')}"`;
  return [header.map(cell).join(','), ...rows.map((r) => header.map((h) => cell(r[h] ?? '')).join(','))].join('\n');
}

for (const backend of BACKENDS) {
  describe(`HTTP API on ${backend.name}: the vaccination clinic's due list`, () => {
    const v = httpVault(backend);
    const { api, tokens, seeded } = v;
    /** Clinic A serves its region (hospital A's district) and nurse A's district relationship besides. */
    const districtsA = ['370102', '370112'];
    const districtsB = ['370104'];
    let nurseA: string, nurseAId: string, nurseB: string;
    const today = localDate(Date.now());

    /** The `motherName|birthDate` of each listed record, read from the vault (not from the list). */
    const keysOf = async (ids: readonly string[]) => {
      const { vault } = v.opened();
      const out = new Set<string>();
      for (const id of ids) {
        const rec = await vault.registry.get(id);
        const birth = localDate(Date.parse(rec.current.get('birthTime')!.value as string));
        out.add(`${rec.current.get('motherName')!.value as string}|${birth}`);
      }
      return out;
    };
    const list = async (token: string, window = WINDOW) => {
      const ids: string[] = [];
      const rows = [];
      for (let offset = 0; ; offset += 50) {
        const r = await api('GET', `/v1/due-list?from=${window.from}&to=${window.to}&limit=50&offset=${offset}`, token);
        assert.equal(r.status, 200, r.text);
        rows.push(...r.json.rows);
        ids.push(...r.json.rows.map((x: { id: string }) => x.id));
        if (offset + 50 >= r.json.total) break;
      }
      return { ids, rows };
    };

    before(async () => {
      const clinic = async (name: string, region: string) => {
        const r = await api('POST', '/v1/organizations', tokens.admin, { name, kind: 'vaccination_clinic', region });
        assert.equal(r.status, 201, r.text);
        return r.json.id as string;
      };
      const a = await v.principal({
        displayName: '历下区接种护士',
        roles: ['vaccination_nurse'],
        organizationId: await clinic('历下区预防接种门诊', districtsA[0]!),
        relationships: [{ kind: 'district', value: districtsA[1]! }],
      });
      [nurseA, nurseAId] = [a.token, a.id];
      nurseB = (
        await v.principal({
          displayName: '市中区接种护士',
          roles: ['vaccination_nurse'],
          organizationId: await clinic('市中区预防接种门诊', districtsB[0]!),
        })
      ).token;
    });

    test("a nurse's due list holds exactly her districts' children due in the window, masked", async () => {
      const expectedA = expectedKeys(districtsA, WINDOW);
      assert.ok(expectedA.size >= 20, `${expectedA.size} children due`);
      const a = await list(nurseA);
      assert.deepEqual(await keysOf(a.ids), expectedA);
      // Another clinic's nurse gets hers only, and the two lists share no child.
      const b = await list(nurseB);
      assert.deepEqual(await keysOf(b.ids), expectedKeys(districtsB, WINDOW));
      assert.ok(b.ids.length > 0 && b.ids.every((id) => !a.ids.includes(id)));
      // Masked: no seeded value anywhere in the answers; phones as 138****5678; doses by code and name.
      const text = JSON.stringify([a.rows, b.rows]);
      assert.deepEqual(leaks(text, seeded), []);
      for (const r of a.rows) {
        assert.match(r.motherPhone ?? '1**********', /^1\d{2}\*{4}\d{4}$/);
        assert.ok(r.due.length > 0 && r.due.every((d: { due: string }) => d.due >= WINDOW.from && d.due <= WINDOW.to));
        for (const d of r.due) assert.equal(d.name, vaccineZh(d.vaccine));
        for (const g of r.given) assert.match(g.date, /^\d{4}-\d{2}$/, 'a dose’s date masked to the month');
      }
      // One ledger entry for the listing, naming no one.
      const { vault } = v.opened();
      const entries = await vault.db.all<{ entry: string }>(
        "SELECT entry FROM audit_events WHERE action = 'due_list' AND principal_id = ?",
        [nurseAId],
      );
      assert.ok(entries.length >= 1);
      assert.deepEqual(leaks(entries.map((e) => e.entry).join('\n'), seeded), []);
    });

    test('a clinician, a clerk, a DPO and a bad window are refused', async () => {
      for (const who of ['clinicianA', 'clerkA', 'dpo', 'statistician']) {
        const r = await api('GET', `/v1/due-list?from=${WINDOW.from}&to=${WINDOW.to}`, tokens[who]);
        assert.deepEqual([r.status, r.json.code], [403, 'ERR_FORBIDDEN'], who);
      }
      const long = await api('GET', '/v1/due-list?from=2026-01-01&to=2026-12-31', nurseA);
      assert.deepEqual([long.status, long.json.code], [400, 'ERR_INVALID_FIELD']);
      const reversed = await api('GET', '/v1/due-list?from=2026-12-31&to=2026-12-01', nurseA);
      assert.equal(reversed.status, 400);
      assert.equal((await api('GET', `/v1/due-list?from=${WINDOW.from}&to=${WINDOW.to}`)).status, 401);
    });

    test('a standing export: approved once by a DPO, two runs are two fingerprinted disclosures', async () => {
      const { vault } = v.opened();
      const period = { validFrom: today, validTo: localDate(Date.now() + 30 * DAY) };
      const req = await api('POST', '/v1/due-list/standing-exports', nurseA, {
        format: 'csv',
        ...period,
        justification: '每月预防接种通知',
      });
      assert.equal(req.status, 201, req.text);
      assert.deepEqual([req.json.kind, req.json.status, req.json.validFrom], ['due_list', 'pending', today]);
      const id = req.json.id as string;
      assert.equal((await api('POST', `/v1/exports/${id}/runs`, nurseA, WINDOW)).json.code, 'ERR_APPROVAL_REQUIRED');
      // The requester cannot approve it; a clinician cannot ask for one.
      assert.equal((await api('POST', `/v1/exports/${id}/approve`, nurseA)).status, 403);
      const clin = await api('POST', '/v1/due-list/standing-exports', tokens.clinicianA, { format: 'csv', ...period });
      assert.equal(clin.status, 403);
      const ok = await api('POST', `/v1/exports/${id}/approve`, tokens.dpo);
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.json.expiresAt, new Date(Date.parse(`${period.validTo}T00:00:00+08:00`) + DAY).toISOString());
      // The ordinary download is not how a due list leaves; another nurse does not see it.
      assert.equal((await api('GET', `/v1/exports/${id}/file`, nurseA)).json.code, 'ERR_CONFLICT');
      assert.equal((await api('POST', `/v1/exports/${id}/runs`, nurseB, WINDOW)).status, 404);

      const runs = [];
      for (let i = 0; i < 2; i++) {
        const r = await api('POST', `/v1/exports/${id}/runs`, nurseA, WINDOW);
        assert.equal(r.status, 201, r.text);
        assert.match(r.headers.get('content-type') ?? '', /text\/csv/);
        runs.push({ disclosureId: r.headers.get('x-disclosure-id')!, text: r.text, rows: csvRows(r.text) });
      }
      const [one, two] = runs as [(typeof runs)[0], (typeof runs)[0]];
      assert.notEqual(one.disclosureId, two.disclosureId);
      assert.notEqual(one.text, two.text, 'each run marked for its own disclosure');
      // The real rows are exactly the list's children (canaries besides, a few).
      const expected = expectedKeys(districtsA, WINDOW);
      const real = one.rows.filter((r) => expected.has(`${r.motherName}|${r.birthDate}`));
      assert.equal(real.length, expected.size);
      assert.ok(one.rows.length > real.length, 'canaries among the rows');
      assert.deepEqual(Object.keys(one.rows[0]!), [
        'babyName',
        'motherName',
        'motherPhone',
        'birthDate',
        'vaccinations',
        'dueVaccine',
        'dueVaccineName',
        'dueDose',
        'dueDate',
      ]);
      for (const run of runs) {
        const d = await vault.db.get<{ channel: string; export_id: string; fingerprint: string; principal_id: string }>(
          'SELECT channel, export_id, fingerprint, principal_id FROM disclosures WHERE id = ?',
          [run.disclosureId],
        );
        assert.deepEqual(d, { channel: 'export', export_id: id, fingerprint: 'tardos-v1', principal_id: nurseAId });
        const c = await vault.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM canaries WHERE disclosure_id = ?', [
          run.disclosureId,
        ]);
        assert.ok(Number(c?.n) >= 1, 'its canaries');
        const e = await vault.db.all<{ entry: string }>(
          "SELECT entry FROM audit_events WHERE action = 'export' AND entry LIKE ?",
          [`%${run.disclosureId}%`],
        );
        assert.equal(e.length, 1, 'its ledger entry');
        assert.deepEqual(leaks(e[0]!.entry, seeded), []);
      }
      const listed = await api('GET', `/v1/exports/${id}/runs`, tokens.dpo);
      assert.deepEqual(
        listed.json.runs.map((r: { disclosureId: string }) => r.disclosureId).sort(),
        [one.disclosureId, two.disclosureId].sort(),
      );

      // The leak: run one's file with 40% of its rows replaced by other families or noised, traced to it.
      const rng = new Rng('due-list-leak');
      const fake = [...generateCity({ seed: 'due-list-fabricated', families: one.rows.length }).families()];
      const leaked = one.rows.map((r, i) => {
        if (!rng.chance(0.4)) return r;
        if (rng.chance(0.5)) {
          const f = fake[i]!.initial.values;
          return {
            ...r,
            babyName: f.babyName as string,
            motherName: f.motherName as string,
            motherPhone: f.motherPhone as string,
            birthDate: (f.birthTime as string).slice(0, 10),
            vaccinations: JSON.stringify(f.vaccinations),
          };
        }
        // Retyped: the phone without its separators, the name with a slip of the keyboard.
        const name = [...r.motherName!];
        return { ...r, motherPhone: r.motherPhone!.replace(/\D/g, ''), motherName: name.reverse().join('') };
      });
      const header = Object.keys(one.rows[0]!);
      const inv = await api('POST', '/v1/organizations', tokens.admin, { name: '网信办稽查', kind: 'regulator' });
      const investigator = await v.principal({
        displayName: 'investigator',
        roles: ['investigator'],
        organizationId: inv.json.id,
      });
      const trace = await api('POST', '/v1/traces', investigator.token, toCsv(header, leaked), {
        'content-type': 'text/csv',
        prefer: 'wait=120',
      });
      assert.equal(trace.status, 201, trace.text);
      assert.equal(trace.json.accused?.principalId, nurseAId, JSON.stringify(trace.json.accused));
      assert.equal(trace.json.accused?.disclosureId, one.disclosureId, 'the run whose file leaked, not the other');
      const top = trace.json.candidates.find((c: { principalId: string }) => c.principalId === nurseAId);
      assert.ok(top.log10Fingerprint > 3, `the marks alone: log10 ${top.log10Fingerprint}`);

      // Without a body: today and the next 30 days.
      const plain = await api('POST', `/v1/exports/${id}/runs`, nurseA);
      assert.equal(plain.status, 201, plain.text);
      assert.deepEqual(
        [plain.headers.get('x-due-from'), plain.headers.get('x-due-to')],
        [today, localDate(Date.parse(`${today}T00:00:00+08:00`) + 30 * DAY)],
      );

      // Expired: a period already over is refused, and a run after the period ends is too.
      const over = await api('POST', '/v1/due-list/standing-exports', nurseA, {
        format: 'csv',
        validFrom: '2026-01-01',
        validTo: '2026-01-31',
      });
      assert.deepEqual([over.status, over.json.code], [410, 'ERR_EXPIRED']);
      await vault.db.run('UPDATE exports SET expires_at = ? WHERE id = ?', [
        new Date(Date.now() - 1000).toISOString(),
        id,
      ]);
      const late = await api('POST', `/v1/exports/${id}/runs`, nurseA, WINDOW);
      assert.equal(late.json.code, 'ERR_EXPIRED');
      // A request whose period ended while it waited is not approved.
      const waited = await api('POST', '/v1/due-list/standing-exports', nurseA, { format: 'jsonl', ...period });
      assert.equal(waited.status, 201, waited.text);
      await vault.db.run('UPDATE exports SET valid_to = ? WHERE id = ?', ['2026-01-31', waited.json.id]);
      const stale = await api('POST', `/v1/exports/${waited.json.id}/approve`, tokens.dpo);
      assert.deepEqual([stale.status, stale.json.code], [410, 'ERR_EXPIRED']);
      const n = await vault.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM export_runs WHERE export_id = ?', [id]);
      assert.equal(Number(n?.n), 3, 'every run, and only those, recorded');
    });

    test('a dose given moves the child off the next list; the nurse changes nothing else', async () => {
      const before = await list(nurseA);
      // A child of her district with one dose due in the window, at another organisation (a hospital's record).
      type Row = { id: string; birthDate: string; due: { vaccine: string; dose: number }[]; given: Vaccination[] };
      const cleared = (r: Row) =>
        nextDue(r.birthDate, [...r.given, ...r.due.slice(0, 1)]).every((d) => d.due < WINDOW.from || d.due > WINDOW.to);
      const row = (before.rows as Row[]).find((r) => r.due.length === 1 && cleared(r))!;
      assert.ok(row, 'a child with one dose due, none after it in the window');
      const due = row.due[0] as { vaccine: string; name: string; dose: number };
      assert.ok(due.name !== due.vaccine, 'given by its Chinese name');
      const given = await api('POST', `/v1/records/${row.id}/doses`, nurseA, {
        vaccine: due.name,
        dose: due.dose,
        date: today,
        clinic: '历下区预防接种门诊',
      });
      assert.equal(given.status, 201, given.text);
      assert.deepEqual(given.json.changed, ['vaccinations']);
      const after = await list(nurseA);
      assert.ok(!after.ids.includes(row.id), 'the child is off the list');
      assert.equal(after.ids.length, before.ids.length - 1);
      const { vault } = v.opened();
      const stored = (await vault.registry.get(row.id)).current.get('vaccinations')!.value as Vaccination[];
      assert.ok(stored.some((d) => d.vaccine === due.vaccine && d.dose === due.dose && d.date === today));
      // PATCH: vaccinations only, added to what is recorded; any other field is refused.
      const other = before.rows.find((r: { id: string; due: unknown[] }) => r.id !== row.id)!;
      const count = ((await vault.registry.get(other.id)).current.get('vaccinations')?.value as Vaccination[]).length;
      const d2 = other.due[0] as { vaccine: string; dose: number };
      const patch = await api('PATCH', `/v1/records/${other.id}`, nurseA, {
        vaccinations: [{ vaccine: d2.vaccine, dose: d2.dose, date: today }],
      });
      assert.equal(patch.status, 200, patch.text);
      const now = (await vault.registry.get(other.id)).current.get('vaccinations')!.value as Vaccination[];
      assert.equal(now.length, count + 1, 'added, nothing removed');
      const phone = await api('PATCH', `/v1/records/${other.id}`, nurseA, { motherPhone: '13912345678' });
      assert.deepEqual([phone.status, phone.json.code], [403, 'ERR_FORBIDDEN']);
      const mixed = await api('PATCH', `/v1/records/${other.id}`, nurseA, {
        vaccinations: [{ vaccine: 'HepB', dose: 3, date: today }],
        babyName: '王小明',
      });
      assert.equal(mixed.status, 403);
      // A nurse of another district does not find the child at all.
      const b = await api('POST', `/v1/records/${row.id}/doses`, nurseB, { vaccine: 'HepB', dose: 3, date: today });
      assert.equal(b.status, 404);
    });
  });
}
