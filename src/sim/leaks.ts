/**
 * The trace simulation: a seeded city (births with their version histories), about a thousand
 * principals with realistic access — ward staff on shifts revealing the births of their ward,
 * shared ward logins, records clerks exporting the month's births, vaccination clinics with
 * monthly due lists, partners with consent-based samples, a data-centre account exporting
 * everything, analysts who see only aggregates — and a leak generator: one leaker, two or three
 * colluding, or an outside source; channels copied file, normalised file, screen transcription,
 * complaint set; noise (fabricated rows, stale versions, rows from another source, field typos).
 * Pure and in memory: the benchmark runs thousands of trials through the same linkage and
 * evidence functions the vault uses.
 */
import { createHmac } from 'node:crypto';
import { generateCity, type SimFamily } from '../synth/city.ts';
import { snapshot } from '../synth/snapshot.ts';
import { Rng } from '../synth/random.ts';
import type { CandidateRecord, VersionedValue } from '../trace/linkage.ts';
import { stratumOf, type DisclosureSummary, type SourceInput } from '../trace/evidence.ts';
import { blockKeys, recordMaterial } from '../schema/blocking.ts';
import { markRow } from '../disclose/marks.ts';
import { TardosCode } from '../disclose/tardos.ts';
import { BIRTH, PUBLIC_FIELDS } from '../schema/record-type.ts';
import type { FieldValue } from '../schema/field-kind.ts';
import { maskMobile, maskPersonName, maskResidentId } from '../schema/mask.ts';

const DAY = 86_400_000;

export interface SimDisclosure extends DisclosureSummary {
  readonly atMs: number;
  readonly fields: readonly string[];
  readonly marked: boolean;
}

export interface SimPrincipal {
  readonly id: string;
  readonly kind: 'ward' | 'shared' | 'clerk' | 'clinic' | 'partner' | 'datacentre' | 'analyst';
  readonly disclosures: SimDisclosure[];
}

export interface Universe {
  readonly records: readonly CandidateRecord[];
  readonly families: readonly SimFamily[];
  readonly principals: readonly SimPrincipal[];
  readonly sources: readonly SourceInput[];
  readonly strata: ReadonlyMap<string, number>;
  readonly blocks: ReadonlyMap<string, number[]>;
  readonly nameCounts: ReadonlyMap<string, number>;
  readonly hospitals: number;
  readonly code: TardosCode;
  readonly key: (disclosureId: string) => Buffer;
  readonly startMs: number;
  readonly endMs: number;
}

const CLEAR_WARD = [
  'babyName',
  'babySex',
  'birthTime',
  'hospital',
  'ward',
  'bed',
  'motherName',
  'motherPhone',
  'fatherName',
  'fatherPhone',
  'dischargeTime',
];
const CLEAR_CLERK = [
  'babyName',
  'babySex',
  'birthTime',
  'hospital',
  'motherName',
  'motherResidentId',
  'fatherName',
  'fatherResidentId',
  'address',
  'birthCertificateNo',
];
const CLEAR_CLINIC = ['babyName', 'babySex', 'birthTime', 'motherName', 'motherPhone', 'fatherPhone', 'vaccinations'];
const CLEAR_PARTNER = ['babyName', 'motherName', 'motherPhone'];
const CLEAR_ALL = BIRTH.fields.map((f) => f.name);

function versionsOf(f: SimFamily): VersionedValue[] {
  const out: VersionedValue[] = [];
  const counts = new Map<string, number>();
  const last = new Map<string, VersionedValue>();
  for (const c of [f.initial, ...f.later]) {
    for (const [field, value] of Object.entries(c.values)) {
      const prev = last.get(field);
      if (prev) out[out.indexOf(prev)] = { ...prev, validTo: c.at };
      const v: VersionedValue = {
        field,
        version: (counts.get(field) ?? 0) + 1,
        value: value,
        validFrom: c.at,
        validTo: null,
        recordedAt: c.at,
      };
      counts.set(field, v.version);
      out.push(v);
      last.set(field, v);
    }
  }
  return out;
}

/** The values and field versions of a record at a moment. */
export function stateAt(rec: CandidateRecord, ms: number): Map<string, VersionedValue> {
  const out = new Map<string, VersionedValue>();
  for (const v of rec.versions) if (Date.parse(v.validFrom) <= ms) out.set(v.field, v);
  return out;
}

export function buildUniverse(opts: { seed: string; families: number; hospitals?: number }): Universe {
  const city = generateCity({ seed: opts.seed, families: opts.families, hospitals: opts.hospitals ?? 20 });
  const families = [...city.families()];
  const endMs = Date.parse(city.until),
    startMs = endMs - 365 * DAY;
  const records: CandidateRecord[] = families.map((f, i) => ({
    seq: i + 1,
    id: `r${i + 1}`,
    orgId: `h${f.hospital}`,
    createdAt: f.initial.at,
    versions: versionsOf(f),
  }));
  const rng = new Rng(`${opts.seed}\0staff`);
  const principals: SimPrincipal[] = [];
  let dn = 0;
  const disclose = (
    p: SimPrincipal,
    atMs: number,
    recs: readonly CandidateRecord[],
    fields: readonly string[],
    channel: string,
    marked: boolean,
  ) => {
    const items = new Map<number, Map<string, number>>();
    for (const r of recs) {
      const s = stateAt(r, atMs);
      const given = new Map<string, number>();
      for (const f of fields) {
        const v = s.get(f);
        if (v && !PUBLIC_FIELDS.has(f)) given.set(f, v.version);
      }
      if (s.size > 0) items.set(r.seq, given);
    }
    if (items.size > 0)
      p.disclosures.push({
        id: `d${++dn}`,
        principalId: p.id,
        at: new Date(atMs).toISOString(),
        atMs,
        channel,
        items,
        fields,
        marked,
      });
  };
  const byHospital = city.hospitals.map((h) => ({
    h,
    wards: h.wards.map((w) => ({ w, staff: [] as SimPrincipal[] })),
  }));
  for (const hw of byHospital)
    for (const w of hw.wards)
      for (let i = 0; i < 8; i++) {
        const p: SimPrincipal = { id: `p${principals.length + 1}`, kind: 'ward', disclosures: [] };
        w.staff.push(p);
        principals.push(p);
      }
  const shared = byHospital
    .slice(0, 10)
    .map(() => ({ id: `p${principals.length + 1}`, kind: 'shared' as const, disclosures: [] as SimDisclosure[] }));
  principals.push(...shared);
  // Ward reveals: two staff on the birth day, one at discharge; a shift's reveals are one disclosure.
  const shifts = new Map<string, { p: SimPrincipal; day: number; recs: CandidateRecord[] }>();
  const reveal = (p: SimPrincipal, ms: number, r: CandidateRecord) => {
    const day = Math.floor(ms / DAY);
    const k = `${p.id}|${day}`;
    const s = shifts.get(k) ?? { p, day, recs: [] };
    s.recs.push(r);
    shifts.set(k, s);
  };
  families.forEach((f, i) => {
    const hw = byHospital[f.hospital]!;
    const ward = hw.wards.find((w) => w.w === f.initial.values.ward) ?? hw.wards[0]!;
    const r = records[i]!;
    const born = Date.parse(f.initial.at);
    reveal(rng.pick(ward.staff), born + 2 * 3_600_000, r);
    reveal(rng.pick(ward.staff), born + 10 * 3_600_000, r);
    const discharge = f.later.find((c) => c.values.dischargeTime);
    if (discharge) reveal(rng.pick(ward.staff), Date.parse(discharge.at) + 3_600_000, r);
    if (f.hospital < shared.length && rng.chance(0.3)) reveal(shared[f.hospital]!, born + 20 * 3_600_000, r);
  });
  for (const s of shifts.values()) disclose(s.p, (s.day + 1) * DAY - 3_600_000, s.recs, CLEAR_WARD, 'api', false);
  // Records offices: the previous month's births, exported on the 2nd.
  const months: number[] = [];
  for (let m = startMs + 30 * DAY; m < endMs; m += 30 * DAY) months.push(m);
  byHospital.forEach((_, h) => {
    for (let c = 0; c < 2; c++) {
      const p: SimPrincipal = { id: `p${principals.length + 1}`, kind: 'clerk', disclosures: [] };
      principals.push(p);
      for (const m of months)
        if (rng.chance(0.5))
          disclose(
            p,
            m,
            records.filter(
              (r, i) =>
                families[i]!.hospital === h && Date.parse(r.createdAt) < m && Date.parse(r.createdAt) >= m - 30 * DAY,
            ),
            CLEAR_CLERK,
            'export',
            true,
          );
    }
  });
  // Vaccination clinics: each serves a slice of the families; a monthly due list of babies under one year.
  const clinics = 100;
  for (let c = 0; c < clinics; c++) {
    const p: SimPrincipal = { id: `p${principals.length + 1}`, kind: 'clinic', disclosures: [] };
    principals.push(p);
    const served = records.filter((_, i) => i % clinics === c);
    for (const m of months)
      disclose(
        p,
        m + 5 * DAY,
        served.filter((r) => Date.parse(r.createdAt) < m && Date.parse(r.createdAt) > m - 365 * DAY),
        CLEAR_CLINIC,
        'export',
        true,
      );
  }
  // Partners: consented samples (1% of the families each quarter).
  for (let k = 0; k < 50; k++) {
    const p: SimPrincipal = { id: `p${principals.length + 1}`, kind: 'partner', disclosures: [] };
    principals.push(p);
    for (let m = 0; m < months.length; m += 3)
      disclose(
        p,
        months[m]! + 9 * DAY,
        records.filter((r) => Date.parse(r.createdAt) < months[m]! && rng.chance(0.01)),
        CLEAR_PARTNER,
        'partner',
        false,
      );
  }
  // The data centre: everything, twice a year.
  const dc: SimPrincipal = { id: `p${principals.length + 1}`, kind: 'datacentre', disclosures: [] };
  principals.push(dc);
  for (const m of [months[5]!, months[10]!])
    disclose(
      dc,
      m + 15 * DAY,
      records.filter((r) => Date.parse(r.createdAt) < m + 15 * DAY),
      CLEAR_ALL,
      'export',
      true,
    );
  while (principals.length < 1000)
    principals.push({ id: `p${principals.length + 1}`, kind: 'analyst', disclosures: [] });

  const sources: SourceInput[] = principals
    .filter((p) => p.disclosures.length > 0)
    .map((p) => {
      const seen = new Set<number>();
      for (const d of p.disclosures) for (const s of d.items.keys()) seen.add(s);
      return { principalId: p.id, disclosures: p.disclosures, totalRecords: seen.size };
    });
  const strata = new Map<string, number>();
  const blocks = new Map<string, number[]>();
  const nameCounts = new Map<string, number>();
  for (const r of records) {
    const k = stratumOf(r.orgId, r.createdAt);
    strata.set(k, (strata.get(k) ?? 0) + 1);
    const keys = new Set<string>();
    const state = new Map<string, unknown>();
    for (const v of [...r.versions].sort((a, b) => a.validFrom.localeCompare(b.validFrom))) {
      state.set(v.field, v.value);
      for (const b of blockKeys(recordMaterial(state))) keys.add(b);
      for (const p of ['motherPhone', 'fatherPhone']) if (v.field === p) keys.add(`phone:${v.value as string}`);
      for (const p of ['motherResidentId', 'fatherResidentId', 'babyResidentId'])
        if (v.field === p) keys.add(`id:${v.value as string}`);
      if (/Name$/.test(v.field)) nameCounts.set(v.value as string, (nameCounts.get(v.value as string) ?? 0) + 1);
    }
    for (const k2 of keys) {
      const list = blocks.get(k2);
      if (list) list.push(r.seq);
      else blocks.set(k2, [r.seq]);
    }
  }
  const key = (id: string) => createHmac('sha256', opts.seed).update(`disclosure\0${id}`).digest();
  return {
    records,
    families,
    principals,
    sources,
    strata,
    blocks,
    nameCounts,
    hospitals: city.hospitals.length,
    code: new TardosCode(key('bias')),
    key,
    startMs,
    endMs,
  };
}

export type Channel = 'copied' | 'normalised' | 'transcribed' | 'complaint';

export interface SimLeak {
  readonly header: readonly string[];
  readonly rows: string[][];
  /** The record each row was drawn from (undefined: fabricated). */
  readonly truth: (number | undefined)[];
  /** The principals the leak came from (empty: an outside source). */
  readonly leakers: readonly string[];
  /** When the rows were copied: one moment for an export, a span for screens read over time. */
  readonly snapshotFromMs: number;
  readonly snapshotMs: number;
}

const HEADERS: Record<Channel, readonly string[]> = {
  copied: [],
  normalised: [],
  transcribed: ['babyName', 'birthTime', 'hospital', 'motherName', 'motherPhone', 'address'],
  complaint: ['babyName', 'motherName', 'birthTime', 'hospital', 'motherPhone', 'calledAt'],
};

function typo(rng: Rng, v: string): string {
  const c = [...v];
  if (c.length < 2) return v;
  const i = rng.int(0, c.length - 2);
  if (/\d/.test(c[i]!) && rng.chance(0.5)) c[i] = String((Number(c[i]) + rng.int(1, 9)) % 10);
  else [c[i], c[i + 1]] = [c[i + 1]!, c[i]!];
  return c.join('');
}

function cellOf(v: FieldValue | undefined): string {
  return v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
}

/**
 * A leak of `size` rows. `leakers` principals (0: an outside source taking records of one to three
 * hospitals). `noise` is the share of rows replaced by fabricated rows, stale versions, rows of
 * another source or rows with a field typo (a quarter each).
 */
export function makeLeak(
  u: Universe,
  rng: Rng,
  opts: { leakers: number; size: number; channel: Channel; noise: number; kinds?: readonly SimPrincipal['kind'][] },
): SimLeak {
  const pool = u.principals.filter((p) => p.disclosures.length > 0 && (!opts.kinds || opts.kinds.includes(p.kind)));
  const leakers: SimPrincipal[] = [];
  while (leakers.length < opts.leakers) {
    const p = rng.pick(pool);
    if (!leakers.includes(p)) leakers.push(p);
  }
  // What each leaker holds: one export, or the reveals up to a moment.
  type Held = { rec: CandidateRecord; atMs: number; fields: readonly string[]; d?: SimDisclosure }[];
  const held: Held[] = leakers.map((p) => {
    const exp = p.disclosures.filter((d) => d.channel !== 'api');
    if (exp.length > 0 && opts.channel !== 'complaint') {
      const d = rng.pick(exp);
      return [...d.items.keys()].map((s) => ({ rec: u.records[s - 1]!, atMs: d.atMs, fields: d.fields, d }));
    }
    const upto = rng.pick(p.disclosures).atMs;
    return p.disclosures
      .filter((d) => d.atMs <= upto)
      .flatMap((d) => [...d.items.keys()].map((s) => ({ rec: u.records[s - 1]!, atMs: d.atMs, fields: d.fields, d })));
  });
  let snapshotMs = Math.max(...held.map((h) => Math.max(...h.map((x) => x.atMs))));
  if (opts.leakers === 0) {
    snapshotMs = u.startMs + rng.next() * (u.endMs - u.startMs - 30 * DAY) + 30 * DAY;
    const hs = new Set(Array.from({ length: rng.int(1, 3) }, () => `h${rng.int(0, u.hospitals - 1)}`));
    held.push(
      u.records
        .filter((r) => hs.has(r.orgId!) && Date.parse(r.createdAt) <= snapshotMs)
        .map((rec) => ({ rec, atMs: snapshotMs, fields: CLEAR_ALL })),
    );
  }
  const fieldsShown =
    opts.channel === 'copied' || opts.channel === 'normalised'
      ? (held[0]?.[0]?.fields ?? CLEAR_ALL).filter((f) => f !== 'vaccinations')
      : HEADERS[opts.channel].filter((f) => f !== 'calledAt');
  const header = opts.channel === 'complaint' ? HEADERS.complaint : fieldsShown;
  const rows: string[][] = [],
    truth: (number | undefined)[] = [];
  let firstMs = Infinity;
  const fabricated = [
    ...generateCity({
      seed: `fab-${rng.int(0, 1e9)}`,
      families: Math.ceil(opts.size * opts.noise) + 2,
      hospitals: u.hospitals,
    }).families(),
  ];
  for (let i = 0; i < opts.size; i++) {
    const h = held[i % held.length]!;
    if (h.length === 0) break;
    const pick = h[rng.int(0, h.length - 1)]!;
    firstMs = Math.min(firstMs, pick.atMs);
    let rec: CandidateRecord | undefined = pick.rec;
    let atMs = pick.atMs;
    let fab: Record<string, FieldValue> | undefined;
    let typoField = false;
    if (rng.chance(opts.noise)) {
      const k = rng.int(0, 3);
      if (k === 0) {
        rec = undefined;
        fab = snapshot(fabricated[i % fabricated.length]!);
      } else if (k === 1) atMs = Date.parse(rec.createdAt) + rng.next() * Math.max(0, atMs - Date.parse(rec.createdAt));
      else if (k === 2) {
        rec = u.records[rng.int(0, u.records.length - 1)]!;
        atMs = Math.max(Date.parse(rec.createdAt), snapshotMs - rng.next() * 60 * DAY);
      } else typoField = true;
    }
    const values: Record<string, FieldValue> =
      fab ?? Object.fromEntries([...stateAt(rec!, atMs)].map(([f, v]) => [f, v.value]));
    let shown: Record<string, FieldValue> = {};
    for (const f of fieldsShown) if (values[f] !== undefined) shown[f] = values[f]!;
    // Only rows of the leaker's own copy carry its marks: a fabricated row or one from another
    // source was never rendered for its disclosure.
    if (opts.channel === 'copied' && pick.d?.marked && rec === pick.rec)
      shown = markRow(BIRTH, shown, u.code, u.key(pick.d.id));
    const cells = header.map((f) => {
      if (f === 'calledAt') return new Date(snapshotMs + rng.int(1, 10) * DAY).toISOString();
      let v = cellOf(shown[f]);
      const clear = pick.fields.includes(f);
      if ((opts.channel === 'transcribed' || opts.channel === 'complaint') && v !== '') {
        if (f === 'motherPhone' && !clear) v = maskMobile(v);
        if (f === 'motherResidentId' && !clear) v = maskResidentId(v);
        if (f === 'motherName' && !clear) v = maskPersonName(v);
        if (f === 'birthTime') v = v.slice(0, 16).replace('T', ' ');
        if (f === 'address' && !clear) v = '';
      }
      if (opts.channel === 'normalised' && f === 'birthTime') v = v.slice(0, 16).replace('T', ' ');
      return v;
    });
    if (typoField) {
      const j = header.findIndex((f) => f === 'motherPhone' || f === 'motherName');
      if (j >= 0 && cells[j]) cells[j] = typo(rng, cells[j]);
    }
    rows.push(cells);
    truth.push(rec?.seq);
  }
  return {
    header,
    rows,
    truth,
    leakers: leakers.map((p) => p.id),
    snapshotFromMs: Math.min(firstMs, snapshotMs),
    snapshotMs,
  };
}
